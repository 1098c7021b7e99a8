"""Seeded random allocation scenarios: a world's places and skills, a mixed fleet, and a DAG of transport jobs.

A scenario keeps a base world's places, robot kinds and skills, replaces its robots with N
robots of mixed kinds at random places, and its objects with one object per job. Jobs are
drawn from what the fleet can do: carry a loose object (pick then place), lift a pallet, crate
or cart (lift then lower), or inspect something. Some loads are heavier than one robot can
carry, so their chains need a coalition. Each job may wait on an earlier job (its first
subtask depends on that job's last), which makes the plan a dependency DAG.

    python -c "from fleet.scenarios import ScenarioSpec, generate; s = generate(ScenarioSpec(robots=5, subtasks=12, seed=1)); print(len(s.plan.subtasks))"
"""

from __future__ import annotations

import random
from typing import Optional

from pydantic import BaseModel, Field, model_validator

from fleet.errors import FleetError
from fleet.literals import Literal
from fleet.plan import Plan, Subtask
from fleet.validate import PlanValidationError, resolve_plan
from fleet.world import World, load_world, world_from_dict


class ScenarioSpec(BaseModel):
    """What to generate; the same spec always gives the same scenario."""

    world: str = "warehouse"  # a bundled world name or a YAML path: places, kinds and skills
    robots: int = Field(default=5, ge=1)
    subtasks: int = Field(default=12, ge=1)  # at least this many; a job adds one or two
    seed: int = 0
    dependency_probability: float = Field(default=0.4, ge=0, le=1)  # a job waits on an earlier one
    heavy_fraction: float = Field(default=0.15, ge=0, le=1)  # jobs whose load needs a coalition
    battery_range: tuple[float, float] = (1.0, 1.0)  # robots start with a charge drawn from this range
    keep_fleet: bool = False  # keep the world's own robots (names, places, charge) instead of `robots` new ones

    @model_validator(mode="after")
    def _charge_is_a_fraction(self) -> "ScenarioSpec":
        low, high = self.battery_range
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"battery_range must be two fractions, low to high, within 0..1; got {self.battery_range}")
        return self


class Scenario(BaseModel):
    """A generated instance: the world, the resolved plan and the goal that its jobs reach."""

    spec: ScenarioSpec
    world: World
    plan: Plan
    goal: list[str]

    def goal_literals(self) -> list[Literal]:
        from fleet.goals import parse_goal

        return parse_goal(self.world, self.goal)


class _Job(BaseModel):
    """One kind of job the fleet can do in a world: which skills, for which robot kind, what it moves."""

    first: str  # skill that takes the object (or inspects it)
    second: Optional[str]  # skill that puts it down; None for a one-step job
    kind: str  # robot kind that does it
    object_type: str
    sources: list[str]
    targets: list[str]
    mass: tuple[float, float]  # what one robot of the kind carries
    heavy_mass: Optional[tuple[float, float]]  # needs two robots of the kind; None when not possible
    state: Optional[str] = None  # the flag an inspection sets


def _reachable(world: World, kind: str, place_kinds: Optional[set[str]] = None) -> list[str]:
    caps = set(world.robot_kinds[kind].capabilities)
    return [
        p.name
        for p in world.places
        if set(p.requires) <= caps and p.kind != "charger" and (place_kinds is None or p.kind in place_kinds)
    ]


def _object_types(world: World, skill: str) -> list[str]:
    spec = world.skills_by_name[skill].parameters
    for param in spec.values():
        if param.kind == "object":
            return list(param.types or [])
    return []


