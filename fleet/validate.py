"""Plan validation: schema, names, acyclicity, fleet capabilities, payloads, and symbolic execution."""

from __future__ import annotations

import re
from enum import Enum
from typing import Optional

from pydantic import BaseModel

from fleet.errors import FleetError
from fleet.literals import Literal
from fleet.plan import Plan, Role, Subtask, ancestor_sets, interferes, step_atoms, topological_order
from fleet.staffing import find_deadlock, hoist
from fleet.state import WorldState
from fleet.world import World

_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


class PlanIssueKind(str, Enum):
    """What is wrong with a plan."""

    SCHEMA = "schema"  # a subtask field is missing, malformed or duplicated
    UNKNOWN_SKILL = "unknown_skill"  # the skill does not exist in this world
    BAD_ARGUMENT = "bad_argument"  # an argument is missing, unknown, or names the wrong kind of thing
    UNKNOWN_DEPENDENCY = "unknown_dependency"  # a dependency names no subtask of the plan
    CYCLE = "cycle"  # the dependencies loop
    NO_CAPABLE_ROBOT = "no_capable_robot"  # no robot in the fleet has what a role needs
    PAYLOAD = "payload"  # no allowed team of capable robots can carry the load
    ORDER = "order"  # two subtasks that may run in either order touch the same fact
    PRECONDITION = "precondition"  # a precondition does not hold when the subtask runs
    GOAL_NOT_REACHED = "goal_not_reached"  # the goal does not hold after the whole plan
    DEADLOCK = "deadlock"  # some dispatch order lets chains hold every robot that waiting work needs


class PlanIssue(BaseModel):
    """One problem in a plan, with the subtask it concerns and what to do about it."""

    kind: PlanIssueKind
    subtask: Optional[str] = None
    message: str

    def __str__(self) -> str:
        where = f"subtask {self.subtask}: " if self.subtask else ""
        return f"[{self.kind.value}] {where}{self.message}"


class PlanValidationError(FleetError):
    """A plan failed validation; `issues` holds every problem found."""

    def __init__(self, issues: list[PlanIssue]):
        self.issues = issues
        super().__init__("invalid plan:\n" + "\n".join(f"  {issue}" for issue in issues))

    @property
    def kinds(self) -> set[PlanIssueKind]:
        return {issue.kind for issue in self.issues}


# ---- schema and names -----------------------------------------------------------------------------
def _check_schema(world: World, plan: Plan) -> list[PlanIssue]:
    issues: list[PlanIssue] = []
    if not plan.subtasks:
        issues.append(PlanIssue(kind=PlanIssueKind.SCHEMA, message="the plan has no subtasks"))
    seen: set[str] = set()
    for subtask in plan.subtasks:
        if not _ID.match(subtask.id):
            issues.append(PlanIssue(kind=PlanIssueKind.SCHEMA, subtask=subtask.id, message="ids use letters, digits and _.:- only"))
        if subtask.id in seen:
            issues.append(PlanIssue(kind=PlanIssueKind.SCHEMA, subtask=subtask.id, message="this id is used twice"))
        seen.add(subtask.id)
    for subtask in plan.subtasks:
        for dep in subtask.dependencies:
            if dep == subtask.id:
                issues.append(PlanIssue(kind=PlanIssueKind.CYCLE, subtask=subtask.id, message="depends on itself"))
            elif dep not in seen:
                issues.append(
                    PlanIssue(kind=PlanIssueKind.UNKNOWN_DEPENDENCY, subtask=subtask.id, message=f"depends on {dep!r}, which is not in the plan")
                )
        issues.extend(_check_arguments(world, subtask))
    return issues


def _check_arguments(world: World, subtask: Subtask) -> list[PlanIssue]:
    skill = world.skills_by_name.get(subtask.skill)
    if skill is None:
        known = ", ".join(s.name for s in world.skill_list if s.plannable)
        return [PlanIssue(kind=PlanIssueKind.UNKNOWN_SKILL, subtask=subtask.id, message=f"no skill {subtask.skill!r}; skills: {known}")]
    issues = []

    def bad(message: str) -> None:
        issues.append(PlanIssue(kind=PlanIssueKind.BAD_ARGUMENT, subtask=subtask.id, message=f"{skill.name}: {message}"))

    for name in subtask.args:
        if name not in skill.parameters:
            bad(f"unknown argument {name!r}; it takes {', '.join(skill.parameters)}")
    for name, spec in skill.parameters.items():
        value = subtask.args.get(name)
        if value is None:
            if spec.kind != "robot":
                bad(f"missing argument {name!r} (a {spec.kind})")
            continue
        actual = world.kind_of_name(value)
        if actual is None:
            bad(f"{name}={value!r}: {world.name} has no {spec.kind} of that name")
        elif actual != spec.kind:
            bad(f"{name}={value!r} is a {actual}, expected a {spec.kind}")
        elif spec.kind != "robot" and value not in world.param_domain(skill, name):
            # robots are checked per chain, where every capability they need is known
            bad(f"{name}={value!r} does not fit {_spec_text(spec)}")
    return issues


