"""Classical planning: compile a world and its skills into unified-planning, solve with Fast Downward.

Each skill costs its duration (in tenths of a second, at least one), and Fast Downward searches
for a cheap plan (weighted A* on LAMA's heuristics; `optimal=True` runs A* with LM-cut, which
proves the cheapest). The sequential plan is then made minimal (`minimize_steps`): a step is
dropped, with every later step that no longer applies, whenever the goal still holds without
it, so nothing is parked, switched or picked up again that the goal does not need.

In a world of many things most play no part in a goal. The task is first grounded with only the
pickable things the goal may need (`relevant_things`) open to actions, which is several times
quicker in a fifty-thing kitchen; where that finds no plan, the whole task is solved instead.
"""

from __future__ import annotations

from typing import Optional, Union

from fleet import downward
from fleet.errors import PlanningError
from fleet.goals import parse_goal
from fleet.literals import NAMED_SECOND_ARGUMENT, AllOf, AnyOf, Condition, Literal, When
from fleet.plan import Plan, dag_from_sequence
from fleet.skills import SkillSpec
from fleet.state import WorldState
from fleet.validate import PlanValidationError, check_plan
from fleet.world import FLUENT_SIGNATURES, World

# unified-planning names share one namespace, so each kind of name gets its own prefix
_UP_TYPES = {"robot": "t_robot", "place": "t_place", "object": "t_object"}
# Weighted A* with LAMA's heuristics on real costs (the default `lama-first` ignores costs).
# Fast Downward's wrapper splits the options at white space: none inside.
_COST_SEARCH = (
    "let(hlm,eval_modify_costs(landmark_sum(lm_factory=lm_reasonable_orders_hps(lm_rhw()),pref=false),cost_type=plusone),"
    "let(hff,eval_modify_costs(ff(),cost_type=plusone),"
    "lazy_wastar([hff,hlm],preferred=[hff,hlm],w=3,reopen_closed=false)))"
)


def tidy_goals(world: World, goal: list[Literal], state: WorldState) -> list[Literal]:
    """The world's tidy states (`tidy: [open, switched_on]`) as they are now, for every object the goal does not mention.

    A user who says "put the milk in the fridge" expects the fridge closed afterwards; a goal that
    speaks of a state of a thing (`open(fridge)`, `open(all cabinet)`) decides it instead.
    """
    mentioned: set[tuple[str, str]] = set()
    for literal in goal:
        for instance in world.instances(literal) if literal.quantified else [literal]:
            if instance.args:
                mentioned.add((instance.predicate, instance.args[0]))
    kept = []
    for state_name in world.tidy:
        for obj in world.objects:
            if state_name in obj.states and (state_name, obj.name) not in mentioned:
                now = (state_name, obj.name) in state.facts
                kept.append(Literal(state_name, (obj.name,), negated=not now))
    return kept


def _can_fire(world: World, skill: SkillSpec, when: When) -> bool:
    """Whether some binding could meet a conditional effect's static tests (is_a, has_state) and
    put something `in` a receptacle; one that never can only makes the planner's task bigger."""

    def values(name: str) -> list[str]:
        return world.param_domain(skill, name) if name in skill.parameters else list(world.objects_by_name)

    # a thing the skill holds or picks up is one a robot can hold: pickable, or held from the start
    held = {lit.args[1] for lit in skill.precondition_literals + skill.effect_literals if lit.predicate == "holding" and not lit.negated}

    def can_hold_things(name: str) -> bool:
        for value in values(name):
            thing = world.objects_by_name.get(value)
            if thing is not None and thing.receptacle and (name not in held or thing.pickable or thing.location in world.robots_by_name):
                return True
        return False

    for literal in when.condition:
        subject = literal.args[0]
        if literal.predicate in NAMED_SECOND_ARGUMENT:
            if not world.passing(values(subject), [literal], subject):
                return False
        elif literal.predicate == "in" and not literal.negated and not can_hold_things(literal.args[1]):
            return False
    return True


def action_cost(skill: SkillSpec) -> int:
    """A skill's cost for the planner: its duration in tenths of a second, at least one."""
    return max(1, round(skill.duration_s * 10))


_HOLDER_ACTION = "__holder"  # the action of a skill acting on a thing that can hold others