def _jobs(world: World) -> list[_Job]:
    """The job kinds this world's skills and robot kinds allow."""
    jobs: list[_Job] = []
    for kind_name, kind in world.robot_kinds.items():
        caps = set(kind.capabilities)
        places = _reachable(world, kind_name)
        if len(places) < 2 or kind.payload <= 0:
            continue
        teams = min(sum(1 for r in world.robots if r.kind == kind_name), world.max_coalition) >= 2
        heavy = (kind.payload * 1.1, kind.payload * 1.9)
        if "lift" in caps and {"lift", "lower"} <= set(world.skills_by_name):
            types = _object_types(world, "lift") or ["pallet"]
            jobs.append(_Job(first="lift", second="lower", kind=kind_name, object_type=types[0], sources=places,
                             targets=places, mass=(kind.payload * 0.2, kind.payload * 0.9), heavy_mass=heavy if teams else None))
        if "grasp" in caps and {"pick", "place"} <= set(world.skills_by_name):
            jobs.append(_Job(first="pick", second="place", kind=kind_name, object_type="box", sources=places,
                             targets=places, mass=(kind.payload * 0.2, kind.payload * 0.9), heavy_mass=heavy if teams else None))
        if "inspect" in caps and "inspect" in world.skills_by_name:
            jobs.append(_Job(first="inspect", second=None, kind=kind_name, object_type="equipment", sources=places,
                             targets=[], mass=(1.0, 5.0), heavy_mass=None, state="inspected"))
    if not jobs:
        raise FleetError(f"world {world.name!r}: no robot kind can carry or inspect anything, so no jobs can be made")
    return jobs


def generate(spec: ScenarioSpec) -> Scenario:
    """A seeded random scenario; raises FleetError if the world cannot host one."""
    rng = random.Random(spec.seed)
    base = load_world(spec.world)
    kinds = sorted(base.robot_kinds)
    raw = base.model_dump(mode="json", exclude_none=True)
    # every kind gets at least two robots when there is room, so coalitions are possible
    fleet_kinds = [kinds[i % len(kinds)] for i in range(min(spec.robots, 2 * len(kinds)))]
    fleet_kinds += [rng.choice(kinds) for _ in range(spec.robots - len(fleet_kinds))]
    low, high = spec.battery_range
    raw["robots"] = raw["robots"] if spec.keep_fleet else [
        {
            "name": f"{kind}_{i + 1}",
            "kind": kind,
            "start": rng.choice(_reachable(base, kind)),
            "battery_level": round(rng.uniform(low, high), 3),
        }
        for i, kind in enumerate(fleet_kinds)
    ]
    staffed = world_from_dict({**raw, "objects": []}, source=f"scenario {spec.seed}")
    job_kinds = _jobs(staffed)

    objects, subtasks, goal = [], [], []
    last_of_job: list[str] = []
    while len(subtasks) < spec.subtasks:
        index = len(last_of_job)
        job = rng.choice(job_kinds)
        heavy = job.heavy_mass is not None and rng.random() < spec.heavy_fraction
        mass = round(rng.uniform(*(job.heavy_mass if heavy else job.mass)), 1)
        name = f"{job.object_type}_{index + 1}"
        source = rng.choice(job.sources)
        waits = [last_of_job[rng.randrange(max(0, index - 10), index)]] if index and rng.random() < spec.dependency_probability else []
        if job.second is None:
            objects.append({"name": name, "type": job.object_type, "location": source, "mass": mass,
                            "pickable": False, "states": {job.state: False}})
            subtasks.append(Subtask(id=f"j{index + 1}", skill=job.first, args={"target": name, "place": source}, dependencies=waits))
            goal.append(f"{job.state}({name})")
            last_of_job.append(f"j{index + 1}")
            continue
        target = rng.choice([t for t in job.targets if t != source])
        objects.append({"name": name, "type": job.object_type, "location": source, "mass": mass})
        subtasks.append(Subtask(id=f"j{index + 1}a", skill=job.first, args={"object": name, "place": source}, dependencies=waits))
        subtasks.append(
            Subtask(id=f"j{index + 1}b", skill=job.second, args={"object": name, "place": target}, dependencies=[f"j{index + 1}a"])
        )
        goal.append(f"at({name}, {target})")
        last_of_job.append(f"j{index + 1}b")

    world = world_from_dict({**raw, "objects": objects}, source=f"scenario {spec.seed}")
    plan, issues = resolve_plan(world, Plan(goal=goal, subtasks=subtasks))
    if issues:
        raise PlanValidationError(issues)
    return Scenario(spec=spec, world=world, plan=plan, goal=goal)