def _spec_text(spec) -> str:
    parts = [spec.kind]
    for field in ("types", "place_kinds", "pickable", "receptacle", "has_state", "capability"):
        value = getattr(spec, field)
        if value is not None:
            parts.append(f"{field}={value}")
    return " with ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 else parts[0]


# ---- roles, chains and coalitions ----------------------------------------------------------------
def _infer_chains(world: World, plan: Plan, order: list[str], state: WorldState) -> dict[tuple[str, str], str]:
    """Group robot roles into same-robot chains: whoever picks a thing up carries it to its next use.

    A role that needs holding(robot, X) joins the chain of the latest earlier subtask that made
    some robot hold X. Returns (subtask id, robot parameter) -> chain id; a chain that starts from
    an object a robot already holds is named after that robot.
    """
    by_id = plan.by_id()
    ancestors = ancestor_sets(plan, order)
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(node: tuple[str, str]) -> tuple[str, str]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    holders_at_start = {fact[2]: fact[1] for fact in state.facts if fact[0] == "holding"}
    pinned_root: dict[tuple[str, str], str] = {}
    gives: dict[str, list[tuple[str, str, str]]] = {}  # object -> [(subtask, param)] that acquire it
    position = {sid: i for i, sid in enumerate(order)}
    for sid in order:
        subtask = by_id[sid]
        skill = world.skills_by_name[subtask.skill]
        for param in skill.robot_params:
            parent[(sid, param)] = (sid, param)
        for lit in skill.precondition_literals:
            if lit.predicate != "holding" or lit.negated:
                continue
            robot_param, obj_param = lit.args
            obj = subtask.args.get(obj_param)
            sources = [s for s in gives.get(obj, []) if s[0] in ancestors[sid]]
            if sources:
                latest = max(sources, key=lambda s: position[s[0]])
                a, b = find((sid, robot_param)), find((latest[0], latest[1]))
                parent[a] = b
            elif obj in holders_at_start:
                pinned_root[(sid, robot_param)] = holders_at_start[obj]
        for param in skill.robot_params:
            for obj_param in skill.carried_by(param):
                gives.setdefault(subtask.args.get(obj_param, ""), []).append((sid, param))

    chain_ids: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], str] = {}
    for sid in order:
        for param in world.skills_by_name[by_id[sid].skill].robot_params:
            root = find((sid, param))
            if root not in names:
                names[root] = f"c{len(names) + 1}"
            chain_ids[(sid, param)] = names[root]
    for node, robot in pinned_root.items():
        chain_ids[node] = names[find(node)]
        for sid, subtask in by_id.items():
            for role_param in world.skills_by_name[subtask.skill].robot_params:
                if chain_ids.get((sid, role_param)) == chain_ids[node]:
                    subtask.args.setdefault(role_param, robot)
    return chain_ids


def _chain_needs(world: World, members: list[tuple[Subtask, str]]) -> tuple[set[str], float, Optional[str]]:
    """Capabilities, heaviest carried mass, and pinned robot of a chain."""
    capabilities: set[str] = set()
    heaviest = 0.0
    pinned: Optional[str] = None
    for subtask, param in members:
        skill = world.skills_by_name[subtask.skill]
        capabilities.add(skill.capability_of(param))
        for name, spec in skill.parameters.items():
            if spec.kind == "place" and name in subtask.args:
                capabilities.update(world.places_by_name[subtask.args[name]].requires)
        for obj_param in skill.carried_by(param):
            heaviest = max(heaviest, world.objects_by_name[subtask.args[obj_param]].mass)
        pinned = subtask.args.get(param, pinned)
    return capabilities, heaviest, pinned


def capable_robots(world: World, capabilities: set[str], pinned: Optional[str] = None) -> list[str]:
    """Robots whose kind has every capability (just the pinned one, if any)."""
    names = [pinned] if pinned else [r.name for r in world.robots]
    return [n for n in names if n in world.robots_by_name and capabilities <= set(world.kind_of(n).capabilities)]


def coalition_size(world: World, candidates: list[str], mass: float, pinned: Optional[str] = None) -> Optional[int]:
    """Fewest robots from the candidates whose payloads add up to the mass; None if impossible."""
    if mass <= 0:
        return 1
    payloads = sorted((world.kind_of(n).payload for n in candidates), reverse=True)
    if pinned:
        payloads = [world.kind_of(pinned).payload] + sorted(
            (world.kind_of(r.name).payload for r in world.robots if r.name != pinned and r.kind == world.robots_by_name[pinned].kind),
            reverse=True,
        )
    total = 0.0
    for count, payload in enumerate(payloads[: world.max_coalition], start=1):
        total += payload
        if total >= mass:
            return count
    return None


