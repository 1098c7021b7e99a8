"""World loading: the bundled worlds, the error messages, distances and static facts."""

from __future__ import annotations

import pytest
import yaml

from fleet.errors import WorldError
from fleet.world import bundled_worlds, load_world, world_from_dict


def test_bundled_worlds_are_listed_and_load():
    names = bundled_worlds()
    assert {"warehouse", "household"} <= set(names)
    for name in names:
        world = load_world(name)
        assert world.name == name
        assert world.skill_list


def test_warehouse_has_what_a_warehouse_needs(warehouse):
    kinds = {p.kind for p in warehouse.places}
    assert len(warehouse.places) >= 12 and {"charger", "dock"} <= kinds
    assert len(warehouse.robot_kinds) >= 3 and len(warehouse.objects) >= 10
    amr = warehouse.robot_kinds["amr"]
    assert "grasp" not in amr.capabilities and amr.payload >= 100
    assert {"inspect", "fly"} <= set(warehouse.robot_kinds["drone"].capabilities)
    largest_single_payload = max(k.payload for k in warehouse.robot_kinds.values())
    assert any(o.mass > largest_single_payload and o.pickable for o in warehouse.objects)


def test_household_has_what_an_apartment_needs(household):
    assert {"room"} <= {p.kind for p in household.places}
    states = {s for o in household.objects for s in o.states}
    assert {"open", "switched_on", "sliced", "clean"} <= states
    assert any(o.receptacle and "open" in o.states for o in household.objects)
    capability_sets = {frozenset(household.kind_of(r.name).capabilities) for r in household.robots}
    assert len(household.robots) >= 2 and len(capability_sets) >= 2


def test_standard_library_covers_required_skills(household):
    names = set(household.skills_by_name)
    required = {"navigate", "pick", "place", "put_in", "open", "close", "switch_on", "switch_off",
                "wash", "wipe", "slice", "inspect", "charge", "handover"}
    assert required <= names
    slice_skill = household.skills_by_name["slice"]
    assert slice_skill.parameters["knife"].types == ["knife"]


def test_world_skills_add_to_the_library(warehouse):
    assert "lift" in warehouse.skills_by_name and "lift" not in load_world("household").skills_by_name


def _write(tmp_path, text: str):
    path = tmp_path / "world.yaml"
    path.write_text(text)
    return path


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = _write(tmp_path, "name: broken\nplaces: [\n  {name: a, xy: [0, 0]\n")
    with pytest.raises(WorldError) as err:
        load_world(str(path))
    message = str(err.value)
    assert str(path) in message and "line" in message and "invalid YAML" in message


def test_python_tags_are_never_constructed(tmp_path):
    path = _write(tmp_path, "name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(WorldError, match="invalid YAML"):
        load_world(str(path))


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(WorldError, match="expected a mapping"):
        load_world(str(_write(tmp_path, "- a\n- b\n")))


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(WorldError, match="cannot read file"):
        load_world(str(tmp_path / "nope.yaml"))


def test_unknown_bundled_name_lists_the_known_ones():
    with pytest.raises(WorldError, match="bundled worlds: household"):
        load_world("moon_base")


def test_field_errors_name_the_path_and_the_item(tmp_path, warehouse_data):
    warehouse_data["objects"][0]["mass"] = "heavy"
    path = _write(tmp_path, yaml.safe_dump(warehouse_data))
    with pytest.raises(WorldError) as err:
        load_world(str(path))
    (issue,) = err.value.issues
    assert issue.path == "objects[0] (red_box).mass"
    assert "valid number" in issue.message and "'heavy'" in issue.message
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda d: d["objects"][0].update(location="attic"), "unknown location 'attic'"),
        (lambda d: d["objects"].append(dict(d["objects"][0])), "'red_box' is already used"),
        (lambda d: d["robots"][0].update(kind="tank"), "unknown robot kind 'tank'"),
        (lambda d: d["robots"][0].update(start="moon"), "unknown place 'moon'"),
        (lambda d: d["objects"][14].update(location="outbound_bin"), "receptacles form a loop"),
        (lambda d: d["objects"][0].update(location="blue_box"), "'blue_box' is not a receptacle"),
        (lambda d: d["objects"][0].update(colour="red"), "unknown field"),
        (lambda d: d["places"][0].update(name="Dock A"), "String should match pattern"),
        (lambda d: d.update(connections=[{"between": ["shelf_a", "nowhere"]}]), "unknown place 'nowhere'"),
        (lambda d: d.update(connections=[{"between": ["shelf_a", "shelf_b"]}]), "cannot be reached"),
        (lambda d: d["objects"].extend([dict(name="a1", type="t", location="amr_1"), dict(name="a2", type="t", location="amr_1")]),
         "already holds"),
    ],
)
def test_reference_errors_are_specific(warehouse_data, edit, expected):
    edit(warehouse_data)
    with pytest.raises(WorldError) as err:
        world_from_dict(warehouse_data, "edited.yaml")
    assert expected in str(err.value)
    assert "edited.yaml" in str(err.value)


