"""Goals: lists of literals such as `in(apple, fridge)`, checked against a world's vocabulary.

An argument may be quantified: `all TYPE` (every object of a type or category, every robot of a
kind, every place of a kind) or `any TYPE` (one of them will do). `in(all fruit, fridge)` becomes
one literal per fruit; `in(spoon, any drawer)` stays one literal that holds when the spoon is in
some drawer. A negated one is false of each: `not open(any cabinet)` and `not open(all cabinet)`
both mean every cabinet closed, as people say them.
"""

from __future__ import annotations

import itertools
import json
from typing import Union

from fleet.errors import GoalError
from fleet.literals import Literal, parse_literal, quantifier
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
    return [checked for item in goal for checked in expand_goal_literal(world, parse_literal(item))]


def expand_goal_literal(world: World, literal: Literal) -> list[Literal]:
    """Check a literal; a quantified one becomes plain literals where it means "each of them"."""
    if not literal.quantified:
        return [check_goal_literal(world, literal)]
    signature = _signature(world, literal)
    for arg, kind in zip(literal.args, signature):
        found = quantifier(arg)
        if found and not world.matching(kind, found[1]):
            raise GoalError(f"{literal}: {world.name} has no {kind} that is a {found[1]!r} ({_kinds_hint(kind)})")
    if literal.predicate == "robot_at" and quantifier(literal.args[1]):
        raise GoalError(f"{literal}: name the place a robot should go to")
    # "each of them" (all, and every negated quantifier) expands here; "one of them" stays quantified
    choices = []
    for arg, kind in zip(literal.args, signature):
        found = quantifier(arg)
        each = found is not None and (found[0] == "all" or literal.negated)
        choices.append(world.matching(kind, found[1]) if each else [arg])
    expanded = []
    for combo in itertools.product(*choices):
        candidate = Literal(literal.predicate, combo, literal.negated)
        if not candidate.quantified and _valid(world, candidate):
            expanded.append(candidate)
        elif candidate.quantified and any(_valid(world, i) for i in world.instances(candidate)):
            expanded.append(candidate)
    if not expanded:
        raise GoalError(f"{literal}: none of the things it covers in {world.name} can be part of such a goal")
    return expanded


def _signature(world: World, literal: Literal) -> tuple[str, ...]:
    signature = world.predicate_signature(literal.predicate)
    if signature is None or literal.predicate in STATIC_SIGNATURES:
        check_goal_literal(world, literal)  # raises with the usual message
    assert signature is not None
    if len(literal.args) != len(signature):
        raise GoalError(f"{literal}: {literal.predicate} takes {len(signature)} argument(s), got {len(literal.args)}")
    return signature


def _valid(world: World, literal: Literal) -> bool:
    """Whether a ground instance is a goal this world can state (a cabinet without `open` is left out)."""
    try:
        check_goal_literal(world, literal)
    except GoalError:
        return False
    return True


def _kinds_hint(kind: str) -> str:
    return {
        "robot": "`any robot`, or a robot kind",
        "place": "`any place`, or a place kind",
        "object": "an object type or a category such as fruit, dishes, cutlery",
    }[kind]


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
