"""Plans: a DAG of subtasks with robot roles, same-robot chains and coalitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from pydantic import BaseModel, ConfigDict, Field

from fleet.literals import Literal, When
from fleet.skills import SkillSpec
from fleet.world import RUNTIME_FLUENTS, STATIC_SIGNATURES, World

if TYPE_CHECKING:  # the state module needs nothing from here; plans only simulate on it
    from fleet.state import WorldState


class Role(BaseModel):
    """A robot parameter of a subtask, to be played by one robot or a coalition of them."""

    model_config = ConfigDict(extra="forbid")

    param: str  # the skill's robot parameter, e.g. "robot", "giver"
    capabilities: list[str] = []  # every capability the robot needs across its chain
    coalition_size: int = 1  # robots that must act together (a load heavier than one robot's payload)
    load_kg: float = 0.0  # heaviest thing the chain carries: the team's payloads must add up to it
    chain: str = ""  # same-robot chain: every role in a chain is played by the same robot(s)
    robot: Optional[str] = None  # pinned robot, when the mission or plan names one


class Subtask(BaseModel):
    """One step of a plan: a skill with its arguments, its robot roles and its dependencies."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    skill: str
    args: dict[str, str] = {}  # object and place parameters; a robot parameter here pins that robot
    dependencies: list[str] = []
    roles: list[Role] = []  # filled in when the plan is resolved against a world
    place: Optional[str] = None  # where it runs; robots travel there first
    duration_s: float = 0.0  # expected execution time at the place, without travel

    @property
    def coalition_size(self) -> int:
        return max((r.coalition_size for r in self.roles), default=1)

    @property
    def capability(self) -> Optional[str]:
        """The first role's main capability (a convenience for tables)."""
        return self.roles[0].capabilities[0] if self.roles and self.roles[0].capabilities else None

    def describe(self) -> str:
        args = ", ".join(f"{v}" for v in self.args.values())
        return f"{self.id} {self.skill}({args})"


class Plan(BaseModel):
    """A partial-order plan: subtasks whose dependencies form a DAG."""

    model_config = ConfigDict(extra="forbid")

    goal: list[str] = []
    subtasks: list[Subtask] = []

    def by_id(self) -> dict[str, Subtask]:
        return {s.id: s for s in self.subtasks}

    def chains(self) -> dict[str, list[tuple[str, str]]]:
        """Chain id to its (subtask id, robot parameter) members, in plan order."""
        chains: dict[str, list[tuple[str, str]]] = {}
        for subtask in self.subtasks:
            for role in subtask.roles:
                chains.setdefault(role.chain, []).append((subtask.id, role.param))
        return chains

    def to_json_dict(self) -> dict:
        """The plan as plain data, with the convenience fields tables and clients read."""
        data = self.model_dump()
        for raw, subtask in zip(data["subtasks"], self.subtasks):
            raw["capability"] = subtask.capability
            raw["coalition_size"] = subtask.coalition_size
        return data


def done_by(world: World, plan: Plan, robot: str) -> Plan:
    """The plan with every one-robot step pinned to this robot ("have moss take the cheese ...").
    Steps that need two robots at once (a handover) keep their choice of partner. Validate the
    result: a robot that cannot do a step is refused there, with what it lacks."""
    subtasks = []
    for subtask in plan.subtasks:
        params = world.skills_by_name[subtask.skill].robot_params if subtask.skill in world.skills_by_name else []
        args = dict(subtask.args)
        if len(params) == 1:
            args[params[0]] = robot
        subtasks.append(subtask.model_copy(update={"args": args, "roles": []}))
    return plan.model_copy(update={"subtasks": subtasks})


# ---- graph helpers ------------------------------------------------------------------------------
def topological_order(plan: Plan) -> Optional[list[str]]:
    """Subtask ids in an order that respects dependencies (stable by plan order); None on a cycle."""
    index = {s.id: i for i, s in enumerate(plan.subtasks)}
    indegree = {s.id: 0 for s in plan.subtasks}
    children: dict[str, list[str]] = {s.id: [] for s in plan.subtasks}
    for subtask in plan.subtasks:
        for dep in subtask.dependencies:
            indegree[subtask.id] += 1
            children[dep].append(subtask.id)
    ready = sorted((sid for sid, d in indegree.items() if d == 0), key=index.__getitem__)
    order: list[str] = []
    while ready:
        current = ready.pop(0)
        order.append(current)
        for child in children[current]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
                ready.sort(key=index.__getitem__)
    return order if len(order) == len(plan.subtasks) else None


def ancestor_sets(plan: Plan, order: list[str]) -> dict[str, set[str]]:
    """For each subtask, every subtask that must finish before it (transitively)."""
    by_id = plan.by_id()
    ancestors: dict[str, set[str]] = {}
    for sid in order:
        found: set[str] = set()
        for dep in by_id[sid].dependencies:
            found.add(dep)
            found |= ancestors[dep]
        ancestors[sid] = found
    return ancestors


def transitive_reduction(edges: dict[int, set[int]], count: int) -> dict[int, set[int]]:
    """Drop dependencies implied by others; nodes are numbered in a topological order."""
    reach: list[set[int]] = [set() for _ in range(count)]
    reduced: dict[int, set[int]] = {j: set() for j in range(count)}
    for j in range(count):
        for i in sorted(edges.get(j, ()), reverse=True):
            if i not in reach[j]:
                reduced[j].add(i)
                reach[j] |= reach[i] | {i}
    return reduced


