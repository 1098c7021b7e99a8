"""Classical planning with the real Fast Downward: goals in both worlds plan, validate and run."""

from __future__ import annotations

import pytest

from fleet.errors import PlanningError
from fleet.goals import parse_goal
from fleet.planning import plan_goal
from fleet.sim import Simulation
from fleet.validate import spread_assignment
from fleet.world import load_world, world_from_dict

pytestmark = pytest.mark.integration

GOALS = {
    "household": [
        ["sliced(apple)", "in(apple, fridge)", "not open(fridge)"],
        ["at(milk, dining_table)"],
        ["clean(mug)", "in(mug, cabinet)"],
        ["switched_on(lamp)", "switched_on(tv)"],
        ["at(book, coffee_table)", "in(remote, fruit_bowl)"],
        ["clean(stove)"],
        ["inspected(smoke_detector)"],
        ["robot_at(scout, bedroom)"],
        ["sliced(bread)", "at(bread, dining_table)"],
    ],
    "warehouse": [
        ["at(red_box, loading_dock_a)"],
        ["at(small_parcel, packing_station)"],
        ["at(pallet_2, loading_dock_b)"],
        ["in(green_box, outbound_bin)"],
        ["inspected(sprinkler_valve)", "inspected(medicine_pack)"],
        ["open(dock_door_a)", "at(pallet_1, shelf_a)"],
        ["in(parts_bin, cold_locker)", "not open(cold_locker)"],
        ["at(heavy_crate, loading_dock_b)", "switched_on(conveyor)"],
    ],
}
CASES = [(world, goal) for world, goals in GOALS.items() for goal in goals]


@pytest.mark.parametrize("world_name, goal", CASES, ids=[" & ".join(g) for _, g in CASES])
def test_goal_plans_validates_and_simulates(request, world_name, goal):
    world = request.getfixturevalue(world_name)
    plan = plan_goal(world, goal)  # plan_goal validates before returning
    assert plan.subtasks
    result = Simulation(world, seed=1).run(plan, spread_assignment(world, plan), parse_goal(world, goal))
    assert result.succeeded, [r.failures for r in result.subtasks]
    assert result.makespan_s > 0


def test_sliced_apple_in_closed_fridge_runs_in_parallel(household):
    plan = plan_goal(household, ["sliced(apple)", "in(apple, fridge)", "not open(fridge)"])
    skills = [s.skill for s in plan.subtasks]
    assert {"slice", "put_in", "close", "open", "pick_from"} <= set(skills)
    assert "navigate" not in skills  # robots travel to each subtask by themselves
    roots = [s for s in plan.subtasks if not s.dependencies]
    assert len(roots) >= 2  # opening the fridge does not wait for the knife
    by_id = plan.by_id()
    slice_step = next(s for s in plan.subtasks if s.skill == "slice")
    knife_step = next(s for s in plan.subtasks if s.skill == "pick_from" and s.args["object"] == "knife")
    assert knife_step.id in slice_step.dependencies
    assert by_id[knife_step.id].roles[0].chain == slice_step.roles[0].chain  # the robot holding the knife slices


def test_handover_when_no_single_robot_can_do_it(warehouse):
    plan = plan_goal(warehouse, ["at(small_parcel, packing_station)"])
    handover = next(s for s in plan.subtasks if s.skill == "handover")
    giver, receiver = handover.roles
    assert "fly" in giver.capabilities and "ground" in receiver.capabilities


def test_heavy_pallet_goes_to_a_coalition(warehouse):
    plan = plan_goal(warehouse, ["at(pallet_2, loading_dock_b)"])
    assert {s.coalition_size for s in plan.subtasks} == {2}


def test_robot_goal_keeps_its_navigation_pinned(household):
    plan = plan_goal(household, ["robot_at(scout, bedroom)"])
    (step,) = plan.subtasks
    assert step.skill == "navigate" and step.roles[0].robot == "scout"


def test_goal_that_already_holds_needs_no_subtasks(household):
    assert plan_goal(household, ["in(milk, fridge)"]).subtasks == []


def test_object_held_at_start_stays_with_its_robot(household_data):
    household_data["objects"].append({"name": "parcel", "type": "parcel", "location": "scout", "mass": 0.5})
    world = world_from_dict(household_data)
    plan = plan_goal(world, ["at(parcel, bedroom)"])
    (step,) = plan.subtasks
    assert step.skill == "place" and step.roles[0].robot == "scout"


def test_missing_capability_is_explained(household_data):
    household_data["robots"] = [r for r in household_data["robots"] if r["kind"] == "helper"]
    world = world_from_dict(household_data)
    with pytest.raises(PlanningError, match="sliced\\(apple\\) needs slice, and no robot has manipulate"):
        plan_goal(world, ["sliced(apple)"])