class _Compiler:
    """Builds one unified-planning problem for a world, a state and a goal."""

    def __init__(self, world: World, movable: Optional[set[str]] = None):
        import unified_planning.shortcuts as up

        self.up = up
        self.world = world
        self.movable = movable  # the pickable things actions may take as parameters (None: every one)
        self.types = {kind: up.UserType(name) for kind, name in _UP_TYPES.items()}
        self.objects: dict[str, object] = {}
        self.fluents: dict[str, object] = {}
        self.costs: dict[object, object] = {}  # action -> its cost
        self.conditional = False  # whether an action has conditional effects (LM-cut cannot take them)
        self.problem = up.Problem(world.name)

    def fluent(self, name: str, kinds: tuple[str, ...]):
        if name not in self.fluents:
            params = {f"a{i}": self.types[k] for i, k in enumerate(kinds)}
            fluent = self.up.Fluent(f"f_{name}", self.up.BoolType(), **params)
            self.fluents[name] = fluent
            self.problem.add_fluent(fluent, default_initial_value=False)
        return self.fluents[name]

    def declare(self, state: WorldState) -> None:
        w = self.world
        for kind, names in (
            ("robot", [r.name for r in w.robots]),
            ("place", [p.name for p in w.places]),
            ("object", [o.name for o in w.objects]),
        ):
            for name in names:
                self.objects[name] = self.up.Object(f"o_{name}", self.types[kind])
                self.problem.add_object(self.objects[name])
        for name, kinds in FLUENT_SIGNATURES.items():
            self.fluent(name, kinds)
        for state_name in w.state_names:
            self.fluent(state_name, ("object",))
        for fact in sorted(state.facts):  # sorted: the same input gives the same plan
            if fact[0] in self.fluents and all(a in self.objects for a in fact[1:]):
                self.problem.set_initial_value(self.fluents[fact[0]](*(self.objects[a] for a in fact[1:])), True)
        # static facts, precomputed: the planner only sees which ground facts are true
        can_reach = self.fluent("can_reach", ("robot", "place"))
        can_carry = self.fluent("can_carry", ("robot", "object"))
        for robot in w.robots:
            for place in w.places:
                if w.can_reach(robot.name, place.name):
                    self.problem.set_initial_value(can_reach(self.objects[robot.name], self.objects[place.name]), True)
            for obj in w.objects:
                if w.can_carry(robot.name, obj.name):
                    self.problem.set_initial_value(can_carry(self.objects[robot.name], self.objects[obj.name]), True)
        for state_name in w.state_names:
            has = self.fluent(f"has_state__{state_name}", ("object",))
            for obj in w.objects:
                if state_name in obj.states:
                    self.problem.set_initial_value(has(self.objects[obj.name]), True)
        categories = {
            lit.args[1]
            for skill in w.skill_list
            for lit in skill.precondition_literals + skill.conditional_literals
            if lit.predicate == "is_a"
        }
        for category in sorted(categories):
            member = self.fluent(f"is_a__{category}", ("object",))
            for obj in w.objects:
                if category in w.categories_of(obj.name):
                    self.problem.set_initial_value(member(self.objects[obj.name]), True)

    def add_skill(self, skill: SkillSpec) -> None:
        """One action for the skill; two where its effects on what a thing holds need only be
        grounded for the things that can hold something (a bowl, not a spoon): the planner's
        task stays small in worlds with many things."""
        whens = [when for when in skill.conditional_effects if _can_fire(self.world, skill, when)]
        holders = {
            lit.args[1] for when in whens for lit in when.condition if lit.predicate == "in" and not lit.negated and lit.args[1] in skill.parameters
        }
        if len(holders) == 1:
            (param,) = holders
            domain = self.world.param_domain(skill, param)
            holding = [v for v in domain if v in self.world.objects_by_name and self.world.objects_by_name[v].receptacle]
            others = [v for v in domain if v not in holding]
            if holding and others:
                own = [w for w in whens if not any(lit.predicate == "in" and lit.args[1] == param for lit in w.condition)]
                self._add_action(skill, f"a_{skill.name}", own, {param: others})
                self._add_action(skill, f"a_{skill.name}{_HOLDER_ACTION}", whens, {param: holding})
                return
        self._add_action(skill, f"a_{skill.name}", whens, {})

    def _add_action(self, skill: SkillSpec, action_name: str, whens: list[When], domains: dict[str, list[str]]) -> None:
        up = self.up
        params = {name: self.types[spec.kind] for name, spec in skill.parameters.items()}
        action = up.InstantaneousAction(action_name, **params)
        for name, spec in skill.parameters.items():
            domain = self.fluent(f"domain__{action_name.removeprefix('a_')}__{name}", (spec.kind,))
            for value in domains.get(name) or self.world.param_domain(skill, name):
                if spec.kind == "object" and self.movable is not None and value not in self.movable and self.world.objects_by_name[value].pickable:
                    continue  # a thing the goal has no use for: no action picks it up, fills it, switches it
                self.problem.set_initial_value(domain(self.objects[value]), True)
            action.add_precondition(domain(action.parameter(name)))
        if len({n for n, s in skill.parameters.items() if s.kind == "robot"}) > 1:
            robots = [action.parameter(n) for n in skill.robot_params]
            for i, a in enumerate(robots):
                for b in robots[i + 1 :]:
                    action.add_precondition(up.Not(up.Equals(a, b)))
        moves_robots = any(e.predicate == "robot_at" for e in skill.effect_literals)
        for condition in skill.preconditions_parsed:
            if not moves_robots and isinstance(condition, Literal) and condition.predicate == "robot_at":
                continue  # robots travel to every subtask by themselves; can_reach guards where they go
            action.add_precondition(self.expression(condition, action))
        for effect in skill.effect_literals:
            action.add_effect(self.atom(effect, action), not effect.negated)
        for when in whens:  # only those that can fire: contents move only with what holds some
            self.conditional = True
            variables = {name: up.Variable(f"v_{name}", self.types["object"]) for name in when.variables}
            condition = up.And(*(self.expression(c, action, variables) for c in when.condition))
            for effect in when.effects:
                action.add_effect(self.atom(effect, action, variables), not effect.negated, condition, forall=list(variables.values()))
        self.problem.add_action(action)
        self.costs[action] = self.up.Int(action_cost(skill))

    def atom(self, literal: Literal, action=None, variables: Optional[dict] = None):
        """A literal's atom; names are the action's parameters, a conditional effect's variables, or objects."""
        if literal.predicate in NAMED_SECOND_ARGUMENT:  # has_state(x, open) is has_state__open(x)
            fluent = self.fluent(f"{literal.predicate}__{literal.args[1]}", ("object",))
            args = literal.args[:1]
        else:  # a state no object carries still gets a fluent, false everywhere
            fluent = self.fluent(literal.predicate, tuple("object" for _ in literal.args))
            args = literal.args
        variables = variables or {}
        values = [variables[a] if a in variables else action.parameter(a) if action is not None else self.objects[a] for a in args]
        return fluent(*values)

    def goal(self, literal: Literal):
        """A goal literal; a quantified one is the disjunction (any) or conjunction (all) of its instances."""
        if not literal.quantified:
            return self.expression(literal)
        atoms = [self.atom(instance) for instance in self.world.instances(literal)]
        inner = self.up.Or(*atoms) if literal.quantifier_kind == "any" else self.up.And(*atoms)
        return self.up.Not(inner) if literal.negated else inner

    def expression(self, condition: Condition, action=None, variables: Optional[dict] = None):
        up = self.up
        if isinstance(condition, Literal):
            atom = self.atom(condition, action, variables)
            return up.Not(atom) if condition.negated else atom
        if isinstance(condition, AnyOf):
            return up.Or(*(self.expression(c, action, variables) for c in condition.options))
        assert isinstance(condition, AllOf)
        return up.And(*(self.expression(c, action, variables) for c in condition.parts))