def resolve_plan(world: World, plan: Plan, state: Optional[WorldState] = None) -> tuple[Plan, list[PlanIssue]]:
    """Fill in roles, chains, coalitions, places and durations. Returns the plan and any issues.

    Dependencies that later steps of a chain have on other chains are moved to the chain's
    first steps (`fleet.staffing.hoist`), so that a chain never holds its robots while waiting
    for others; chains are inferred again after each move.
    """
    state = state or WorldState.initial(world)
    issues = _check_schema(world, plan)
    if issues:
        return plan, issues
    if topological_order(plan) is None:
        stuck = [s.id for s in plan.subtasks]
        return plan, [PlanIssue(kind=PlanIssueKind.CYCLE, message=f"the dependencies form a cycle among {', '.join(stuck)}")]
    plan = plan.model_copy(deep=True)
    for attempt in range(5):
        plan, issues = _resolve_roles(world, plan, state)
        if issues or attempt == 4 or hoist(plan) == 0:
            return plan, issues
    return plan, issues


def _resolve_roles(world: World, plan: Plan, state: WorldState) -> tuple[Plan, list[PlanIssue]]:
    """One pass of `resolve_plan` over an acyclic plan: chains, roles, coalitions, places and durations."""
    issues: list[PlanIssue] = []
    order = topological_order(plan)
    assert order is not None
    chain_ids = _infer_chains(world, plan, order, state)
    by_id = plan.by_id()
    members: dict[str, list[tuple[Subtask, str]]] = {}
    for (sid, param), chain in chain_ids.items():
        members.setdefault(chain, []).append((by_id[sid], param))
    chain_roles: dict[str, tuple[list[str], int, Optional[str], float]] = {}
    for chain, chain_members in members.items():
        capabilities, heaviest, pinned = _chain_needs(world, chain_members)
        first = chain_members[0][0]
        candidates = capable_robots(world, capabilities, pinned)
        if not candidates:
            needed = ", ".join(sorted(capabilities))
            if pinned and pinned in world.robots_by_name:
                missing = ", ".join(sorted(capabilities - set(world.kind_of(pinned).capabilities)))
                why = f"{pinned} lacks {missing}"
            else:
                why = "no robot in the fleet has all of them"
            issues.append(
                PlanIssue(
                    kind=PlanIssueKind.NO_CAPABLE_ROBOT,
                    subtask=first.id,
                    message=f"{first.describe()} needs a robot with {needed}; {why}",
                )
            )
            chain_roles[chain] = (sorted(capabilities), 1, pinned, heaviest)
            continue
        size = coalition_size(world, candidates, heaviest, pinned)
        if size is None:
            best = sum(sorted((world.kind_of(n).payload for n in candidates), reverse=True)[: world.max_coalition])
            issues.append(
                PlanIssue(
                    kind=PlanIssueKind.PAYLOAD,
                    subtask=first.id,
                    message=f"{first.describe()} carries {heaviest:g} kg; the largest allowed team of capable robots "
                    f"carries {best:g} kg (max_coalition {world.max_coalition})",
                )
            )
            size = 1
        chain_roles[chain] = (sorted(capabilities), size, pinned, heaviest)
    for subtask in plan.subtasks:
        skill = world.skills_by_name[subtask.skill]
        roles = []
        for param in skill.robot_params:
            chain = chain_ids[(subtask.id, param)]
            capabilities, size, pinned, load = chain_roles[chain]
            roles.append(
                Role(param=param, capabilities=capabilities, coalition_size=size, load_kg=load, chain=chain, robot=pinned)
            )
        subtask.roles = roles
        subtask.place = subtask.args.get(skill.place) if skill.place else None
        carried = [world.objects_by_name[subtask.args[o]].mass for p in skill.robot_params for o in skill.carried_by(p)]
        subtask.duration_s = skill.duration_s + skill.duration_per_kg_s * sum(carried)
    return plan, issues


# ---- symbolic execution ---------------------------------------------------------------------------
def role_binding(subtask: Subtask) -> dict[str, str]:
    """Arguments with each robot role bound to its pinned robot or to a token for its chain."""
    binding = dict(subtask.args)
    for role in subtask.roles:
        binding[role.param] = role.robot or f"@{role.chain}"
    return binding


