"""Best-known makespan for small allocation instances: an exact OR-Tools CP-SAT model, time-limited.

The model has the simulation core's rules: a chain is dispatched once its dependencies are
done and its whole team is free; each member then travels from where its previous chain left
it (at its kind's speed), the team begins when the last one arrives, and the chain's work
(skill time plus travel between its places) follows. Each robot's chains form a sequence
(a circuit constraint with travel between consecutive chains). Charging is not modelled:
use it on instances whose robots never need to charge (the benchmark checks that).

    python -c "from fleet.scenarios import *; from policies.reference import best_makespan; s = generate(ScenarioSpec(robots=3, subtasks=8)); print(best_makespan(s.world, s.plan))"
"""

from __future__ import annotations

import itertools
from enum import Enum

from ortools.sat.python import cp_model
from pydantic import BaseModel

from fleet.errors import FleetError
from fleet.plan import Plan
from fleet.world import World

_SCALE = 100  # model time unit: centiseconds


class ReferenceStatus(str, Enum):
    """How good the reference is."""

    OPTIMAL = "optimal"  # proven best
    FEASIBLE = "best found"  # the best the time limit allowed; `bound_s` is a proven lower bound
    UNKNOWN = "unknown"  # no schedule found in the time limit


class Reference(BaseModel):
    """The best-known makespan of an instance and how it was found."""

    makespan_s: float | None
    bound_s: float
    status: ReferenceStatus
    solve_s: float
    schedule: dict[str, tuple[list[str], float, float]] = {}  # chain -> (team, work begins, ends)


class _Chain(BaseModel):
    name: str
    first: str  # first place ("" when it has none)
    last: str
    work_s: dict[str, float]  # per robot kind: skill time plus travel along the chain
    teams: list[tuple[str, ...]]
    depends_on: list[str]


def _chains(world: World, plan: Plan) -> list[_Chain]:
    """The plan as chain-level jobs; raises FleetError for plans the model does not cover."""
    by_id = plan.by_id()
    chain_of: dict[str, str] = {}
    for subtask in plan.subtasks:
        if len(subtask.roles) != 1:
            raise FleetError(f"the reference model needs one robot role per subtask; {subtask.describe()} has {len(subtask.roles)}")
        chain_of[subtask.id] = subtask.roles[0].chain
    chains = []
    for name, members in plan.chains().items():
        steps = [by_id[sid] for sid, _ in members]
        role = steps[0].roles[0]
        for step in steps[1:]:
            outside = [d for d in step.dependencies if chain_of[d] != name]
            if outside:
                raise FleetError(f"the reference model needs chains that wait only at their start; {step.id} waits on {outside}")
        places = [s.place for s in steps if s.place]
        capable = [r for r in world.robots if set(role.capabilities) <= set(world.robot_kinds[r.kind].capabilities)]
        if role.robot:
            capable = [r for r in capable if r.kind == world.robots_by_name[role.robot].kind]
        teams: list[tuple[str, ...]] = []
        work: dict[str, float] = {}
        for kind in sorted({r.kind for r in capable}):
            spec = world.robot_kinds[kind]
            of_kind = [r.name for r in capable if r.kind == kind]
            metres = sum(world.distance(a, b) for a, b in zip(places, places[1:]))
            work[kind] = sum(s.duration_s for s in steps) + metres / spec.speed
            for size in range(max(role.coalition_size, 1), min(len(of_kind), world.max_coalition) + 1):
                if size * spec.payload >= role.load_kg:
                    teams += [t for t in itertools.combinations(of_kind, size) if not role.robot or role.robot in t]
                    break  # the smallest team that carries the load: bigger ones only cost robots
        if not teams:
            raise FleetError(f"chain {name} ({steps[0].describe()}) has no team that can do it")
        chains.append(
            _Chain(
                name=name,
                first=places[0] if places else "",
                last=places[-1] if places else "",
                work_s=work,
                teams=teams,
                depends_on=sorted({chain_of[d] for d in steps[0].dependencies}),
            )
        )
    return chains