def test_contradictory_goal_is_explained(household):
    with pytest.raises(PlanningError, match="not all of them together"):
        plan_goal(household, ["open(fridge)", "not open(fridge)"])


def test_unreachable_goal_is_rejected(warehouse):
    with pytest.raises(PlanningError, match="no plan reaches at\\(sprinkler_valve, loading_dock_a\\)"):
        plan_goal(warehouse, ["at(sprinkler_valve, loading_dock_a)"])


def test_unreachable_goals_name_the_thing_and_the_reason(household, warehouse):
    import pytest

    from fleet.errors import PlanningError
    from fleet.planning import plan_goal

    with pytest.raises(PlanningError, match="fridge cannot be picked up"):
        plan_goal(household, ["at(fridge, bedroom)"])
    data = warehouse.model_dump(mode="json")
    data["max_coalition"] = 1
    from fleet.world import world_from_dict

    with pytest.raises(PlanningError, match="pallet_2 carried, and it weighs"):
        plan_goal(world_from_dict(data), ["at(pallet_2, loading_dock_a)"])


def test_plans_are_minimal_and_as_cheap_as_the_optimum_on_small_goals(household):
    from fleet.planning import plan_cost, plan_goal

    goal = ["in(apple, fridge)", "in(banana, fridge)", "in(plate, fridge)", "not open(fridge)"]
    plan, best = plan_goal(household, goal), plan_goal(household, goal, optimal=True)
    assert plan_cost(household, plan) <= 1.05 * plan_cost(household, best)
    moved = [(s.skill, s.args.get("object")) for s in plan.subtasks if s.skill in ("pick", "pick_from")]
    assert len(moved) == len(set(moved)) == 3  # each thing picked up once
    assert not any(s.skill in ("place", "switch_on") for s in plan.subtasks)


def _plan_names(world_name: str, goal: list[str], times: int) -> list[set[str]]:
    """Plan a goal several times in this process; the names each plan's steps use."""
    world = load_world(world_name)
    return [{v for s in plan_goal(world, goal).subtasks for v in s.args.values()} for _ in range(times)]


def test_planners_in_two_processes_from_one_folder_do_not_mix_their_tasks(tmp_path, monkeypatch):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.chdir(tmp_path)  # both runs start from the same working directory
    jobs = {"household": ["in(apple, fridge)"], "warehouse": ["at(red_box, loading_dock_b)"]}
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {name: pool.submit(_plan_names, name, goal, 4) for name, goal in jobs.items()}
        results = {name: future.result(timeout=300) for name, future in futures.items()}
    for name, plans in results.items():
        known = set(load_world(name).objects_by_name) | set(load_world(name).places_by_name)
        assert all(names <= known for names in plans), f"{name} got steps of another world"
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working directory


def test_only_the_things_a_goal_may_need_are_acted_on_and_the_whole_task_decides_otherwise(household, monkeypatch):
    import fleet.planning as planning
    from fleet.state import WorldState

    state = WorldState.initial(household)
    goal = parse_goal(household, ["clean(stove)"])
    needed = planning.relevant_things(household, goal, state)
    # the goal's things, the cloth or sponge a wipe holds, the knife a slice tests for; not the apple or the book
    assert {"sponge", "knife"} <= needed and not {"apple", "book"} & needed
    moved = planning.relevant_things(household, parse_goal(household, ["at(milk, dining_table)"]), state)
    assert "milk" in moved and "remote" not in moved
    # a small task that finds no plan never refuses: the whole task is solved instead
    runs: list[bool] = []
    solve = planning._solve

    def without_tools(world, start, literals, movable, optimal, timeout_s):
        runs.append(movable is not None)
        return solve(world, start, literals, set() if movable is not None else None, optimal, timeout_s)

    monkeypatch.setattr(planning, "_solve", without_tools)
    plan = plan_goal(household, goal, state)
    assert runs == [True, False] and any(step.skill == "wipe" for step in plan.subtasks)


def test_a_small_task_plan_that_fails_a_check_gives_way_to_the_whole_task(household, monkeypatch):
    import fleet.planning as planning
    from fleet.validate import PlanValidationError

    checks: list[bool] = []
    real = planning.check_plan

    def deadlocking_first(world, dag, literals, state):
        checks.append(True)
        if len(checks) == 1:  # as a small task's plan that chains into a deadlock would
            raise PlanValidationError([])
        return real(world, dag, literals, state)

    monkeypatch.setattr(planning, "check_plan", deadlocking_first)
    plan = plan_goal(household, ["at(milk, dining_table)"])
    assert len(checks) == 2 and plan.subtasks  # the whole task's plan, checked, not a refusal