# ---- from a sequential plan to a DAG -------------------------------------------------------------
def bound_literals(skill: SkillSpec, binding: dict[str, str]) -> tuple[list[Literal], list[Literal]]:
    """Preconditions (every literal, any-branches included) and effects, bound to names."""
    return (
        [lit.bind(binding) for lit in skill.precondition_literals],
        [lit.bind(binding) for lit in skill.effect_literals],
    )


def step_atoms(world: World, skill: SkillSpec, binding: dict[str, str], state: WorldState) -> tuple[set, set]:
    """The facts a step reads and writes, for ordering, in the state it runs from (then applied to it).

    Conditional effects read their condition for every object that could match (so a step that
    puts something in the bowl stays ordered with the step that carries the bowl) and write what
    they do in this state: whatever the order of the steps that touch none of what they read.
    """
    pre, eff = bound_literals(skill, binding)
    reads = interfering_atoms(pre)
    fired = []
    for when in skill.conditional_effects:
        reads |= interfering_atoms(_possible_conditions(world, when, binding))
        fired += [e.bind(match) for match in state.matches(when, binding) for e in when.effects]
    state.apply_skill(skill, binding)
    return reads, interfering_atoms(eff + fired)


def _possible_conditions(world: World, when: When, binding: dict[str, str]) -> list[Literal]:
    """A conditional effect's condition for every object its static tests (is_a, has_state) allow."""
    candidates = {var: world.passing(world.objects_by_name, when.condition, var) for var in when.variables}
    bindings = [dict(binding)]
    for var, names in candidates.items():
        bindings = [{**b, var: name} for b in bindings for name in names]
    return [lit.bind(b) for b in bindings for lit in when.condition if lit.predicate not in STATIC_SIGNATURES]


def interfering_atoms(literals: list[Literal]) -> set[tuple[str, ...]]:
    """Atoms that order matters for: everything but statics and the fluents the runtime keeps."""
    return {
        lit.atom
        for lit in literals
        if lit.predicate not in RUNTIME_FLUENTS and lit.predicate not in STATIC_SIGNATURES
    }


def interferes(pre_a: set, eff_a: set, pre_b: set, eff_b: set) -> bool:
    """Two steps interfere when one changes a fact the other reads or changes."""
    return bool(eff_a & (pre_b | eff_b)) or bool(pre_a & eff_b)


def _final_moves(world: World, goal: list[Literal]) -> list[tuple[SkillSpec, dict[str, str]]]:
    """A last move of each robot a `robot_at` goal names to its place (after everything else it does)."""
    wanted = [lit for lit in goal if lit.predicate == "robot_at" and not lit.negated]
    mover = next(
        (s for s in world.skill_list if s.plannable and any(e.predicate == "robot_at" and not e.negated for e in s.effect_literals)),
        None,
    )
    if not wanted or mover is None:
        return []
    arrive = next(e for e in mover.effect_literals if e.predicate == "robot_at" and not e.negated)
    moves = []
    for lit in wanted:
        robot, place = lit.args
        binding = {name: (robot if spec.kind == "robot" else place) for name, spec in mover.parameters.items()}
        binding[arrive.args[0]], binding[arrive.args[1]] = robot, place
        moves.append((mover, binding))
    return moves


def dag_from_sequence(
    world: World, steps: list[tuple[str, dict[str, str]]], goal: list[Literal], state: WorldState
) -> Plan:
    """Turn a valid sequential plan into a partial order that keeps every interfering pair in order.

    Steps that only move robots (navigate) are dropped, since robots travel to each subtask by
    themselves; a `robot_at` goal becomes a last move of that robot, after every other step.
    Robot arguments become roles; the plan is resolved (chains, coalitions) by
    `fleet.validate.resolve_plan`.
    """
    kept: list[tuple[SkillSpec, dict[str, str]]] = []
    for skill_name, binding in steps:
        skill = world.skills_by_name[skill_name]
        _, effects = bound_literals(skill, binding)
        if interfering_atoms(effects):  # pure moves go: robots travel to each subtask by themselves
            kept.append((skill, binding))
    finals = _final_moves(world, goal)
    kept += finals  # a robot_at goal: that robot's last trip

    reads, writes = [], []
    current = state.copy()
    for skill, binding in kept:
        read, written = step_atoms(world, skill, binding, current)
        reads.append(read)
        writes.append(written)
    edges: dict[int, set[int]] = {j: set() for j in range(len(kept))}
    for j in range(len(kept)):
        for i in range(j):
            if interferes(reads[i], writes[i], reads[j], writes[j]) or (j >= len(kept) - len(finals) > i):
                edges[j].add(i)
    reduced = transitive_reduction(edges, len(kept))

    # a goal naming a robot keeps that robot; `any robot` leaves the choice to dispatch
    pinned_goal_robots = {lit.args[0] for lit in goal if lit.predicate in ("robot_at", "holding") and not lit.quantified}
    subtasks = []
    for j, (skill, binding) in enumerate(kept):
        args = {
            name: value
            for name, value in binding.items()
            if skill.parameters[name].kind != "robot" or value in pinned_goal_robots
        }
        subtasks.append(
            Subtask(id=f"s{j + 1}", skill=skill.name, args=args, dependencies=[f"s{i + 1}" for i in sorted(reduced[j])])
        )
    return Plan(goal=[str(g) for g in goal], subtasks=subtasks)
