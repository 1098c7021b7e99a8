"""Entity linking: exact names, world aliases, near-misses, and words the world does not have."""

from __future__ import annotations

import pytest

from fleet.goals import parse_goal
from fleet.missions import MISSIONS_DIR, load_mission_set
from fleet.world import World, check_world_references, load_world
from serve_apps.grounding import ground


def test_aliases_from_the_world_file_link_to_their_names(household):
    grounding = ground(household, "Put the milk in the refrigerator, then throw the banana in the garbage can.")
    assert {"milk", "fridge", "banana", "trash_bin"} <= grounding.names
    assert "fridge" in grounding.text and "trash bin" in grounding.text and "," in grounding.text  # punctuation kept
    assert {(link.said, link.meant, link.how) for link in grounding.links} >= {
        ("refrigerator", "fridge", "alias"),
        ("garbage can", "trash_bin", "alias"),
    }


def test_a_name_that_contains_an_alias_stays_itself(warehouse):
    grounding = ground(warehouse, "Inspect the fire extinguisher.")
    assert grounding.names == {"fire_extinguisher"} and grounding.links == [] and grounding.text == "Inspect the fire extinguisher."


@pytest.mark.parametrize(
    "text, meant",
    [("Put the aple in the firdge", {"apple", "fridge"}), ("Turn on the lmap", {"lamp"}), ("Slice the bnaana", {"banana"})],
)
def test_near_misses_link_to_the_word_meant(household, text, meant):
    grounding = ground(household, text)
    assert meant <= grounding.names and not grounding.unknown
    assert all(link.how == "fuzzy" for link in grounding.links)


@pytest.mark.parametrize(
    "world, text, unknown",
    [
        ("household", "Bring the pizza to the dining table.", ["pizza"]),
        ("household", "Turn on the washing machine.", ["washing machine"]),
        ("warehouse", "Take the red box to shelf F.", ["shelf f"]),
        ("warehouse", "Move pallet 7 to the staging area.", ["pallet 7"]),
        ("warehouse", "Open dock door C.", ["door c"]),
        ("warehouse", "Put the purple box on the table.", ["purple", "table"]),
        ("household", "Bring my glasses from the bedroom.", ["glasses"]),  # one glass: a plural means other things
        ("warehouse", "Stage both pallets and the boxes at dock B.", []),  # several of each: fine
    ],
)
def test_words_and_phrases_naming_nothing_in_the_world(request, world, text, unknown):
    assert ground(request.getfixturevalue(world), text).unknown == unknown


@pytest.mark.parametrize("name", ["household", "warehouse"])
def test_bundled_missions_link_every_thing_their_goal_needs(request, name):
    world = request.getfixturevalue(name)
    for entry in load_mission_set(str(MISSIONS_DIR / f"{name}.yaml"), world).missions:
        grounding = ground(world, entry.text)
        assert grounding.unknown == [], entry.id
        objects = {arg for literal in parse_goal(world, entry.goal) for arg in literal.args if arg in world.objects_by_name}
        # "make me a coffee", "somewhere cold": a few goals name things the text only implies
        implied = {"hh05": {"coffee_machine"}, "hh12": {"trash_bin"}, "wh24": {"cold_locker"}}.get(entry.id, set())
        assert objects - implied <= grounding.names, entry.id


@pytest.mark.parametrize("name", ["household", "warehouse"])
def test_impossible_requests_are_flagged(request, name):
    world = request.getfixturevalue(name)
    entries = load_mission_set(str(MISSIONS_DIR / f"{name}_impossible.yaml"), world).missions
    assert [e.id for e in entries if not ground(world, e.text).unknown] == []


def test_bad_aliases_are_refused_with_their_place(household_data):
    data = household_data
    data["objects"][0]["aliases"] = ["Big Fridge"]
    data["objects"][1]["aliases"] = ["cupboard", "refrigerator"]
    data["objects"][0]["aliases"].append("refrigerator")
    issues = check_world_references(World.model_validate(data))
    messages = {issue.path: issue.message for issue in issues}
    assert "lowercase words" in messages["objects[0] (fridge).aliases"]
    assert "already stands for 'fridge'" in messages["objects[1] (cabinet).aliases"]


def test_getting_rid_of_a_thing_implies_the_trash_receptacle(household, warehouse):
    assert ground(household, "Get rid of the banana.").names == {"banana", "trash_bin"}
    assert ground(household, "Throw away the plate, please").names == {"plate", "trash_bin"}
    assert ground(warehouse, "Get rid of the green box.").names == {"green_box"}  # no trash receptacle there


def test_words_for_a_type_come_from_the_shared_table():
    from fleet.world import load_world

    kitchen = load_world("city_kitchen")  # its fridge is fridge_freezer; the world file gives no aliases
    linked = ground(kitchen, "Open the refrigerator.")
    assert linked.names == {"fridge_freezer"} and not linked.unknown
    assert ground(load_world("media_room"), "Turn off the television.").names == {"big_screen"}
    galley = load_world("galley_kitchen")
    # its counters and cupboards are named so: the table's "counter" and "cupboard" would only steal meaning
    assert "counter" not in galley.spoken_aliases and "cupboard" not in galley.spoken_aliases
    assert galley.spoken_aliases["refrigerator"] == "fridge"
    assert not ground(galley, "Have a robot hold the spoon.").unknown  # "robot": any of the fleet


def test_an_everyday_verb_that_is_also_a_things_alias_is_the_thing_only_after_the():
    from fleet.world import load_world

    kids = load_world("kids_bedroom")  # the shared table calls a blanket "a throw"
    assert kids.spoken_aliases.get("throw") == "blanket"
    assert ground(kids, "Throw the dirty socks in the hamper.").names == {"dirty_socks", "laundry_hamper"}
    assert "blanket" in ground(kids, "Put the throw on the bunk bed.").names


def test_the_door_of_a_thing_that_opens_is_the_thing():
    from fleet.world import load_world

    galley = load_world("galley_kitchen")
    linked = ground(galley, "If the microwave door is open, shut it.")
    assert not linked.unknown and linked.names == {"microwave"}


def test_a_bare_door_after_a_thing_that_opens_is_that_things_door():
    warehouse = load_world("warehouse")
    assert ground(warehouse, "Put the blue box somewhere cold, and close the door after.").text.endswith("close the cold locker after.")
    assert ground(warehouse, "Open the door and put the blue box in the cold locker.").text.startswith("Open the door")  # nothing before it
    assert "make sure" in ground(warehouse, "Make sure the cold locker is shut.").text.lower()  # everyday words, not unknown
    assert not ground(warehouse, "Make sure the cold locker is shut.").unknown


def test_a_kind_asked_for_as_a_whole_is_known_even_where_one_name_shares_its_word():
    galley = load_world("galley_kitchen")  # "dish" is in dish_sponge alone, but "the dishes" is a kind
    assert ground(galley, "Put the dishes on the nook table.").unknown == []


def test_a_gerund_before_a_comma_is_no_thing_the_world_lacks():
    powder = load_world("powder_room")
    assert ground(powder, "If the extractor is running, switch it off.").unknown == []
    assert ground(powder, "If the extractor has been left running, switch it off.").unknown == []
