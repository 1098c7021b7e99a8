"""Symbolic world state: a set of true facts, condition checks and effect application."""

from __future__ import annotations

from typing import Iterable, Optional

from fleet.literals import AllOf, AnyOf, Condition, Literal
from fleet.world import STATIC_SIGNATURES, World

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

    def holds(self, literal: Literal) -> bool:
        """Truth of a ground literal. Static facts about robot roles (not yet bound) count as true."""
        if literal.predicate in STATIC_SIGNATURES:
            if literal.predicate != "has_state" and literal.args[0] not in self.world.robots_by_name:
                value = True  # a role, checked by plan validation when robots are chosen
            else:
                value = self.world.static_holds(literal.predicate, literal.args)
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


def _render(condition: Condition, binding: dict[str, str]) -> str:
    if isinstance(condition, Literal):
        return str(condition.bind(binding))
    if isinstance(condition, AnyOf):
        return "any of: " + "; ".join(_render(c, binding) for c in condition.options)
    return "all of: " + "; ".join(_render(c, binding) for c in condition.parts)
