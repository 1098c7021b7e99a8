"""Simulation core: virtual time, travel, batteries, faults with drift, determinism."""

from __future__ import annotations

import pytest

from fleet.goals import parse_goal
from fleet.plan import Plan, Subtask
from fleet.models import SubtaskStatus
from fleet.sim import AssignmentError, DriftEvent, FailureRate, FaultModel, SimConfig, Simulation
from fleet.validate import check_plan, spread_assignment
from fleet.world import world_from_dict


def box_to_dock(world) -> Plan:
    return check_plan(world, Plan(subtasks=[
        Subtask(id="a", skill="pick", args={"object": "red_box", "place": "shelf_a"}),
        Subtask(id="b", skill="place", args={"object": "red_box", "place": "loading_dock_b"}, dependencies=["a"]),
        Subtask(id="c", skill="inspect", args={"target": "fire_extinguisher", "place": "inspection_bay"}),
    ]))


def test_travel_and_durations_add_up(warehouse):
    plan = box_to_dock(warehouse)
    assignment = {"c1": ["manip_2"], "c2": ["drone_1"]}
    result = Simulation(warehouse).run(plan, assignment, parse_goal(warehouse, ["at(red_box, loading_dock_b)"]))
    assert result.succeeded and result.goal_reached
    to_shelf = warehouse.distance("shelf_b", "shelf_a")
    to_dock = warehouse.distance("shelf_a", "loading_dock_b")
    speed = warehouse.robot_kinds["mobile_manipulator"].speed
    a, b, c = result.subtasks
    assert a.start_s == pytest.approx(to_shelf / speed)
    assert b.end_s == pytest.approx((to_shelf + to_dock) / speed + plan.by_id()["a"].duration_s + plan.by_id()["b"].duration_s)
    assert c.start_s == pytest.approx(warehouse.distance("charger_2", "inspection_bay") / warehouse.robot_kinds["drone"].speed)
    assert result.makespan_s == pytest.approx(max(b.end_s, c.end_s))
    assert "at(red_box, loading_dock_b)" in result.final_facts


def test_same_seed_same_run_and_faults_cost_time(warehouse):
    plan = box_to_dock(warehouse)
    assignment = spread_assignment(warehouse, plan)
    faults = FaultModel(rates=[FailureRate(probability=0.4)])
    runs = [Simulation(warehouse, faults, seed=s).run(plan, assignment) for s in (7, 7, 8, 9, 10)]
    assert runs[0] == runs[1]
    clean = Simulation(warehouse, seed=7).run(plan, assignment)
    assert any(r.makespan_s > clean.makespan_s for r in runs)
    assert any(rec.attempts > 1 for r in runs for rec in r.subtasks)


def test_exhausted_retries_fail_the_subtask_and_skip_its_dependents(warehouse):
    plan = box_to_dock(warehouse)
    faults = FaultModel(rates=[FailureRate(robot="manip_2", skill="pick", probability=1.0)])
    result = Simulation(warehouse, faults, config=SimConfig(max_attempts=2)).run(plan, {"c1": ["manip_2"], "c2": ["drone_1"]})
    a, b, c = result.subtasks
    assert (a.status, a.attempts, b.status, c.status) == (SubtaskStatus.FAILED, 2, SubtaskStatus.SKIPPED, SubtaskStatus.SUCCEEDED)
    assert "manip_2 failed pick" in a.failures[0]
    assert not result.succeeded


def test_drift_changes_failure_rates():
    model = FaultModel(
        rates=[FailureRate(skill="pick", probability=0.02)],
        drift=[
            DriftEvent(robot="manip_1", skill="pick", probability=0.6, after_missions=30),
            DriftEvent(robot="drone_1", probability=0.5, at_time_s=100.0),
            DriftEvent(robot="amr_1", skill="lift", probability=0.9, after_executions=3),
        ],
    )
    assert model.probability("manip_1", "pick", missions=29) == 0.02
    assert model.probability("manip_1", "pick", missions=30) == 0.6
    assert model.probability("manip_2", "pick", missions=30) == 0.02
    assert model.probability("drone_1", "inspect", now_s=99) == 0 and model.probability("drone_1", "inspect", now_s=100) == 0.5
    assert model.probability("amr_1", "lift", executions=3) == 0.9
    with pytest.raises(ValueError, match="exactly one"):
        DriftEvent(probability=0.1)


def test_low_battery_goes_to_charge_first(warehouse_data):
    warehouse_data["robots"] = [dict(r, battery_level=0.21) if r["name"] == "manip_2" else r for r in warehouse_data["robots"]]
    world = world_from_dict(warehouse_data)
    plan = box_to_dock(world)
    charged = Simulation(world).run(plan, {"c1": ["manip_2"], "c2": ["drone_1"]})
    fresh = Simulation(world, config=SimConfig(battery_reserve=0.0)).run(plan, {"c1": ["manip_2"], "c2": ["drone_1"]})
    assert charged.charges == 1 and fresh.charges == 0
    assert charged.makespan_s > fresh.makespan_s


def test_coalition_members_start_together(warehouse):
    plan = check_plan(warehouse, Plan(subtasks=[
        Subtask(id="a", skill="lift", args={"object": "pallet_2", "place": "staging_area"}),
        Subtask(id="b", skill="lower", args={"object": "pallet_2", "place": "loading_dock_a"}, dependencies=["a"]),
    ]))
    result = Simulation(warehouse).run(plan, {"c1": ["amr_1", "amr_3"]})
    lift = result.subtasks[0]
    # amr_3 waits at the staging area for amr_1 to drive over from the dock
    assert lift.start_s == pytest.approx(warehouse.distance("loading_dock_a", "staging_area") / 1.5)
    assert lift.robots == ["amr_1", "amr_3"] and result.succeeded


@pytest.mark.parametrize(
    "assignment, message",
    [
        ({"c2": ["drone_1"]}, "no robot assigned"),
        ({"c1": ["amr_1"], "c2": ["drone_1"]}, "amr_1 lacks grasp"),
        ({"c1": ["drone_2"], "c2": ["drone_1"]}, "the load is 8 kg"),
        ({"c1": ["ghost"], "c2": ["drone_1"]}, "unknown robot 'ghost'"),
    ],
)
def test_bad_assignments_are_refused(warehouse, assignment, message):
    with pytest.raises(AssignmentError, match=message):
        Simulation(warehouse).run(box_to_dock(warehouse), assignment)


def test_one_robot_cannot_play_both_sides_of_a_handover(warehouse):
    plan = check_plan(warehouse, Plan(subtasks=[
        Subtask(id="a", skill="pick", args={"object": "small_parcel", "place": "high_rack"}),
        Subtask(id="b", skill="handover", args={"object": "small_parcel", "place": "transfer_zone"}, dependencies=["a"]),
    ]))
    with pytest.raises(AssignmentError, match="two roles"):
        Simulation(warehouse).run(plan, {"c1": ["drone_1"], "c2": ["drone_1"]})