def plan_goal(
    world: World,
    goal: Union[str, list[str], list[Literal]],
    state: Optional[WorldState] = None,
    timeout_s: float = 60.0,
    optimal: bool = False,
    tidy: bool = True,
) -> Plan:
    """Plan a goal from a state (the world's initial state by default) into a validated DAG.

    With `tidy`, states the world lists under `tidy:` that the goal does not mention are left as
    they were (what the plan opens to reach something, it closes again; see `tidy_goals`).
    `optimal` proves the plan cheapest (slower; for measuring the default search against).
    Raises GoalError for a malformed goal, PlanningError when no plan exists or none was found
    in time, and PlanValidationError if the result does not check out (which would be a bug).
    """
    import unified_planning.shortcuts as up

    literals = goal if goal and isinstance(goal[0], Literal) else parse_goal(world, goal)  # type: ignore[arg-type]
    state = state or WorldState.initial(world)
    if all(state.holds(lit) for lit in literals):
        return Plan(goal=[str(g) for g in literals], subtasks=[])
    if tidy:
        literals = literals + tidy_goals(world, literals, state)
    blockers = [reason for lit in literals if not state.holds(lit) and (reason := _thing_reason(world, lit))]
    blockers += _crowded_receptacles(world, literals)
    if blockers:  # known without searching
        raise PlanningError(f"no plan reaches {', '.join(map(str, literals))}: " + "; ".join(blockers))
    up.get_environment().credits_stream = None
    downward.register()
    # most things of a big world play no part in a goal: a task where only the things it may
    # need can be acted on is far quicker to ground; where that finds no plan, or one that fails
    # a check (a chain that can deadlock), the whole task decides, so the small task never
    # refuses what the whole one would plan
    movable = None if optimal else relevant_things(world, literals, state)
    if movable is not None:
        try:
            return _planned(world, state, literals, _solve(world, state, literals, movable, optimal, timeout_s), timeout_s)
        except PlanningError:
            pass  # no plan, or one that does not check out: the whole task decides
    return _planned(world, state, literals, _solve(world, state, literals, None, optimal, timeout_s), timeout_s)


