"""Goals: lists of literals such as `in(apple, fridge)`, checked against a world's vocabulary."""

from __future__ import annotations

import json
from typing import Union

from fleet.errors import GoalError
from fleet.literals import Literal, parse_literal
from fleet.world import STATIC_SIGNATURES, World


def parse_goal(world: World, goal: Union[str, list[str]]) -> list[Literal]:
    """Parse and check a goal: a list of literals, or a JSON array of them as text."""
    if isinstance(goal, str):
        text = goal.strip()
        if text.startswith("["):
            try:
                goal = json.loads(text)
            except json.JSONDecodeError as err:
                raise GoalError(f"goal is not valid JSON: {err.msg} at column {err.colno}") from None
        else:
            goal = [text]
    if not isinstance(goal, list) or not goal:
        raise GoalError("a goal is a non-empty list of literals such as [\"in(apple, fridge)\"]")
    return [check_goal_literal(world, parse_literal(item)) for item in goal]


def check_goal_literal(world: World, literal: Literal) -> Literal:
    """Check a literal names a known fluent with arguments of the right kind."""
    if literal.predicate in STATIC_SIGNATURES:
        raise GoalError(f"{literal}: {literal.predicate} is fixed by the world and cannot be a goal")
    signature = world.predicate_signature(literal.predicate)
    if signature is None:
        states = ", ".join(world.state_names) or "none"
        raise GoalError(
            f"{literal}: unknown predicate {literal.predicate!r}; use robot_at, at, in, holding "
            f"or a state of this world ({states})"
        )
    if len(literal.args) != len(signature):
        raise GoalError(f"{literal}: {literal.predicate} takes {len(signature)} argument(s), got {len(literal.args)}")
    for arg, kind in zip(literal.args, signature):
        actual = world.kind_of_name(arg)
        if actual is None:
            raise GoalError(f"{literal}: {world.name} has no {kind} named {arg!r}")
        if actual != kind:
            raise GoalError(f"{literal}: {arg!r} is a {actual}, but {literal.predicate} expects a {kind} there")
    if literal.predicate in world.state_names:
        obj = world.objects_by_name[literal.args[0]]
        if literal.predicate not in obj.states:
            carried = ", ".join(obj.states) or "none"
            raise GoalError(f"{literal}: {obj.name} has no state {literal.predicate!r} (its states: {carried})")
    if literal.predicate == "in" and not world.objects_by_name[literal.args[1]].receptacle:
        raise GoalError(f"{literal}: {literal.args[1]!r} is not a receptacle")
    if literal.predicate == "in" and literal.args[0] == literal.args[1]:
        raise GoalError(f"{literal}: nothing can be inside itself")
    return literal
