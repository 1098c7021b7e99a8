"""The bundled mission sets: enough varied missions, and every ground-truth goal plans and succeeds."""

from __future__ import annotations

import pytest

from fleet.errors import WorldError
from fleet.goals import parse_goal
from fleet.missions import MISSIONS_DIR, load_mission_set
from fleet.world import load_world

SETS = sorted(p.stem for p in MISSIONS_DIR.glob("*.yaml") if not p.stem.endswith("_impossible"))
IMPOSSIBLE = sorted(p.stem for p in MISSIONS_DIR.glob("*_impossible.yaml"))


@pytest.mark.parametrize("name", IMPOSSIBLE)
def test_impossible_sets_hold_only_text_for_their_world(name):
    mission_set = load_mission_set(str(MISSIONS_DIR / f"{name}.yaml"))
    assert f"{mission_set.world}_impossible" == name and mission_set.world in SETS
    assert len(mission_set.missions) >= 25
    assert all(m.text and m.goal is None and m.plan is None and m.tags == ["impossible"] for m in mission_set.missions)


@pytest.mark.parametrize("name", SETS)
def test_mission_set_is_rich_enough(name):
    world = load_world(name)
    missions = load_mission_set(str(MISSIONS_DIR / f"{name}.yaml"), world).missions
    assert len(missions) >= 25
    assert all(m.text and m.goal for m in missions)
    assert len({m.id for m in missions}) == len(missions) and len({m.text for m in missions}) == len(missions)
    tags = {t for m in missions for t in m.tags}
    assert {"single", "multi", "multi_robot", "ambiguous"} <= tags
    if name == "warehouse":
        assert "coalition" in tags


@pytest.mark.integration
@pytest.mark.parametrize("name", SETS)
def test_every_ground_truth_goal_plans_and_succeeds_in_simulation(name):
    from fleet.planning import plan_goal
    from fleet.sim import Simulation
    from fleet.validate import spread_assignment

    world = load_world(name)
    for mission in load_mission_set(str(MISSIONS_DIR / f"{name}.yaml"), world).missions:
        goal = parse_goal(world, mission.goal)
        start = mission.initial_state(world)
        assert not all(start.holds(g) for g in goal), f"{mission.id} already holds at the start"
        plan = plan_goal(world, goal, start)
        result = Simulation(world, seed=0, state=start).run(plan, spread_assignment(world, plan), goal)
        assert result.succeeded, (mission.id, [r.failures for r in result.subtasks])


def test_mission_file_errors_name_the_entry(tmp_path, household):
    path = tmp_path / "m.yaml"
    path.write_text("missions:\n  - {id: a, goal: [\"sliced(milk)\"]}\n")
    with pytest.raises(WorldError, match=r"missions\[0\] \(a\).goal: sliced\(milk\): milk has no state 'sliced'"):
        load_mission_set(str(path), household)


def test_a_mission_file_for_another_world_is_refused_naming_both():
    with pytest.raises(WorldError) as caught:
        load_mission_set(str(MISSIONS_DIR / "household.yaml"), load_world("warehouse"))
    assert "written for the household world, not the warehouse world" in str(caught.value)


def test_a_mission_can_start_from_its_own_state(tmp_path, household):
    from fleet.planning import plan_goal
    from fleet.sim import Simulation
    from fleet.validate import spread_assignment

    path = tmp_path / "m.yaml"
    path.write_text(
        "world: household\nmissions:\n"
        "  - id: leftovers\n"
        "    goal: [\"at(apple, dining_table)\", \"not open(fridge)\"]\n"
        "    state: [\"open(fridge)\", \"in(apple, fridge)\"]\n"
    )
    entry = load_mission_set(str(path), household).missions[0]
    start = entry.initial_state(household)
    assert start.holds(parse_goal(household, ["in(apple, fridge)"])[0])
    assert ("at", "apple", "kitchen") in start.facts and ("at", "apple", "kitchen_counter") not in start.facts
    goal = parse_goal(household, entry.goal)
    plan = plan_goal(household, goal, start)
    skills = [s.skill for s in plan.subtasks]
    assert "open" not in skills and "close" in skills and "pick_from" in skills  # the fridge was open already
    result = Simulation(household, state=start).run(plan, spread_assignment(household, plan), goal)
    assert result.succeeded


