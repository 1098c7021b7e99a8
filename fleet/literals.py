"""The literal syntax shared by goals and skills: `in(apple, fridge)`, `not open(fridge)`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from fleet.errors import GoalError

NAME_PATTERN = r"[a-z][a-z0-9_]*"
_LITERAL = re.compile(
    rf"^\s*(?P<neg>not\s+)?(?P<pred>{NAME_PATTERN})\s*\(\s*(?P<args>[^()]*)\)\s*$"
)
_NAME = re.compile(rf"^{NAME_PATTERN}$")


@dataclass(frozen=True)
class Literal:
    """A predicate applied to names, possibly negated. Names are world names or skill parameters."""

    predicate: str
    args: tuple[str, ...]
    negated: bool = False

    @property
    def atom(self) -> tuple[str, ...]:
        """The fact this literal speaks of, without its sign."""
        return (self.predicate, *self.args)

    def bind(self, binding: dict[str, str]) -> "Literal":
        """Replace parameter names by values; names not in the binding stay as they are."""
        return Literal(self.predicate, tuple(binding.get(a, a) for a in self.args), self.negated)

    def __str__(self) -> str:
        text = f"{self.predicate}({', '.join(self.args)})"
        return f"not {text}" if self.negated else text


@dataclass(frozen=True)
class AnyOf:
    """A disjunction: at least one of the conditions holds."""

    options: tuple["Condition", ...]

    def __str__(self) -> str:
        return "any(" + "; ".join(str(o) for o in self.options) + ")"


@dataclass(frozen=True)
class AllOf:
    """A conjunction: every condition holds."""

    parts: tuple["Condition", ...]

    def __str__(self) -> str:
        return "all(" + "; ".join(str(p) for p in self.parts) + ")"


Condition = Union[Literal, AnyOf, AllOf]


def parse_literal(text: str) -> Literal:
    """Parse `pred(a, b)` or `not pred(a)`; raise GoalError naming the text on bad syntax."""
    if not isinstance(text, str):
        raise GoalError(f"expected a literal such as 'in(apple, fridge)', got {text!r}")
    match = _LITERAL.match(text)
    if not match:
        raise GoalError(
            f"cannot parse {text!r}: expected 'predicate(name, ...)' or 'not predicate(name, ...)' "
            "with lowercase names"
        )
    raw_args = match.group("args").strip()
    args = tuple(a.strip() for a in raw_args.split(",")) if raw_args else ()
    for arg in args:
        if not _NAME.match(arg):
            raise GoalError(f"cannot parse {text!r}: {arg!r} is not a lowercase name")
    return Literal(match.group("pred"), args, bool(match.group("neg")))


def parse_condition(item: object) -> Condition:
    """Parse a skill condition: a literal string, `{any: [...]}` or `{all: [...]}`."""
    if isinstance(item, str):
        return parse_literal(item)
    if isinstance(item, dict) and len(item) == 1:
        (key, value), = item.items()
        if key in ("any", "all") and isinstance(value, list) and value:
            parsed = tuple(parse_condition(v) for v in value)
            return AnyOf(parsed) if key == "any" else AllOf(parsed)
    raise GoalError(
        f"cannot parse condition {item!r}: expected a literal string, "
        "{any: [conditions]} or {all: [conditions]}"
    )


def condition_literals(condition: Condition) -> list[Literal]:
    """Every literal inside a condition, whatever its nesting."""
    if isinstance(condition, Literal):
        return [condition]
    children = condition.options if isinstance(condition, AnyOf) else condition.parts
    return [lit for child in children for lit in condition_literals(child)]
