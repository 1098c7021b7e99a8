"""Checks of a model's goal against the request's words: what it leaves out, what it says backwards.

Each check raises a FleetError that says what is wrong, which the language planner sends back
to the model with the request (and, for literals a greedy model would say again, takes off the
menu). An answer that keeps failing one is refused, never taken as it is.
"""

from __future__ import annotations

import re
from typing import Optional

from fleet.errors import FleetError
from fleet.lexicon import verb_states
from fleet.literals import Literal, quantifier
from fleet.world import World
from serve_apps.clauses import split_requests
from serve_apps.vocabulary import named_in

def things_asked_about(world: World, text: str) -> set[str]:
    """Objects the request names whole, other than where something named starts out (the
    drawer the knife is taken out of): a goal should say something about each of them."""
    named = named_in(world, text) | _only_one_called(world, text)
    origins = {world.objects_by_name[n].location for n in named if n in world.objects_by_name}
    return {n for n in named if n in world.objects_by_name and n not in origins}


def _only_one_called(world: World, text: str) -> set[str]:
    """Objects a request names by their last word or type alone where no other object shares it:
    "the lamp" is the standing_lamp when that is the only lamp."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    spoken = {part for name in named_in(world, text) for part in name.split("_")}
    found = set()
    for word in words - spoken:
        if len(word) < 3 or not word.isalpha():
            continue  # "a" of "do a safety round" is not dock_door_a
        called = {o.name for o in world.objects if o.name.split("_")[-1] == word or o.type == word}
        if len(called) == 1:
            found |= called
    return found


def _covered(world: World, goal: list[Literal]) -> set[str]:
    """The names a goal speaks of; `any drawer` speaks of every drawer."""
    names: set[str] = set()
    for literal in goal:
        for arg, kind in zip(literal.args, world.predicate_signature(literal.predicate) or ()):
            found = quantifier(arg)
            names |= set(world.matching(kind, found[1])) if found else {arg}
    return names


def _first_mention(world: World, words: list[str], name: str) -> Optional[int]:
    """Where a request first speaks of a name: its first word found, or its type."""
    obj = world.objects_by_name.get(name)
    parts = name.split("_")
    whole = [i for i in range(len(words) - len(parts) + 1) if words[i : i + len(parts)] == parts]
    if whole:  # "the school bag" said whole, not the "school" of "the school book"
        return whole[0]
    heads = {parts[-1]} | ({obj.type} if obj else set())
    for wanted in (heads, set(parts)):
        spots = [i for i, word in enumerate(words) if word in wanted or word.rstrip("s") in wanted]
        if spots:
            return min(spots)
    return None


_ORIGIN_WORDS = ("from", "off", "out of", "off of")


def misplaced(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` literals the request's words contradict: b named before a in the one clause
    naming both ("put the sofa on the cart" answered `in(cart, sofa)`), or b named only as where
    a comes from ("off the coffee table"). Requests that fill a thing with another are left alone."""
    clauses = [re.findall(r"[a-z0-9]+", c.lower()) for c in split_requests(world, text)] if text else []
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    found = []
    for literal in goal:
        if literal.predicate != "in" or literal.negated or quantifier(literal.args[1]):
            continue
        thing, holder = literal.args
        holder_words = " ".join(holder.split("_"))
        origins = [f" {w} the {holder_words} " for w in _ORIGIN_WORDS] + [f" {w} {holder_words} " for w in _ORIGIN_WORDS]
        destinations = [f" {w} the {holder_words} " for w in ("in", "into", "on", "onto", "to", "inside")]
        if any(o in spaced for o in origins) and not any(d in spaced for d in destinations):
            found.append(str(literal))
            continue
        for words in clauses:
            if {"with", "fill", "filled"} & set(words):
                continue
            where = [_first_mention(world, words, name) for name in (thing, holder)]
            if None not in where and where[1] < where[0]:
                found.append(str(literal))
                break
    return found


class Misplaced(FleetError):
    """The answer puts things where the request's words say they do not go."""

    def __init__(self, literals: list[str]):
        self.literals = set(literals)
        super().__init__(f"{', '.join(literals)} puts things where the request does not (the other way round, or back where they come from)")


def missing_from(world: World, required: set[str], goal: list[Literal]) -> list[str]:
    """What the request names that the goal says nothing about. `all drawer` is said by a literal
    over all drawers or over each one; `any drawer` by one over any, all, or one drawer."""
    covered = _covered(world, goal)
    args = {arg for literal in goal for arg in literal.args}
    plain = {arg for arg in args if quantifier(arg) is None}
    missing = []
    for thing in sorted(required):
        found = quantifier(thing)
        if found is None:
            if thing not in covered:
                missing.append(thing)
            continue
        what = found[1]
        matching = set(world.matching("robot" if what == "robot" else "object", what))
        if found[0] == "all" and not (thing in args or matching <= plain):
            missing.append(thing)
        elif found[0] == "any" and not ({thing, f"all {what}"} & args or matching & plain):
            missing.append(thing)
    return missing


def states_left_out(world: World, text: str, goal: list[Literal]) -> list[str]:
    """Clauses whose verb asks for a state the goal never gives anything: "heat up the bread in
    the microwave" answered `in(bread, microwave)` alone."""
    said = {(literal.predicate, literal.negated) for literal in goal}
    return [clause for clause in split_requests(world, text) if (signs := verb_states(world, clause)) and not signs & said]


class StateLeftOut(FleetError):
    """The answer does not do what the verb of a clause asks."""

    def __init__(self, clauses: list[str]):
        self.clauses = clauses
        super().__init__(f"it does not do what {'; '.join(repr(c) for c in clauses)} asks: the verb asks for a change the goal does not make")


class LeftOut(FleetError):
    """The answer says nothing about something the request names."""

    def __init__(self, goal: list[str], missing: list[str]):
        self.goal, self.missing = goal, missing
        super().__init__(f"it leaves out {', '.join(n.replace('_', ' ') for n in missing)}, which the request names")


class AlreadyHolds(FleetError):
    """The model asked for what is already true."""

    def __init__(self, literals: set[str]):
        self.literals = literals
        super().__init__(f"{', '.join(sorted(literals))} already holds, so there is nothing to do")


def check_consistent(goal: list[Literal]) -> None:
    """Refuse goals that ask for a fact and its negation, or one thing in two places."""
    positive = {g.atom for g in goal if not g.negated}
    for literal in goal:
        if literal.negated and literal.atom in positive:
            raise FleetError(f"the goal asks for both {Literal(literal.predicate, literal.args)} and its opposite")
    where: dict[tuple[str, str], str] = {}
    for literal in goal:
        if literal.predicate in ("at", "in", "robot_at") and not literal.negated:
            key = ("at" if literal.predicate == "robot_at" else literal.predicate, literal.args[0])
            if key in where and where[key] != literal.args[1]:
                raise FleetError(f"the goal puts {literal.args[0]} in two places ({where[key]} and {literal.args[1]})")
            where[key] = literal.args[1]


__all__ = ["AlreadyHolds", "LeftOut", "Misplaced", "StateLeftOut", "check_consistent", "misplaced", "missing_from", "states_left_out", "things_asked_about"]
