"""The literal syntax shared by goals and skills: `in(apple, fridge)`, `not open(fridge)`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union

from fleet.errors import GoalError

NAME_PATTERN = r"[a-z][a-z0-9_]*"
_LITERAL = re.compile(
    rf"^\s*(?P<neg>not\s+)?(?P<pred>{NAME_PATTERN})\s*\(\s*(?P<args>[^()]*)\)\s*$"
)
_NAME = re.compile(rf"^{NAME_PATTERN}$")
# A goal argument may quantify over a type, category, robot kind or place kind: `any drawer`, `all fruit`.
_QUANTIFIED = re.compile(rf"^(?P<q>any|all)\s+(?P<what>{NAME_PATTERN})$")
# Static predicates whose second argument is a name from the world's vocabulary, not a parameter.
NAMED_SECOND_ARGUMENT = frozenset({"has_state", "is_a"})


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
        """Replace parameter names by values; names not in the binding stay as they are (and so
        does the state or type name that has_state and is_a take second)."""
        bound = len(self.args[:1]) if self.predicate in NAMED_SECOND_ARGUMENT else len(self.args)
        args = tuple(binding.get(a, a) for a in self.args[:bound]) + self.args[bound:]
        return Literal(self.predicate, args, self.negated)

    @property
    def quantified(self) -> bool:
        """Whether an argument is `any X` or `all X` (a goal over every thing of a kind, or any one)."""
        return any(quantifier(a) for a in self.args)

    @property
    def quantifier_kind(self) -> Optional[str]:
        """`any` when one ground instance must hold, `all` when every one must (goals keep one kind per literal)."""
        kinds = [found[0] for found in map(quantifier, self.args) if found]
        return "any" if "any" in kinds else ("all" if kinds else None)

    def __str__(self) -> str:
        text = f"{self.predicate}({', '.join(self.args)})"
        return f"not {text}" if self.negated else text


def quantifier(arg: str) -> Optional[tuple[str, str]]:
    """("any" or "all", what) for a quantified argument such as `any drawer`; None for a name."""
    match = _QUANTIFIED.match(arg)
    return (match.group("q"), match.group("what")) if match else None


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
    args = tuple(" ".join(a.split()) for a in raw_args.split(",")) if raw_args else ()
    for arg in args:
        if not _NAME.match(arg) and not quantifier(arg):
            raise GoalError(f"cannot parse {text!r}: {arg!r} is not a lowercase name (or 'any TYPE' / 'all TYPE')")
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


@dataclass(frozen=True)
class When:
    """A conditional effect: for every binding of `variables` to objects under which every literal
    of `condition` holds before the step, the `effects` happen too (PDDL's forall/when)."""

    variables: tuple[str, ...]
    condition: tuple[Literal, ...]
    effects: tuple[Literal, ...]

    def __str__(self) -> str:
        head = f"for every {', '.join(self.variables)}: " if self.variables else ""
        return f"{head}when {' and '.join(map(str, self.condition))}: {', '.join(map(str, self.effects))}"


Effect = Union[Literal, When]


def parse_effect(item: object) -> Effect:
    """Parse a skill effect: a literal string, or `{forall: x, when: [...], then: [...]}` (forall optional)."""
    if isinstance(item, str):
        return parse_literal(item)
    if isinstance(item, dict) and {"when", "then"} <= set(item) and set(item) <= {"forall", "when", "then"}:
        variables = item.get("forall", [])
        variables = [variables] if isinstance(variables, str) else variables
        when, then = item["when"], item["then"]
        if (
            isinstance(variables, list)
            and all(isinstance(v, str) and _NAME.match(v) for v in variables)
            and isinstance(when, list)
            and when
            and isinstance(then, list)
            and then
        ):
            return When(tuple(variables), tuple(parse_literal(c) for c in when), tuple(parse_literal(e) for e in then))
    raise GoalError(
        f"cannot parse effect {item!r}: expected a literal string or "
        "{forall: name, when: [literals], then: [literals]} (forall optional)"
    )


def condition_literals(condition: Condition) -> list[Literal]:
    """Every literal inside a condition, whatever its nesting."""
    if isinstance(condition, Literal):
        return [condition]
    children = condition.options if isinstance(condition, AnyOf) else condition.parts
    return [lit for child in children for lit in condition_literals(child)]
