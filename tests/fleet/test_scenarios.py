"""Seeded scenarios: the same seed gives the same instance, every instance is a valid plan for its world."""

from __future__ import annotations

import pytest
import yaml

from fleet.errors import FleetError
from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import Simulation
from fleet.validate import validate_plan, spread_assignment


@pytest.mark.parametrize("robots, subtasks", [(3, 8), (12, 60)])
def test_a_scenario_is_a_valid_plan_that_reaches_its_goal(robots, subtasks):
    scenario = generate(ScenarioSpec(robots=robots, subtasks=subtasks, seed=5, heavy_fraction=0.3))
    assert len(scenario.world.robots) == robots
    assert len(scenario.plan.subtasks) >= subtasks
    assert {r.kind for r in scenario.world.robots} == set(scenario.world.robot_kinds)  # mixed kinds
    validate_plan(scenario.world, scenario.plan, goal=scenario.goal_literals())
    result = Simulation(scenario.world).run(scenario.plan, spread_assignment(scenario.world, scenario.plan), scenario.goal_literals())
    assert result.succeeded


def test_same_seed_same_scenario_other_seed_another():
    spec = ScenarioSpec(robots=6, subtasks=20, seed=11)
    assert generate(spec) == generate(spec)
    assert generate(spec.model_copy(update={"seed": 12})).plan != generate(spec).plan


def test_dependencies_and_coalitions_come_from_the_spec():
    loose = generate(ScenarioSpec(robots=8, subtasks=40, seed=2, dependency_probability=0.0, heavy_fraction=0.0))
    tight = generate(ScenarioSpec(robots=8, subtasks=40, seed=2, dependency_probability=1.0, heavy_fraction=1.0))

    def waits(scenario) -> int:  # a job's first step waiting on another job (a second step "jNb" waits on "jNa")
        return sum(1 for t in scenario.plan.subtasks if t.dependencies and not t.id.endswith("b"))

    def teams(scenario) -> int:
        return sum(1 for t in scenario.plan.subtasks if t.coalition_size > 1)

    assert waits(loose) == 0 and waits(tight) > 10
    assert teams(loose) == 0 and teams(tight) > 10


def test_a_world_where_nothing_can_be_carried_or_inspected_is_refused(tmp_path, warehouse_data):
    for kind in warehouse_data["robot_kinds"].values():
        kind["capabilities"] = ["navigate"]
    path = tmp_path / "idle.yaml"
    path.write_text(yaml.safe_dump(warehouse_data))
    with pytest.raises(FleetError, match="no robot kind can carry or inspect anything"):
        generate(ScenarioSpec(world=str(path), robots=3, subtasks=4))


def test_unknown_world_is_a_clear_error():
    with pytest.raises(FleetError, match="nowhere"):
        generate(ScenarioSpec(world="nowhere"))


def test_a_charge_range_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="battery_range must be two fractions"):
        ScenarioSpec(battery_range=(0.8, 1.5))
    with pytest.raises(ValueError, match="battery_range"):
        ScenarioSpec(battery_range=(0.9, 0.5))