def test_a_bad_starting_state_is_named_and_a_live_run_refuses_one(tmp_path, household):
    from fleet.cli import _load_missions_file
    from fleet.errors import FleetError

    bad = tmp_path / "bad.yaml"
    bad.write_text("missions:\n  - {id: a, goal: [\"open(fridge)\"], state: [\"open(piano)\"]}\n")
    with pytest.raises(WorldError, match=r"missions\[0\] \(a\)\.state.*piano"):
        load_mission_set(str(bad), household)
    good = tmp_path / "good.yaml"
    good.write_text("missions:\n  - {id: a, goal: [\"not open(fridge)\"], state: [\"open(fridge)\"]}\n")
    with pytest.raises(FleetError, match="starting state"):
        _load_missions_file(str(good), "household", use_text=False)


# the suite, and the dev worlds written later to find misreadings (household_extra)
SUITE = sorted([*(MISSIONS_DIR / "household").glob("*.yaml"), *(MISSIONS_DIR / "household_extra").glob("*.yaml")])


@pytest.mark.integration
@pytest.mark.parametrize("path", SUITE, ids=[p.stem for p in SUITE])
def test_every_household_suite_goal_plans_and_succeeds_from_its_own_state(path):
    from fleet.planning import plan_goal
    from fleet.sim import Simulation
    from fleet.validate import spread_assignment

    world = load_world(load_mission_set(str(path)).world)
    assert 20 <= len(world.objects) <= 60 and 2 <= len(world.robots) <= 4, "suite worlds are household sized"
    mission_set = load_mission_set(str(path), world)
    assert mission_set.split in ("dev", "held_out")
    # a dev world may also hold what it cannot do (no sink to wash at), marked impossible
    assert all(m.text and (m.goal or m.tags == ["impossible"]) for m in mission_set.missions), "suite missions carry text and goal"
    # a sample here, to keep the suite quick: benchmarks.plan_execution --suite runs every one
    for mission in [m for m in mission_set.missions if m.goal][::12]:
        goal = parse_goal(world, mission.goal)
        start = mission.initial_state(world)
        plan = plan_goal(world, goal, start, tidy=mission.tidy)
        result = Simulation(world, seed=0, state=start).run(plan, spread_assignment(world, plan), goal)
        assert result.succeeded, (mission.id, [r.failures for r in result.subtasks])


def test_the_household_suite_keeps_a_held_out_split():
    sets = [load_mission_set(str(p)) for p in SUITE]
    assert {s.split for s in sets} == {"dev", "held_out"}
    assert len({s.world for s in sets}) >= 12 and sum(len(s.missions) for s in sets) >= 150
    tags = {t for s in sets for m in s.missions for t in m.tags}
    assert {"list", "all", "any", "conditional", "hidden", "container", "state", "wash", "slice", "cook", "heat", "fill"} <= tags


SUITE_IMPOSSIBLE = sorted((MISSIONS_DIR / "household_impossible").glob("*.yaml"))


def test_each_suite_split_has_fifty_requests_that_cannot_be_done():
    """Things each world has, asked for what cannot be done; one file per suite world, same split."""
    splits = {load_mission_set(str(p)).world: load_mission_set(str(p)).split for p in SUITE}
    counts: dict[str, int] = {}
    for path in SUITE_IMPOSSIBLE:
        world = load_world(load_mission_set(str(path)).world)
        mission_set = load_mission_set(str(path), world)
        assert mission_set.split == splits[world.name], f"{path.name}: same split as the world's missions"
        assert all(m.text and m.goal is None and m.tags == ["impossible"] for m in mission_set.missions)
        counts[mission_set.split] = counts.get(mission_set.split, 0) + len(mission_set.missions)
    assert counts == {"dev": 50, "held_out": 50}