def _check_order(world: World, plan: Plan, order: list[str], state: WorldState) -> list[PlanIssue]:
    by_id = plan.by_id()
    ancestors = ancestor_sets(plan, order)
    touched = {}
    current = state.copy()
    for sid in order:
        subtask = by_id[sid]
        touched[sid] = step_atoms(world, world.skills_by_name[subtask.skill], role_binding(subtask), current)
    issues = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if a in ancestors[b] or b in ancestors[a]:
                continue
            (pre_a, eff_a), (pre_b, eff_b) = touched[a], touched[b]
            if interferes(pre_a, eff_a, pre_b, eff_b):
                shared = (eff_a & (pre_b | eff_b)) | (pre_a & eff_b)
                facts = ", ".join(sorted(f"{f[0]}({', '.join(f[1:])})" for f in shared))
                issues.append(
                    PlanIssue(
                        kind=PlanIssueKind.ORDER,
                        subtask=b,
                        message=f"{by_id[a].describe()} and {by_id[b].describe()} may run in either order but both "
                        f"touch {facts}; add a dependency between them",
                    )
                )
    return issues


def simulate_symbolically(
    world: World, plan: Plan, order: list[str], state: WorldState
) -> tuple[WorldState, list[PlanIssue]]:
    """Run the plan's effects in one dependency order, checking each precondition on the way."""
    by_id = plan.by_id()
    state = state.copy()
    issues = []
    for sid in order:
        subtask = by_id[sid]
        skill = world.skills_by_name[subtask.skill]
        binding = role_binding(subtask)
        if subtask.place:
            for role in subtask.roles:
                state.move_robot(binding[role.param], subtask.place)
        unmet = state.blockers(skill, binding)
        if unmet:
            issues.append(
                PlanIssue(
                    kind=PlanIssueKind.PRECONDITION,
                    subtask=sid,
                    message=f"{subtask.describe()}: {'; '.join(unmet)} does not hold when it runs; "
                    "add the subtask that makes it true, or a dependency on it",
                )
            )
        state.apply_skill(skill, binding)
    return state, issues


def validate_plan(
    world: World, plan: Plan, goal: Optional[list[Literal]] = None, state: Optional[WorldState] = None
) -> tuple[Plan, list[PlanIssue]]:
    """Resolve the plan and check everything; returns the resolved plan and every issue found."""
    state = state or WorldState.initial(world)
    plan, issues = resolve_plan(world, plan, state)
    if any(i.kind not in (PlanIssueKind.NO_CAPABLE_ROBOT, PlanIssueKind.PAYLOAD) for i in issues):
        return plan, issues
    order = topological_order(plan)
    assert order is not None  # resolve_plan reported cycles
    issues += _check_order(world, plan, order, state)
    final, precondition_issues = simulate_symbolically(world, plan, order, state)
    issues += precondition_issues
    for literal in goal or []:
        if not final.holds(literal):
            issues.append(PlanIssue(kind=PlanIssueKind.GOAL_NOT_REACHED, message=f"{literal} does not hold after the plan"))
    if not issues:
        holders = {fact[1] for fact in state.facts if fact[0] == "holding"}
        deadlock = find_deadlock(world, plan, holders)
        if deadlock is not None:
            issues.append(PlanIssue(kind=PlanIssueKind.DEADLOCK, subtask=deadlock.stuck[0] if deadlock.stuck else None, message=deadlock.message))
    return plan, issues


def check_plan(
    world: World, plan: Plan, goal: Optional[list[Literal]] = None, state: Optional[WorldState] = None
) -> Plan:
    """Validate and return the resolved plan, or raise PlanValidationError listing every issue."""
    plan, issues = validate_plan(world, plan, goal, state)
    if issues:
        raise PlanValidationError(issues)
    return plan


def spread_assignment(world: World, plan: Plan) -> dict[str, list[str]]:
    """A feasible robot team per chain, spreading chains over capable robots in turn.

    A plain witness that the plan can be staffed, for the simulation demo and tests; the
    `policies` package chooses assignments by cost.
    """
    load: dict[str, int] = {r.name: 0 for r in world.robots}
    by_id = plan.by_id()
    assignment: dict[str, list[str]] = {}
    for chain, members in plan.chains().items():
        role = next(r for r in by_id[members[0][0]].roles if r.param == members[0][1])
        candidates = capable_robots(world, set(role.capabilities))
        # the pinned robot first, then robots that can carry the load alone, least busy first
        candidates.sort(
            key=lambda n: (n != role.robot, world.kind_of(n).payload < role.load_kg, load[n], -world.kind_of(n).payload, n)
        )
        team: list[str] = []
        for robot in candidates:
            if team and sum(world.kind_of(r).payload for r in team) >= role.load_kg:
                break
            if role.load_kg > 0 and world.kind_of(robot).payload == 0:
                continue
            team.append(robot)
        for robot in team:
            load[robot] += 1
        assignment[chain] = team
    return assignment