def _planned(world: World, state: WorldState, literals: list[Literal], result, timeout_s: float) -> Plan:
    """The validated DAG of one Fast Downward result; PlanningError where it has none or it fails a check."""
    from unified_planning.engines import PlanGenerationResultStatus as Status

    if result.status in (Status.UNSOLVABLE_PROVEN, Status.UNSOLVABLE_INCOMPLETELY):
        raise PlanningError(_unsolvable_reason(world, literals, state))
    if result.status == Status.TIMEOUT or result.plan is None:
        raise PlanningError(
            f"no plan found for {', '.join(map(str, literals))} within {timeout_s:g} s ({result.status.name.lower()})"
        )
    steps = [
        (
            step.action.name.removeprefix("a_").removesuffix(_HOLDER_ACTION),
            {p.name: str(v).removeprefix("o_") for p, v in zip(step.action.parameters, step.actual_parameters)},
        )
        for step in result.plan.actions
    ]
    steps = minimize_steps(world, steps, literals, state)
    overfilled = _overfilled_on_the_way(world, steps, state)
    if overfilled:  # the search does not count contents: refuse rather than overfill
        raise PlanningError(
            f"the plan found for {', '.join(map(str, literals))} overfills a receptacle: {overfilled}; "
            "take something out of it first, or raise its capacity in the world"
        )
    dag = dag_from_sequence(world, steps, literals, state)
    try:
        return check_plan(world, dag, literals, state)
    except PlanValidationError as err:
        raise PlanningError(f"the planner's plan did not validate, which is a bug: {err}") from err


def _solve(world: World, state: WorldState, literals: list[Literal], movable: Optional[set[str]], optimal: bool, timeout_s: float):
    """One Fast Downward run on the compiled task (only `movable` of the pickable things may be acted on)."""
    import unified_planning.shortcuts as up
    from unified_planning.engines import PlanGenerationResultStatus as Status

    compiler = _Compiler(world, movable)
    compiler.declare(state)
    for skill in world.usable_skills:
        compiler.add_skill(skill)
    for literal in literals:
        compiler.problem.add_goal(compiler.goal(literal))
    compiler.problem.add_quality_metric(up.MinimizeActionCosts(compiler.costs))
    if optimal:  # A* with LM-cut, or with h^max where actions have conditional effects
        engine = {"name": downward.OPTIMAL, "params": {"fast_downward_search_config": "astar(hmax())" if compiler.conditional else "astar(lmcut())"}}
    else:
        engine = {"name": downward.SATISFICING, "params": {"fast_downward_search_config": _COST_SEARCH}}
    with up.OneshotPlanner(**engine) as planner:
        result = planner.solve(compiler.problem, timeout=timeout_s)
    if result.status == Status.UNSOLVABLE_INCOMPLETELY and not optimal:
        # the cost search gave up without a proof: ask LAMA's first, cost-blind search before refusing
        with up.OneshotPlanner(name=downward.SATISFICING) as planner:
            result = planner.solve(compiler.problem, timeout=timeout_s)
    return result


