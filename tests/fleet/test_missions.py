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
        assert not all(Simulation(world).state.holds(g) for g in goal), f"{mission.id} already holds at the start"
        plan = plan_goal(world, goal)
        result = Simulation(world, seed=0).run(plan, spread_assignment(world, plan), goal)
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
