"""The exact reference: a known optimum by hand, and never worse than what any policy achieves."""

from __future__ import annotations

import pytest

from fleet.errors import FleetError
from fleet.plan import Plan, Subtask
from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import Simulation
from fleet.validate import check_plan
from fleet.world import world_from_dict
from policies.base import make_policy
from policies.reference import ReferenceStatus, best_makespan


def test_one_robot_two_inspections_in_the_best_order(warehouse_data):
    warehouse_data["robots"] = [{"name": "manip_2", "kind": "mobile_manipulator", "start": "shelf_b"}]
    warehouse_data["objects"] = [
        {"name": "gauge_a", "type": "gauge", "location": "shelf_a", "pickable": False, "states": {"inspected": False}},
        {"name": "gauge_b", "type": "gauge", "location": "shelf_b", "pickable": False, "states": {"inspected": False}},
    ]
    world = world_from_dict(warehouse_data)
    plan = check_plan(world, Plan(subtasks=[
        Subtask(id="a", skill="inspect", args={"target": "gauge_a", "place": "shelf_a"}),
        Subtask(id="b", skill="inspect", args={"target": "gauge_b", "place": "shelf_b"}),
    ]))
    reference = best_makespan(world, plan)
    # inspect here first (5 s), drive 6 m at 1 m/s, inspect there (5 s); the other order takes 22 s
    assert reference.status == ReferenceStatus.OPTIMAL
    assert reference.makespan_s == pytest.approx(16.0)
    assert reference.schedule["c2"][1] == pytest.approx(0.0) and reference.schedule["c1"][2] == pytest.approx(16.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_policy_beats_the_proven_optimum(seed):
    scenario = generate(ScenarioSpec(robots=4, subtasks=10, seed=seed, heavy_fraction=0.3))
    reference = best_makespan(scenario.world, scenario.plan, time_limit_s=20)
    assert reference.status == ReferenceStatus.OPTIMAL
    for name in ("greedy", "optimal", "auction"):
        policy = make_policy(name)
        result = Simulation(scenario.world).dispatch(
            scenario.plan, lambda q, v: policy.assign(scenario.world, q, v), scenario.goal_literals()
        )
        assert result.succeeded and result.charges == 0
        assert result.makespan_s >= reference.makespan_s - 0.05, f"{name} beat the optimum: the model is wrong"


def test_plans_the_model_does_not_cover_are_refused(warehouse):
    plan = check_plan(warehouse, Plan(subtasks=[
        Subtask(id="a", skill="pick", args={"object": "small_parcel", "place": "high_rack"}),
        Subtask(id="b", skill="handover", args={"object": "small_parcel", "place": "transfer_zone"}, dependencies=["a"]),
    ]))
    with pytest.raises(FleetError, match="one robot role per subtask"):
        best_makespan(warehouse, plan)