def relevant_things(world: World, goal: list[Literal], state: WorldState) -> set[str]:
    """The pickable things a plan for the goal may need to act on: those the goal names (every
    instance of a quantified literal), what holds them, the things a robot holds now and every
    thing of a kind a skill tests for (a knife to slice with, a pan to cook in). Others stay
    where they are in any plan worth making."""
    named: set[str] = set()
    for literal in goal:
        for instance in world.instances(literal) if literal.quantified else [literal]:
            named |= {a for a in instance.args if a in world.objects_by_name}
    named |= {fact[2] for fact in state.facts if fact[0] == "holding"}
    kinds = {lit.args[1] for skill in world.skill_list for lit in skill.precondition_literals + skill.conditional_literals if lit.predicate == "is_a"}
    named |= {o.name for o in world.objects if o.pickable and kinds & world.categories_of(o.name)}
    pickable = {o.name for o in world.objects if o.pickable}
    for skill in world.usable_skills:  # what a skill holds and leaves as it was: the cloth to wipe with
        changed = {a for effect in skill.effect_literals for a in effect.args}
        held = {lit.args[1] for lit in skill.precondition_literals if lit.predicate == "holding" and not lit.negated}
        for param in held - changed:
            if param in skill.parameters and skill.parameters[param].kind == "object":
                domain = set(world.param_domain(skill, param)) & pickable
                named |= domain if domain != pickable else set()  # "any pickable thing" is no tool
    holder_of = state.holders()
    for thing in list(named):
        while thing in holder_of and holder_of[thing] not in named:  # the tin the biscuits are in
            thing = holder_of[thing]
            named.add(thing)
    return named


def _applies(world: World, state: WorldState, skill: SkillSpec, binding: dict[str, str]) -> bool:
    """Whether a step's preconditions hold, as the compiled problem states them (robots travel by themselves)."""
    moves_robots = any(e.predicate == "robot_at" for e in skill.effect_literals)
    conditions = [
        c
        for c in skill.preconditions_parsed
        if moves_robots or not (isinstance(c, Literal) and c.predicate == "robot_at")
    ]
    return not state.unmet(conditions, binding)


def _replay(
    world: World, steps: list[tuple[str, dict[str, str]]], state: WorldState, skip: int
) -> tuple[WorldState, list[tuple[str, dict[str, str]]]]:
    """Run the steps but one from a state, leaving out every step that no longer applies."""
    current = state.copy()
    kept = []
    for position, (name, binding) in enumerate(steps):
        skill = world.skills_by_name[name]
        if position == skip or not _applies(world, current, skill, binding):
            continue
        current.apply_skill(skill, binding)
        kept.append((name, binding))
    return current, kept


def minimize_steps(
    world: World, steps: list[tuple[str, dict[str, str]]], goal: list[Literal], state: WorldState
) -> list[tuple[str, dict[str, str]]]:
    """Greedy action elimination: drop any step (and what only it enabled) the goal does not need."""
    changed = True
    while changed:
        changed = False
        for skip in range(len(steps)):
            final, kept = _replay(world, steps, state, skip)
            if all(final.holds(lit) for lit in goal):
                steps, changed = kept, True
                break
    return steps


def plan_cost(world: World, plan: Plan) -> int:
    """A plan's cost as the planner counts it: the sum of its steps' action costs."""
    return sum(action_cost(world.skills_by_name[s.skill]) for s in plan.subtasks)


