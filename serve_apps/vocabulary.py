"""What a language model may say about a world: JSON schemas built from its live vocabulary."""

from __future__ import annotations

import re
from typing import Any, Optional

from fleet.goals import check_goal_literal
from fleet.literals import Literal
from fleet.world import FLUENT_SIGNATURES, World

# Goal predicates a user may ask for; `free` and `contained` are bookkeeping.
GOAL_PREDICATES = ("robot_at", "at", "in", "holding")


def goal_literals(world: World, names: Optional[set[str]] = None) -> list[str]:
    """Every well-typed goal literal of a world, positive and negated, optionally only over `names`.

    Narrowing to the names a request mentions keeps a small model from copying unrelated
    objects; the result is what constrained decoding lets the model choose from.
    """
    by_kind = {
        "robot": [r.name for r in world.robots],
        "place": [p.name for p in world.places],
        "object": [o.name for o in world.objects],
    }
    if names is not None:
        by_kind = {kind: [n for n in values if n in names] for kind, values in by_kind.items()}
    literals: list[Literal] = []
    for predicate in GOAL_PREDICATES:
        kinds = FLUENT_SIGNATURES[predicate]
        for first in by_kind[kinds[0]]:
            for second in by_kind[kinds[1]]:
                literals.append(Literal(predicate, (first, second)))
    for state in world.state_names:
        for obj in by_kind["object"]:
            literals.append(Literal(state, (obj,)))
    valid = []
    for literal in literals:
        try:
            check_goal_literal(world, literal)
        except ValueError:
            continue  # e.g. a state the object does not carry, or `in` a non-receptacle
        valid.append(str(literal))
        valid.append(f"not {literal}")
    return valid


def mentioned_names(world: World, text: str) -> set[str]:
    """World names a request refers to, matching whole words of the name or its type.

    "the red box" finds red_box; "the fridge" finds the object of type fridge; robots and
    places match the same way. Used to narrow the vocabulary, never to decide the goal.
    """
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    found = set()
    things = [(r.name, r.kind) for r in world.robots] + [(p.name, p.kind) for p in world.places]
    things += [(o.name, o.type) for o in world.objects]
    for name, kind in things:
        parts = name.split("_")
        if set(parts) <= words or kind in words or name in words:
            found.add(name)
    return found


def goal_schema(world: World, names: Optional[set[str]] = None, max_literals: int = 4) -> dict[str, Any]:
    """JSON schema of `{"goal": [literal, ...]}` whose literals exist in the world."""
    choices = goal_literals(world, names)
    if not choices:  # nothing mentioned: fall back to the whole vocabulary
        choices = goal_literals(world)
    return {
        "type": "object",
        "properties": {
            "goal": {"type": "array", "items": {"enum": choices}, "minItems": 1, "maxItems": max_literals}
        },
        "required": ["goal"],
        "additionalProperties": False,
    }
