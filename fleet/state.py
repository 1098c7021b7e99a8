"""Symbolic world state: a set of true facts, condition checks and effect application."""

from __future__ import annotations

from typing import Iterable, Optional

from fleet.literals import AnyOf, Condition, Literal, When
from fleet.skills import SkillSpec
from fleet.world import RUNTIME_FLUENTS, STATIC_SIGNATURES, World

Fact = tuple[str, ...]


class WorldState:
    """The true fluent facts of a world at one moment; static facts are read from the world."""

    def __init__(self, world: World, facts: Iterable[Fact]):
        self.world = world
        self.facts: set[Fact] = set(facts)

    @classmethod
    def initial(cls, world: World) -> "WorldState":
        """The state the world file describes."""
        facts: set[Fact] = set()
        holders = {o.location for o in world.objects if o.location in world.robots_by_name}
        for robot in world.robots:
            facts.add(("robot_at", robot.name, robot.start))
            if robot.name not in holders:
                facts.add(("free", robot.name))
        for obj in world.objects:
            if obj.location in world.robots_by_name:
                facts.add(("holding", obj.location, obj.name))
            else:
                if obj.location in world.objects_by_name:
                    facts.add(("in", obj.name, obj.location))
                    facts.add(("contained", obj.name))
                place = world.place_of_object(obj.name)
                if place is not None:
                    facts.add(("at", obj.name, place))
            for state, value in obj.states.items():
                if value:
                    facts.add((state, obj.name))
        return cls(world, facts)

    def copy(self) -> "WorldState":
        return WorldState(self.world, self.facts)

    def with_facts(self, literals: list[Literal]) -> "WorldState":
        """A copy in which each ground literal holds (a mission's own starting state).

        A thing put somewhere (`in`, `at`, `holding`) leaves where it was and takes what is in it
        along; a robot placed somewhere leaves where it stood; a state is set or cleared.
        """
        state = self.copy()
        for literal in literals:
            subject = literal.args[0]
            if literal.negated:
                state.facts.discard(literal.atom)
                if literal.predicate == "in":
                    state.facts.discard(("contained", subject))
            elif literal.predicate == "robot_at":
                state.move_robot(subject, literal.args[1])
            elif literal.predicate in ("at", "in", "holding"):
                thing = literal.args[1] if literal.predicate == "holding" else subject
                state.facts = {f for f in state.facts if not _locates(f, thing)}
                state.facts.add(literal.atom)
                if literal.predicate == "holding":
                    state.facts.discard(("free", subject))
                if literal.predicate == "in":
                    state.facts.add(("contained", thing))
                    place = state.object_place(literal.args[1])
                    if place is not None:
                        state.facts.add(("at", thing, place))
                place = state.object_place(thing) if literal.predicate != "holding" else None
                for item in [f[1] for f in state.facts if f[0] == "in" and f[2] == thing]:  # its contents come along
                    state.facts = {f for f in state.facts if not (f[0] == "at" and f[1] == item)}
                    if place is not None:
                        state.facts.add(("at", item, place))
            else:
                state.facts.add(literal.atom)
        return state

    def holds(self, literal: Literal) -> bool:
        """Truth of a ground literal. Static facts about robot roles (not yet bound) count as true."""
        if literal.predicate in STATIC_SIGNATURES:
            if literal.predicate in ("can_reach", "can_carry") and literal.args[0] not in self.world.robots_by_name:
                value = True  # a role, checked by plan validation when robots are chosen
            else:
                value = self.world.static_holds(literal.predicate, literal.args)
        elif literal.quantified:  # any: one instance holds; all: every one does
            tokens = {f[1] for f in self.facts if f[1].startswith("@")}
            found = [i.atom in self.facts for i in self.world.instances(literal, tokens)]
            value = any(found) if literal.quantifier_kind == "any" else all(found)
        else:
            value = literal.atom in self.facts
        return value != literal.negated

    def satisfies(self, condition: Condition, binding: dict[str, str]) -> bool:
        """Whether a skill condition holds with parameters bound to names."""
        if isinstance(condition, Literal):
            return self.holds(condition.bind(binding))
        if isinstance(condition, AnyOf):
            return any(self.satisfies(c, binding) for c in condition.options)
        return all(self.satisfies(c, binding) for c in condition.parts)

    def unmet(self, conditions: list[Condition], binding: dict[str, str]) -> list[str]:
        """The conditions that do not hold, written out with names."""
        return [_render(c, binding) for c in conditions if not self.satisfies(c, binding)]

    def blockers(self, skill: SkillSpec, binding: dict[str, str]) -> list[str]:
        """Why one execution of a skill cannot run here: its unmet preconditions (robot positions
        and readiness are the runtime's to check), or a receptacle it would fill past its capacity."""
        checked = [c for c in skill.preconditions_parsed if not (isinstance(c, Literal) and c.predicate in RUNTIME_FLUENTS)]
        unmet = self.unmet(checked, binding)
        if unmet or not self.world.has_capacities:
            return unmet
        after = self.copy()
        after.apply_skill(skill, binding)
        before = self.contents()
        return [
            f"{receptacle} holds at most {capacity} things and would hold {len(things)} ({', '.join(sorted(things))})"
            for receptacle, things in after.contents().items()
            if (capacity := self.world.objects_by_name[receptacle].capacity) is not None
            and len(things) > capacity
            and len(things) > len(before.get(receptacle, ()))
        ]

    def holders(self) -> dict[str, str]:
        """What each thing is directly in or on now."""
        return {fact[1]: fact[2] for fact in self.facts if fact[0] == "in"}

    def contents(self) -> dict[str, set[str]]:
        """What is directly in or on each receptacle."""
        found: dict[str, set[str]] = {}
        for fact in self.facts:
            if fact[0] == "in":
                found.setdefault(fact[2], set()).add(fact[1])
        return found

    def overfull(self) -> list[str]:
        """Receptacles that hold more than their capacity, described."""
        return [
            f"{receptacle} holds {len(things)} things ({', '.join(sorted(things))}), more than its capacity {capacity}"
            for receptacle, things in sorted(self.contents().items())
            if (capacity := self.world.objects_by_name[receptacle].capacity) is not None and len(things) > capacity
        ]

    def apply_skill(self, skill: SkillSpec, binding: dict[str, str]) -> None:
        """Apply one execution of a skill: its effects, and its conditional effects wherever their
        condition holds in the state before it (what is in the bowl moves with the bowl)."""
        effects = list(skill.effect_literals)
        for when in skill.conditional_effects:
            for extra in self.matches(when, binding):
                effects += [e.bind(extra) for e in when.effects]
        self.apply(effects, binding)

    def matches(self, when: When, binding: dict[str, str]) -> list[dict[str, str]]:
        """Every binding of a conditional effect's variables to objects under which its condition holds."""
        variables = set(when.variables)
        bound: set[str] = set()
        partial = [dict(binding)]
        pending = list(when.condition)

        def unbound(lit: Literal) -> set[str]:
            return {a for a in lit.args if a in variables and a not in bound}

        while pending and partial:
            lit = next((c for c in pending if not unbound(c)), None)
            if lit is not None:  # fully bound: keep the bindings under which it holds
                partial = [b for b in partial if self.holds(lit.bind(b))]
            else:
                lit = next((c for c in pending if not c.negated and c.predicate not in STATIC_SIGNATURES), None)
                if lit is None:  # only tests left that cannot find candidates: try every object
                    var = sorted(unbound(pending[0]))[0]
                    partial = [{**b, var: name} for b in partial for name in self.world.objects_by_name]
                    bound.add(var)
                    continue
                partial = [found for b in partial for found in self._unify(lit, b, variables)]
                bound |= unbound(lit)
            pending.remove(lit)
        for var in sorted(variables - bound):  # a variable no condition mentions ranges over every object
            partial = [{**b, var: name} for b in partial for name in self.world.objects_by_name]
        return partial

    def _unify(self, lit: Literal, binding: dict[str, str], variables: set[str]) -> list[dict[str, str]]:
        """Extensions of a binding that make a positive literal one of the true facts."""
        found = []
        for fact in self.facts:
            if fact[0] != lit.predicate or len(fact) != len(lit.args) + 1:
                continue
            extended = dict(binding)
            for arg, value in zip(lit.args, fact[1:]):
                if arg in variables and arg not in extended:
                    extended[arg] = value
                elif extended.get(arg, arg) != value:
                    break
            else:
                found.append(extended)
        return found

    def apply(self, effects: list[Literal], binding: dict[str, str]) -> None:
        """Apply effects: deletions first, then additions, as in PDDL."""
        bound = [e.bind(binding) for e in effects]
        for effect in bound:
            if effect.negated:
                self.facts.discard(effect.atom)
        for effect in bound:
            if not effect.negated:
                self.facts.add(effect.atom)

    def object_place(self, obj: str) -> Optional[str]:
        """Where an object is, or where the robot holding it is."""
        for fact in self.facts:
            if fact[0] == "at" and fact[1] == obj:
                return fact[2]
        for fact in self.facts:
            if fact[0] == "holding" and fact[2] == obj:
                return self.robot_place(fact[1])
        return None

    def robot_place(self, robot: str) -> Optional[str]:
        for fact in self.facts:
            if fact[0] == "robot_at" and fact[1] == robot:
                return fact[2]
        return None

    def move_robot(self, robot: str, place: str) -> None:
        """Travel: the robot now stands at the place."""
        self.facts = {f for f in self.facts if not (f[0] == "robot_at" and f[1] == robot)}
        self.facts.add(("robot_at", robot, place))

    def sorted_facts(self) -> list[str]:
        return sorted(f"{f[0]}({', '.join(f[1:])})" for f in self.facts)


def _locates(fact: Fact, thing: str) -> bool:
    """Whether a fact says where a thing is (at, in, contained, or a robot holding it)."""
    return (fact[0] in ("at", "in", "contained") and fact[1] == thing) or (fact[0] == "holding" and fact[2] == thing)


def _render(condition: Condition, binding: dict[str, str]) -> str:
    if isinstance(condition, Literal):
        return str(condition.bind(binding))
    if isinstance(condition, AnyOf):
        return "any of: " + "; ".join(_render(c, binding) for c in condition.options)
    return "all of: " + "; ".join(_render(c, binding) for c in condition.parts)