def _unsolvable_reason(world: World, goal: list[Literal], state: WorldState) -> str:
    """Explain an unsolvable goal as precisely as cheap checks allow."""
    reasons = []
    for literal in goal:
        if state.holds(literal):
            continue
        blocker = _thing_reason(world, literal)
        if blocker:
            reasons.append(blocker)
            continue
        achievers = [
            skill
            for skill in world.usable_skills
            if any(
                e.predicate == literal.predicate and e.negated == literal.negated
                for e in skill.possible_effects
            )
        ]
        if not achievers:
            reasons.append(f"no skill makes {literal} true")
            continue
        staffed = [
            skill
            for skill in achievers
            if all(any(skill.capability_of(p) in world.kind_of(r.name).capabilities for r in world.robots) for p in skill.robot_params)
        ]
        if not staffed:
            needed = sorted({skill.capability_of(p) for skill in achievers for p in skill.robot_params})
            reasons.append(
                f"{literal} needs {', '.join(s.name for s in achievers)}, and no robot has {' or '.join(needed)}"
            )
    if not reasons and len(goal) > 1:
        reasons = [f"{lit} cannot be reached from the current state" for lit in goal if not _solvable(world, [lit], state)]
        if not reasons:
            reasons.append("each part can be reached alone, but not all of them together")
    if not reasons:
        reasons.append("no sequence of the fleet's skills leads there from the current state")
    return f"no plan reaches {', '.join(map(str, goal))}: " + "; ".join(reasons)


def _thing_reason(world: World, literal: Literal) -> Optional[str]:
    """Why a literal about moving something cannot be reached, when the thing or place itself says so."""
    if literal.negated or literal.quantified:
        return None
    moved: Optional[str] = None
    target_place: Optional[str] = None
    if literal.predicate in ("at", "in"):
        moved = literal.args[0]
        destination = literal.args[1]
        if literal.predicate == "at":
            target_place = destination
        elif not world.objects_by_name[destination].pickable:  # a receptacle that can be carried has no fixed place
            target_place = world.place_of_object(destination)
    elif literal.predicate == "holding":
        moved = literal.args[1]
    elif literal.predicate == "robot_at":
        target_place = literal.args[1]
    if moved is not None and moved in world.objects_by_name:
        thing = world.objects_by_name[moved]
        carrier = world.objects_by_name.get(thing.location)
        if not thing.pickable and not (carrier is not None and carrier.pickable):  # or it rides in something carried
            return f"{literal} needs {moved} moved, and {moved} cannot be picked up (pickable: false)"
        if not any(world.can_carry(r.name, moved) for r in world.robots):
            best = max(world.team_payload(kind) for kind in {r.kind for r in world.robots})
            return (
                f"{literal} needs {moved} carried, and it weighs {thing.mass:g} kg: the largest team of one kind "
                f"carries {best:g} kg (max_coalition {world.max_coalition})"
            )
    if target_place is not None and target_place in world.places_by_name:
        if not any(world.can_reach(r.name, target_place) for r in world.robots):
            needs = ", ".join(world.places_by_name[target_place].requires)
            return f"{literal} needs a robot at {target_place}, and no robot can reach it (it requires {needs})"
    return None


def _crowded_receptacles(world: World, goal: list[Literal]) -> list[str]:
    """Receptacles the goal asks to hold more things than their capacity."""
    wanted: dict[str, set[str]] = {}
    for literal in goal:
        if literal.predicate == "in" and not literal.negated and not literal.quantified:
            wanted.setdefault(literal.args[1], set()).add(literal.args[0])
    return [
        f"the goal puts {len(things)} things in {receptacle} ({', '.join(sorted(things))}), which holds at most {capacity}"
        for receptacle, things in sorted(wanted.items())
        if (capacity := world.objects_by_name[receptacle].capacity) is not None and len(things) > capacity
    ]


def _overfilled_on_the_way(world: World, steps: list[tuple[str, dict[str, str]]], state: WorldState) -> str:
    """The first capacity a sequence of steps breaks, described ('' when none)."""
    if not world.has_capacities:
        return ""
    current = state.copy()
    for name, binding in steps:
        skill = world.skills_by_name[name]
        current.apply_skill(skill, binding)
        if current.overfull():
            return f"after {name}({', '.join(binding.values())}), " + "; ".join(current.overfull())
    return ""


def _solvable(world: World, goal: list[Literal], state: WorldState) -> bool:
    try:
        plan_goal(world, goal, state, timeout_s=20.0, tidy=False)  # the goal already carries its tidy part
        return True
    except PlanningError:
        return False