def best_makespan(world: World, plan: Plan, time_limit_s: float = 10.0, workers: int = 2) -> Reference:
    """Solve the instance's makespan exactly (or as well as the time limit allows)."""
    chains = _chains(world, plan)
    starts = {r.name: r.start for r in world.robots}

    def ticks(seconds: float) -> int:
        return int(round(seconds * _SCALE))

    def travel(robot: str, a: str, b: str) -> int:
        return ticks(world.distance(a, b) / world.kind_of(robot).speed) if a and b else 0

    longest_trip = max((travel(r, a.name, b.name) for r in starts for a in world.places for b in world.places), default=0)
    horizon = sum(ticks(max(c.work_s.values())) + longest_trip for c in chains) + 1

    model = cp_model.CpModel()
    dispatch = {c.name: model.NewIntVar(0, horizon, f"dispatch_{c.name}") for c in chains}
    begin = {c.name: model.NewIntVar(0, horizon, f"begin_{c.name}") for c in chains}
    end = {c.name: model.NewIntVar(0, horizon, f"end_{c.name}") for c in chains}
    serves: dict[tuple[str, str], list] = {}  # (robot, chain) -> team literals that include it
    choices: dict[str, list] = {}
    for chain in chains:
        options = choices[chain.name] = [model.NewBoolVar(f"team_{chain.name}_{i}") for i in range(len(chain.teams))]
        model.AddExactlyOne(options)
        for team, chosen in zip(chain.teams, options):
            kind = world.robots_by_name[team[0]].kind
            model.Add(end[chain.name] == begin[chain.name] + ticks(chain.work_s[kind])).OnlyEnforceIf(chosen)
            for robot in team:
                serves.setdefault((robot, chain.name), []).append(chosen)
        model.Add(begin[chain.name] >= dispatch[chain.name])
        for dep in chain.depends_on:
            model.Add(dispatch[chain.name] >= end[dep])

    by_name = {c.name: c for c in chains}
    for robot in starts:
        mine = [c for c in chains if (robot, c.name) in serves]
        if not mine:
            continue
        arcs = []
        used = model.NewBoolVar(f"used_{robot}")
        arcs.append((0, 0, used.Not()))
        for i, chain in enumerate(mine, start=1):
            takes = model.NewBoolVar(f"takes_{robot}_{chain.name}")
            model.Add(takes == sum(serves[(robot, chain.name)]))
            model.AddImplication(takes, used)
            arcs.append((i, i, takes.Not()))
            first = model.NewBoolVar(f"first_{robot}_{chain.name}")
            arcs.append((0, i, first))
            model.Add(begin[chain.name] >= dispatch[chain.name] + travel(robot, starts[robot], chain.first)).OnlyEnforceIf(first)
            arcs.append((i, 0, model.NewBoolVar(f"last_{robot}_{chain.name}")))
            for k, after in enumerate(mine, start=1):
                if after is chain:
                    continue
                then = model.NewBoolVar(f"then_{robot}_{chain.name}_{after.name}")
                arcs.append((i, k, then))
                model.Add(dispatch[after.name] >= end[chain.name]).OnlyEnforceIf(then)
                trip = travel(robot, by_name[chain.name].last, after.first)
                model.Add(begin[after.name] >= dispatch[after.name] + trip).OnlyEnforceIf(then)
        model.AddCircuit(arcs)

    makespan = model.NewIntVar(0, horizon, "makespan")
    model.AddMaxEquality(makespan, list(end.values()))
    model.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    outcome = solver.Solve(model)
    status = {cp_model.OPTIMAL: ReferenceStatus.OPTIMAL, cp_model.FEASIBLE: ReferenceStatus.FEASIBLE}.get(
        outcome, ReferenceStatus.UNKNOWN
    )
    found = status != ReferenceStatus.UNKNOWN
    schedule = {}
    if found:
        for chain in chains:
            team = next(t for t, chosen in zip(chain.teams, choices[chain.name]) if solver.BooleanValue(chosen))
            schedule[chain.name] = (list(team), solver.Value(begin[chain.name]) / _SCALE, solver.Value(end[chain.name]) / _SCALE)
    return Reference(
        schedule=schedule,
        makespan_s=solver.ObjectiveValue() / _SCALE if found else None,
        bound_s=solver.BestObjectiveBound() / _SCALE,
        status=status,
        solve_s=solver.WallTime(),
    )