def test_a_receptacle_may_be_pickable(warehouse_data):
    warehouse_data["objects"][14].update(pickable=True)
    world = world_from_dict(warehouse_data, "edited.yaml")
    assert world.objects[14].pickable and world.objects[14].receptacle


def test_skill_errors_name_the_skill(warehouse_data):
    warehouse_data["skills"].append(
        {"name": "teleport", "capability": "magic", "parameters": {"robot": "robot", "object": "object"},
         "effects": ["levitating(robot, object)"]}
    )
    with pytest.raises(WorldError, match=r"skills \(teleport\).*unknown predicate 'levitating'"):
        world_from_dict(warehouse_data)


def test_skill_conditions_may_only_use_parameters(warehouse_data):
    warehouse_data["skills"].append(
        {"name": "poke", "capability": "grasp", "parameters": {"robot": "robot"}, "preconditions": ["free(other)"]}
    )
    with pytest.raises(WorldError, match="'other', which is not a parameter of poke"):
        world_from_dict(warehouse_data)


def test_skill_argument_kinds_are_checked(warehouse_data):
    warehouse_data["skills"].append(
        {"name": "poke", "capability": "grasp", "parameters": {"robot": "robot", "spot": "place"},
         "preconditions": ["holding(robot, spot)"]}
    )
    with pytest.raises(WorldError, match="'spot' is a place, holding expects a object"):
        world_from_dict(warehouse_data)


def test_distances_follow_connections(household):
    # kitchen to hallway: the direct corridor is 7.5 m, through the dining room it is shorter
    via_dining = household.straight_distance("kitchen", "dining_table") + household.straight_distance("dining_table", "hallway")
    assert household.distance("kitchen", "hallway") == pytest.approx(min(7.5, via_dining))
    assert household.distance("kitchen", "kitchen") == 0


def test_open_floor_uses_straight_lines(warehouse):
    assert warehouse.distance("loading_dock_a", "shelf_a") == pytest.approx(warehouse.straight_distance("loading_dock_a", "shelf_a"))


def test_static_facts(warehouse):
    assert warehouse.can_reach("drone_1", "high_rack") and not warehouse.can_reach("amr_1", "high_rack")
    assert not warehouse.can_reach("drone_1", "packing_station")
    assert warehouse.can_carry("amr_1", "pallet_2")  # 900 kg by a team of AMRs
    assert not warehouse.can_carry("drone_1", "red_box")


def test_describe_lists_the_vocabulary(household):
    data = household.describe()
    fridge = next(o for o in data["objects"] if o["name"] == "fridge")
    assert fridge["receptacle"] and fridge["states"] == {"open": False}
    assert data["predicates"]["in"] == 2 and data["predicates"]["sliced"] == 1
    assert {"name", "kind", "capabilities", "payload", "start"} <= set(data["robots"][0])
