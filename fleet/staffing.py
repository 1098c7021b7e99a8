"""Staffing: robots are the resource a plan's chains hold; plans and dispatch that cannot deadlock.

A same-robot chain (pick ... put_in) holds its team from the moment its first subtask starts until
its last one ends: a robot with something in its hand does nothing else. A plan deadlocks when
every robot that could do some waiting work is held by a chain that itself waits for that work
(three robots each holding one thing while nobody is free to open the fridge they go into).

How plans stay executable (the design; `fleet.validate.resolve_plan` applies it to every plan,
whether it comes from the classical planner, the language model or a user):

1. A started chain waits for nothing but its own steps. `hoist` moves every dependency that a
   later step of a chain has on another chain to the chain's first steps, so when a chain takes
   its robots, everything it needs from the others is already done. Such a chain always runs to
   its end and hands its robots back, whatever else runs; work that has not started only ever
   waits for robots to come free, and capable robots always do. This holds for any policy, any
   dispatch order the DAG allows, and across missions that share the robots.
2. Where that cannot be done, a chain "may wait" after it has started (`waits`): a step that two
   chains do together (a handover: the giver's chain waits for the receiver's to be staffed), or
   a later step that needs something done only after the chain started. For such plans the
   validator explores every dispatch order and every choice of team the DAG allows on the
   world's robots (`find_deadlock`) and rejects a plan that can end in a deadlock, naming the
   chains, the robots they hold and the work left waiting. Dispatch, in the simulation core and in
   the live coordinator alike, starts a chain that may wait only when the robots left free could
   still staff every chain it may wait for (`may_start`, the banker's rule).

Teams are chosen as the policies choose them: one robot, or robots of one kind whose payloads add
up to the load; a robot that holds something when the plan starts serves only the chain that
names it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

from pydantic import BaseModel

from fleet.plan import Plan, ancestor_sets, topological_order
from fleet.world import World


@dataclass(frozen=True)
class ChainNeeds:
    """What a chain asks of its team."""

    chain: str
    members: tuple[str, ...]  # subtask ids in plan order
    capabilities: frozenset[str]
    coalition_size: int
    load_kg: float
    robot: Optional[str]  # the robot the plan names, if any


def chain_needs(plan: Plan) -> dict[str, ChainNeeds]:
    """Each chain of a resolved plan with its members and what its team needs."""
    by_id = plan.by_id()
    needs: dict[str, ChainNeeds] = {}
    for chain, members in plan.chains().items():
        first, param = members[0]
        role = next(r for r in by_id[first].roles if r.param == param)
        needs[chain] = ChainNeeds(
            chain=chain,
            members=tuple(dict.fromkeys(sid for sid, _ in members)),
            capabilities=frozenset(role.capabilities),
            coalition_size=role.coalition_size,
            load_kg=role.load_kg,
            robot=role.robot,
        )
    return needs


def _roots(members: Iterable[str], ancestors: dict[str, set[str]]) -> list[str]:
    """The members of a chain that no other member of it precedes: where the chain may start."""
    member_set = set(members)
    return [m for m in members if not (ancestors[m] & member_set)]


def hoist(plan: Plan) -> int:
    """Move each later step's dependencies on other chains to its chain's first steps, in place.

    A dependency is not moved where that would make a cycle (the other work needs something the
    chain does first); `waits` reports what stays. Returns how many dependencies were added.
    """
    order = topological_order(plan)
    if order is None:
        return 0
    by_id = plan.by_id()
    ancestors = ancestor_sets(plan, order)
    added = 0
    for members in plan.chains().values():
        ids = list(dict.fromkeys(sid for sid, _ in members))
        member_set = set(ids)
        roots = _roots(ids, ancestors)
        for sid in ids:
            if sid in roots:
                continue
            for dep in list(by_id[sid].dependencies):
                if dep in member_set:
                    continue
                for root in roots:
                    if dep in ancestors[root] or root in ancestors[dep] or dep == root:
                        continue
                    by_id[root].dependencies.append(dep)
                    added += 1
                    order = topological_order(plan)
                    assert order is not None  # dep does not follow root, so no cycle
                    ancestors = ancestor_sets(plan, order)
                if all(dep in ancestors[root] for root in roots):  # implied now: keep the list short
                    by_id[sid].dependencies.remove(dep)
    return added


def waits(plan: Plan) -> dict[str, set[str]]:
    """For each chain, the other chains it may have to wait for once it has started."""
    order = topological_order(plan)
    if order is None:
        return {}
    by_id = plan.by_id()
    ancestors = ancestor_sets(plan, order)
    chain_of: dict[str, set[str]] = {}
    for chain, members in plan.chains().items():
        for sid, _ in members:
            chain_of.setdefault(sid, set()).add(chain)
    result: dict[str, set[str]] = {}
    for chain, members in plan.chains().items():
        ids = list(dict.fromkeys(sid for sid, _ in members))
        roots = _roots(ids, ancestors)
        waited: set[str] = set()
        for sid in ids:
            if sid in roots:
                continue
            for dep in by_id[sid].dependencies:
                if chain not in chain_of.get(dep, set()) and not all(dep in ancestors[r] for r in roots):
                    waited |= chain_of.get(dep, set()) - {chain}
            waited |= chain_of[sid] - {chain}  # a step done together with another chain
        result[chain] = waited
    return result


# ---- teams ----------------------------------------------------------------------------------------
def team_options(world: World, needs: ChainNeeds, free: list[str], reserved: dict[str, str]) -> list[tuple[str, ...]]:
    """Teams the free robots could give a chain: the named robot's, or one per capable robot kind.

    `reserved` maps a robot holding something to the chain that names it: it serves no other.
    """
    usable = [n for n in free if reserved.get(n) in (None, needs.chain)]
    if needs.robot is not None:
        if needs.robot not in usable:
            return []
        kind = world.robots_by_name[needs.robot].kind
        others = [n for n in usable if n != needs.robot and world.robots_by_name[n].kind == kind]
        count = _team_size(world, kind, needs)
        return [(needs.robot, *others[: count - 1])] if count is not None and count - 1 <= len(others) else []
    options = []
    for kind_name, kind in world.robot_kinds.items():
        if not needs.capabilities <= set(kind.capabilities):
            continue
        count = _team_size(world, kind_name, needs)
        candidates = sorted(n for n in usable if world.robots_by_name[n].kind == kind_name)
        if count is not None and len(candidates) >= count:
            options.append(tuple(candidates[:count]))
    return options


def _team_size(world: World, kind_name: str, needs: ChainNeeds) -> Optional[int]:
    payload = world.robot_kinds[kind_name].payload
    if needs.load_kg <= 0:
        count = needs.coalition_size
    elif payload <= 0:
        return None
    else:
        count = max(needs.coalition_size, math.ceil(needs.load_kg / payload - 1e-9))
    return count if count <= max(world.max_coalition, needs.coalition_size) else None


def reserved_robots(plan: Plan, holders: Iterable[str]) -> dict[str, str]:
    """Robots that hold something, each mapped to the chain that names it (or '' if none does)."""
    named = {needs.robot: chain for chain, needs in chain_needs(plan).items() if needs.robot}
    return {robot: named.get(robot, "") for robot in holders}


def may_start(
    world: World,
    chain_waits: set[str],
    needs: dict[str, ChainNeeds],
    team: Iterable[str],
    free: Iterable[str],
    started: Iterable[str],
) -> bool:
    """The banker's rule: start a chain that may wait only if the robots left free can staff what it waits for.

    `chain_waits` is `waits(plan)[chain]`; `free` are the robots free now (the team among them),
    `started` the chains of the plan that already have their robots.
    """
    pending = sorted(set(chain_waits) - set(started))
    if not pending:
        return True
    taken = set(team)
    left = [n for n in free if n not in taken]
    for chain in pending:
        options = team_options(world, needs[chain], left, {})
        if not options:
            return False
        left = [n for n in left if n not in options[0]]
    return True


# ---- deadlock search ------------------------------------------------------------------------------
class Deadlock(BaseModel):
    """A state the plan can be dispatched into from which no subtask can ever start."""

    held: dict[str, list[str]]  # chain -> the robots it holds
    stuck: list[str]  # subtasks that can never start
    message: str


_Running = tuple[tuple[str, tuple[str, ...]], ...]  # (chain, team), sorted by chain


def find_deadlock(
    world: World, plan: Plan, holders: Iterable[str] = (), budget: int = 20_000
) -> Optional[Deadlock]:
    """Search every dispatch order and team choice of a resolved plan for a deadlock; None if there is none.

    Plans whose chains never wait once started (see the module docstring) are safe without a
    search. Otherwise the states reachable by starting ready subtasks with any capable team are
    explored, at most `budget` of them (dispatch still applies `may_start` beyond that).
    """
    needs = chain_needs(plan)
    chain_waits = waits(plan)
    by_id = plan.by_id()
    joint = any(len({r.chain for r in s.roles}) > 1 for s in plan.subtasks)
    if not any(chain_waits.values()) and not joint:
        return None
    reserved = reserved_robots(plan, holders)
    robots = [r.name for r in world.robots]
    every = frozenset(by_id)
    seen: set[tuple[frozenset[str], _Running]] = set()
    stack: list[tuple[frozenset[str], _Running]] = [(frozenset(), ())]
    while stack:
        done, running = stack.pop()
        if (done, running) in seen:
            continue
        seen.add((done, running))
        if done == every:
            continue
        if len(seen) > budget:
            return None
        moves = list(_moves(world, plan, needs, reserved, robots, done, running))
        if not moves:
            return _describe(plan, needs, done, running)
        stack.extend(moves)
    return None


def _moves(
    world: World,
    plan: Plan,
    needs: dict[str, ChainNeeds],
    reserved: dict[str, str],
    robots: list[str],
    done: frozenset[str],
    running: _Running,
) -> Iterator[tuple[frozenset[str], _Running]]:
    """Every state one subtask further: a ready subtask run (whole) by its chains' teams."""
    teams = dict(running)
    busy = {n for team in teams.values() for n in team}
    free = [n for n in robots if n not in busy]
    for subtask in plan.subtasks:
        if subtask.id in done or not all(d in done for d in subtask.dependencies):
            continue
        fresh = [r.chain for r in subtask.roles if r.chain not in teams]
        choices = [team_options(world, needs[chain], free, reserved) for chain in fresh]
        for combo in itertools.product(*choices):
            picked = [n for team in combo for n in team]
            if len(set(picked)) != len(picked):
                continue
            after = done | {subtask.id}
            new = dict(teams)
            new.update(zip(fresh, combo))
            new = {c: t for c, t in new.items() if len(needs[c].members) > 1 and not set(needs[c].members) <= after}
            yield after, tuple(sorted(new.items()))


def _describe(plan: Plan, needs: dict[str, ChainNeeds], done: frozenset[str], running: _Running) -> Deadlock:
    by_id = plan.by_id()
    teams = dict(running)
    stuck = [s.id for s in plan.subtasks if s.id not in done and all(d in done for d in s.dependencies)]
    holding = [
        f"chain {chain} ({by_id[needs[chain].members[0]].describe()}) holds {', '.join(team)}"
        for chain, team in teams.items()
    ]
    waiting = []
    for sid in stuck:
        fresh = sorted({r.chain for r in by_id[sid].roles if r.chain not in teams})
        wanted = "; ".join(
            f"chain {c} needs {', '.join(sorted(needs[c].capabilities)) or 'a robot'}"
            + (f" x{needs[c].coalition_size}" if needs[c].coalition_size > 1 else "")
            for c in fresh
        )
        waiting.append(f"{by_id[sid].describe()} waits ({wanted or 'for its partner chain'})")
    message = (
        "the chains can be staffed into a deadlock: "
        + "; ".join(holding)
        + ", while "
        + ", ".join(waiting)
        + " and no robot is free for it"
    )
    return Deadlock(held={c: list(t) for c, t in teams.items()}, stuck=stuck, message=message)
