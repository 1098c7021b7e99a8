"""A request's conditions read against the world now: "if the mug is dirty, wash it".

Each request of a mission ("if C, do X", "do X if C", "when C, X", "unless C, X", "should C, X",
and the other words of `fleet.lexicon.CONDITION_WORDS`)
keeps its condition. Where the condition can be read as one fact about a named thing (a state
from the shared table's `holds_when_said`, or a thing being in or on a named receptacle) it is
checked before planning: a request whose condition does not hold is dropped, with the reason,
and a mission whose every request is dropped is refused with them. A condition that cannot be
read is left to the words, as before. What a condition names as where a thing is ("if it is on
the nook table") is never where the goal puts it.

    python -c "from fleet.world import load_world; from fleet.state import WorldState; \\
        from serve_apps.conditions import unmet_conditions; w = load_world('galley_kitchen'); \\
        print(unmet_conditions(w, 'If the red mug is dirty, wash it.', WorldState.initial(w)))"
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel

from fleet.lexicon import CONDITION_LIMITERS, CONDITION_OPENERS, CONDITION_WORDS, asked_states, holds_when_said, state_words
from fleet.errors import FleetError
from fleet.literals import Literal
from fleet.state import WorldState
from fleet.world import World
from serve_apps.clauses import BARE_OUT, request_groups
from serve_apps.phrasing import destinations_in, origins_in
from serve_apps.vocabulary import mentioned_names, quantifiers_in

_WORDS = "|".join(w.replace(" ", r"\s+") for w in CONDITION_WORDS)
_LEADING = re.compile(rf"^{CONDITION_LIMITERS}(?P<word>{_WORDS}|{'|'.join(CONDITION_OPENERS)})\b(?:\s+that\b)?(?P<condition>[^,]*),\s*(?P<rest>.*)$", re.IGNORECASE)
_TRAILING = re.compile(rf"^(?P<rest>.*?),?\s+\b{CONDITION_LIMITERS}(?P<word>{_WORDS})\b(?:\s+that\b)?(?P<condition>.*)$", re.IGNORECASE)


# Words that deny what the condition says ("isn't" reads as "isn", "t")
_NEGATIONS = {"not", "isn", "aren", "wasn", "weren", "doesn", "don", "never", "longer", "hasn", "haven", "hadn"}


class Conditioned(BaseModel):
    """One request of a mission with its condition, if it has one."""

    request: str  # the words that ask for something
    condition: Optional[str] = None  # "the mug is dirty"
    negated: bool = False  # "unless ...": the request applies when the condition does not hold
    later: bool = False  # "when ...", "once ...": it may speak of how things will be, not how they are


def conditioned(text: str) -> Conditioned:
    """Split a request into what it asks and the condition it asks it under."""
    text = text.strip().rstrip(".!?")
    for pattern in (_LEADING, _TRAILING):
        match = pattern.match(text)
        if match and match.group("condition").strip():
            word = match.group("word").lower()
            later = word in ("when", "whenever", "once")
            return Conditioned(request=match.group("rest"), condition=match.group("condition").strip(), negated=word == "unless", later=later)
    return Conditioned(request=text)


_THERE_IS = re.compile(r"^there(?:\s+(?:is|are)|['’]s)\s+(?:some\s+|any\s+)?(?P<kind>[a-z][a-z ]*?)\s+(?:in|on|inside)\b", re.IGNORECASE)


def some_of_a_kind_in(world: World, condition: str, state: WorldState) -> Optional[Literal]:
    """"There are dishes in the rack", "there's food in the fridge": a fact that holds when a thing
    of the kind is in the place now, as that thing in it (one of the kind not in it, where none is)."""
    match = _THERE_IS.match(condition.strip())
    if match is None:
        return None
    kinds = [q[4:] for q in quantifiers_in(world, "the " + match.group("kind")) if q.startswith(("all ", "any "))]
    places = [n for n in destinations_in(world, condition) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
    things = sorted({n for kind in kinds for n in world.matching("object", kind)} - set(places))
    if not things or len(places) != 1:
        return None
    inside = [n for n in things if holds_now(state, Literal("in", (n, places[0])))]
    return Literal("in", ((inside or things)[0], places[0]))


def emptiness_fact(world: World, condition: str, state: WorldState) -> Optional[Literal]:
    """"If the oven is empty", where the oven holds no state of being filled: empty when nothing
    is in it now, said as a fact about one thing (`not in(sheet_pan, combi_oven)`, which does
    not hold while the sheet pan is in it)."""
    words = re.findall(r"[a-z]+", condition.lower())
    if "empty" not in words:
        return None
    holders = [n for n in mentioned_names(world, condition) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
    if len(holders) != 1 or "filled" in world.objects_by_name[holders[0]].states:
        return None
    inside = sorted(state.contents().get(holders[0], set()))
    outside = [o.name for o in world.objects if o.pickable and o.name != holders[0]]
    thing = inside[0] if inside else (outside[0] if outside else None)
    denied = bool(_NEGATIONS & set(words))  # "if the bin isn't empty"
    return Literal("in", (thing, holders[0]), negated=not denied) if thing else None


def condition_fact(world: World, condition: str, request: str) -> Optional[Literal]:
    """The one fact a condition says, or None when it cannot be read as one. "it" is the thing
    the request acts on ("put the milk back if it is on the table")."""
    words = re.findall(r"[a-z]+", condition.lower())
    kinds = quantifiers_in(world, condition)
    if len(kinds) == 1 and not destinations_in(world, condition):  # "if both ovens are off"
        return _said_of_a_kind(world, words, next(iter(kinds)))
    names = [n for n in mentioned_names(world, condition) if n in world.objects_by_name]
    subjects = [n for n in names if n not in destinations_in(world, condition)]
    if words[:1] and words[0] in ("it", "they", "its") or not subjects:  # the thing the request acts on
        acted_on = [n for n in mentioned_names(world, request) if n in world.objects_by_name]
        subjects = [n for n in acted_on if world.objects_by_name[n].pickable] or acted_on
        # "put the gloves in the drawer unless it is closed": the one thing said that can be closed
        stated = {state for w in words if w in holds_when_said() for state, _ in [holds_when_said()[w]]}
        having = [n for n in acted_on if stated & set(world.objects_by_name[n].states)]
        if stated and not destinations_in(world, condition) and len(having) == 1:
            subjects = having
    if len(subjects) != 1:
        return None
    subject = subjects[0]
    denied = bool(_NEGATIONS & set(words))  # "if the lamp isn't off", "if the milk is not in the fridge"
    # "on the floor" is no "in" fact where the only floor word is the floor lamp's
    places = [n for n in destinations_in(world, condition) if n != subject and n in world.objects_by_name and world.objects_by_name[n].receptacle]
    if places:
        return Literal("in", (subject, places[0]), negated=denied) if len(places) == 1 else None
    said = {holds_when_said()[w] for w in words if w in holds_when_said()}
    said = {(state, value) for state, value in said if state in world.objects_by_name[subject].states}
    if len(said) != 1:
        return None
    state, value = next(iter(said))
    return Literal(state, (subject,), negated=value == denied)



def _said_of_a_kind(world: World, words: list[str], kind: str) -> Optional[Literal]:
    """The fact a condition says of all or any things of a kind: "both ovens are off" is that no
    oven is on, `not switched_on(any oven)`; "either oven is on" is `switched_on(any oven)`; "the
    lamps are on" is `switched_on(all lamp)`. None when its state word is not one each of them has."""
    quantified, what = kind.split(" ", 1)
    spoken = " " + " ".join(words) + " "
    if any(f" {w} " in spoken for w in ("any", "either", "one of", "some")):
        quantified = "any"
    members = [world.objects_by_name[n] for n in world.matching("object", what)]
    said = {holds_when_said()[w] for w in words if w in holds_when_said()}
    said = {(state, value) for state, value in said if members and all(state in m.states for m in members)}
    if len(said) != 1:
        return None
    state, value = next(iter(said))
    if _NEGATIONS & set(words):  # "if the lamps aren't on"
        value = not value
    if value:
        return Literal(state, (f"{quantified} {what}",))
    # "both are off" holds when none is on; "either is off" when not all are on
    return Literal(state, (f"{'any' if quantified == 'all' else 'all'} {what}",), negated=True)

_DETERMINED = r"(?P<subject>(?:the|my|your|our|both(?:\s+the)?|all(?:\s+the)?)\s+[a-z][a-z ]*?)"
_THEN = r"\s*[.;,!]\s*(?:(?:so|and)\s+)?(?:(?:can|could|would|will)\s+(?:you|someone|somebody)\s+|please\s+)?(?P<rest>\S.*)$"
# "The fridge is open. Close it.", "I left the microwave open, can you shut it?", "Is the kettle
# on? If so, turn it off.": a state told or asked about first is when to act, as "if" says
# "is", "'s", "has gone", "got": how a thing is or has become ("the milk has gone warm")
_LINKED = r"(?:\s+(?P<verb>is|are)|['’]s|\s+(?:has|have)\s+(?:gone|got|become|been)|\s+(?:went|got|became|was|were))"
_TOLD = (
    re.compile(rf"^{_DETERMINED}{_LINKED}\s+(?:still\s+|already\s+|all\s+|really\s+)?(?P<how>[a-z]+)(?P<where>\s+(?:on|in|at)\s+(?:the|my|your|our)\s+[a-z][a-z ]*?)?{_THEN}", re.IGNORECASE),
    re.compile(rf"^(?:i|we|someone|somebody|anyone|you)\s+(?:have\s+|has\s+)?left\s+{_DETERMINED}\s+(?P<how>[a-z]+){_THEN}", re.IGNORECASE),
    re.compile(rf"^(?P<verb>is|are)\s+{_DETERMINED}\s+(?:still\s+)?(?P<how>[a-z]+)\s*\?\s*(?:if\s+(?:so|yes|(?P<denied>not|no)),?\s*)?(?P<rest>\S.*)$", re.IGNORECASE),
)
# "The egg was left on the counter; put it away.", "I left the keys on the sofa, put them in the
# bowl": where a thing is told to be is when to act, and asks for nothing itself
_LAID = r"(?:still\s+|already\s+)?(?:left\s+|lying\s+|sitting\s+|standing\s+)?"
_WHERE = r"(?P<where>(?:on|in|inside|at|under|behind|beside|next\s+to|by)\s+(?:the|my|your|our)\s+[a-z][a-z ]*?)"
_TOLD_WHERE = (
    re.compile(rf"^{_DETERMINED}(?:\s+(?P<verb>is|are|was|were)|\s+(?:has|have)\s+been|['’]s(?:\s+been)?)\s+{_LAID}{_WHERE}{_THEN}", re.IGNORECASE),
    re.compile(rf"^(?:i|we|someone|somebody|anyone|you)\s+(?:have\s+|has\s+)?left\s+{_DETERMINED}\s+{_WHERE}{_THEN}", re.IGNORECASE),
)
_PRESENT = {"is": "is", "was": "is", "are": "are", "were": "are"}


# "Check whether the microwave is open and close it if so", "See if the milk is out; if it is, put
# it away": what to look at first is the condition of what follows
_LOOK = r"^(?:please\s+)?(?:check|see|find\s+out|look)\s+(?:if|whether)\s+(?P<condition>[^;,.?]+?)"
_IF_SO = r"if\s+(?:so|yes|it\s+is|they\s+are)"
_CHECKED = (
    re.compile(rf"{_LOOK}\s*[;,]?\s+and\s*,?\s*(?:{_IF_SO}\s*,?\s*(?P<rest>\S.*?)|(?P<rest_then>\S.*?),?\s+{_IF_SO})\s*[.!]?$", re.IGNORECASE),
    re.compile(rf"{_LOOK}\s*[;,.?]\s*(?:and\s+)?(?:{_IF_SO}\s*,?\s*)(?P<rest>\S.*?)\s*[.!]?$", re.IGNORECASE),
)


# one-word states a thing is said to be in: "open", "dirty", "warm", "full"
_STATE_SAID = {w for w in [*holds_when_said(), *state_words()] if " " not in w}


def told_as_condition(text: str) -> str:
    """A request that first tells or asks how a thing is, then what to do, rewritten with "if":
    "The fridge is open. Close it." becomes "If the fridge is open, close it." A state word of
    the shared table counts, and where a thing is or was left ("The egg was left on the counter;
    put it away." becomes "If the egg is on the counter, put it away.")."""
    stripped = text.strip()
    for pattern in _CHECKED:
        match = pattern.match(stripped)
        if match:
            rest = match.groupdict().get("rest") or match.group("rest_then")
            return f"If {match.group('condition').strip()}, {rest[:1].lower()}{rest[1:]}"
    for pattern in _TOLD:
        match = pattern.match(stripped)
        if match and match.group("how").lower() in _STATE_SAID:
            subject = match.group("subject").lower()
            verb = (match.groupdict().get("verb") or ("are" if subject.endswith("s") else "is")).lower()
            rest = match.group("rest")
            denied = " not" if match.groupdict().get("denied") else ""  # "Is the lamp off? If not, ..."
            where = (match.groupdict().get("where") or "").lower()
            return f"If {subject} {verb}{denied} {match.group('how')}{where}, {rest[:1].lower()}{rest[1:]}"
    for pattern in _TOLD_WHERE:
        match = pattern.match(stripped)
        if match:
            verb = _PRESENT[(match.groupdict().get("verb") or ("are" if match.group("subject").lower().endswith("s") else "is")).lower()]
            rest = match.group("rest")
            return f"If {match.group('subject').lower()} {verb} {match.group('where').lower()}, {rest[:1].lower()}{rest[1:]}"
    return text


# "The fridge is still open.", "I left the oven on.": how a thing is, told alone, asks for it the
# other way; "The milk is in the fridge." and "I washed the mug." ask nothing
_TOLD_ALONE = (
    re.compile(rf"^{_DETERMINED}{_LINKED}\s+(?:still\s+|left\s+|all\s+|really\s+)*(?P<how>[a-z]+)\s*[.!]*$", re.IGNORECASE),
    re.compile(rf"^(?:i|we|someone|somebody|you)\s+(?:have\s+|has\s+)?left\s+{_DETERMINED}\s+(?P<how>[a-z]+)\s*[.!]*$", re.IGNORECASE),
)
_TOLD_WHERE_ALONE = re.compile(rf"^{_DETERMINED}{_LINKED}\s+{_LAID}{_WHERE}\s*[.!]*$", re.IGNORECASE)
_DONE_ALREADY = re.compile(r"^(?:i|we)\s+(?:have\s+|'ve\s+|already\s+|just\s+)*(?!(?:need|feed|proceed)\b)[a-z]+ed\b[^?,;]*[.!]*$", re.IGNORECASE)


_LEFT_WRONG = {"open", "on", "running", "lit", "dirty", "filthy", "unwashed"}  # what a thing told to be so is left as


def told_alone(text: str) -> str:
    """A request that only tells how a thing is left, as what it asks: "The fridge is still open."
    is "Make sure the fridge is closed." (the other word of the shared table for that state). Raises
    FleetError where the words only tell how or where a thing is ("The lamp is off.", "The milk is
    in the fridge.") or what was done ("I washed the mug."): they ask nothing."""
    stripped = text.strip()
    said = holds_when_said()
    for pattern in _TOLD_ALONE:
        match = pattern.match(stripped)
        # "the lamp is off" may be just so; "the lamp is still off", "the fridge is open" ask
        complaint = match and (re.search(r"\b(?:still|left)\b", match.group(0), re.IGNORECASE) or match.group("how").lower() in _LEFT_WRONG)
        if match and complaint and match.group("how").lower() in said:
            state, value = said[match.group("how").lower()]
            other = next((w for w, (s, v) in said.items() if s == state and v != value), None)
            if other is not None:
                verb = (match.groupdict().get("verb") or ("are" if match.group("subject").lower().endswith("s") else "is")).lower()
                return f"Make sure {match.group('subject').lower()} {verb} {other}."
    if any(p.match(stripped) for p in _TOLD_ALONE) or _TOLD_WHERE_ALONE.match(stripped) or _DONE_ALREADY.match(stripped):
        raise FleetError(f"'{stripped}' tells how things are and asks nothing; say what the robots should do")
    return text


# "..., otherwise fold them": what to do when the condition before does not hold
# "...; if not, put the pan on it" says the same, when nothing follows the "not"
_OTHERWISE = re.compile(r"[,;.]?\s*\b(?:otherwise|or else|else|if\s+(?:not|it\s+is\s+not|it\s+isn['’]t|it['’]s\s+not|they\s+are\s+not|they\s+aren['’]t)(?=\s*[,;]))\b\s*,?\s*", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:it|them|they)\b", re.IGNORECASE)
# "in it", "on them", "off it", and a bare "in" that ends its clause ("if the oven is empty, put the pizza in")
_PLACE_PRONOUN = re.compile(r"\b(?:(?P<to>on|onto|in|into|inside|next to|beside|off|out of|from)\s+(?:it|them)\b|(?P<to_end>in|inside)(?=\s*[.!?]?\s*$))", re.IGNORECASE)


# "from it", "off them": where a thing the condition locates is what things come from
_FROM_PRONOUN = re.compile(r"\b(?P<to>off|out of|from)\s+(?:it|them)\b(?P<to_end>)", re.IGNORECASE)


def _with_antecedent(world: World, request: str, antecedent: Optional[str]) -> str:
    """The request with "it" and "them" spelled out as the thing the request before spoke of, when
    it names no thing of its own ("if it's dirty, wash it" after "if the red mug is clean, ...")."""
    if antecedent is None or not _PRONOUN.search(request):
        return request
    own = {n for n in mentioned_names(world, request) if n in world.objects_by_name} - destinations_in(world, request)
    spelled = f"the {antecedent.replace('_', ' ')}"
    if own and antecedent not in own:  # "... if not, put the saucepan on it": where it goes is the thing before
        return _PLACE_PRONOUN.sub(lambda m: f"{m.group('to') or m.group('to_end')} {spelled}", request)
    return request if own else _PRONOUN.sub(spelled, request)


def _subject(world: World, request: str, fact: Optional[Literal]) -> Optional[str]:
    """The one thing a request speaks of: its condition's subject, else the one thing it names."""
    if fact is not None:
        return fact.args[0]
    things = {n for n in mentioned_names(world, request) if n in world.objects_by_name} - destinations_in(world, request) - origins_in(world, request)
    return next(iter(things)) if len(things) == 1 else None


def holds_now(state: WorldState, fact: Literal) -> bool:
    """Whether a condition's fact holds: "the eggs are in the fridge" holds of eggs in a box in the
    fridge, as people mean it; every other fact as the state has it."""
    if fact.predicate != "in" or fact.quantified:
        return state.holds(fact)
    holder_of, thing, seen = state.holders(), fact.args[0], set()
    while thing in holder_of and thing not in seen:
        seen.add(thing)
        thing = holder_of[thing]
        if thing == fact.args[1]:
            return not fact.negated
    return fact.negated


def unmet_conditions(world: World, text: str, state: WorldState) -> tuple[str, list[str]]:
    """(the mission without its requests whose condition does not hold now, why each was dropped).
    A condition that opens a sentence ("if the mug is dirty, wash it and put it away") covers the
    rest of the sentence; one at the end covers its own request. "Otherwise ..." applies when the
    condition before it does not. Where a request was dropped, "it" in the next one is spelled out."""
    kept: list[str] = []
    dropped: list[str] = []
    antecedent: Optional[str] = None  # the thing the last request spoke of
    asked_last = ""  # what the last request asked, without its condition
    spelled_out: list[tuple[str, str]] = []  # (words, the same words with "in it" spelled out)
    last: Optional[tuple[Literal, bool]] = None  # the last condition read, and whether it applied
    for sentence in (s for s in re.split(r"(?<=[.!?;])\s+", text.strip()) if s.strip()):
        for piece_number, piece in enumerate(_OTHERWISE.split(sentence.strip())):
            if not piece.strip(" ,;."):
                continue
            if piece_number:  # "..., otherwise fold them"
                if last is None:  # nothing read to say when: the words as they were
                    kept[-1:] = [f"{kept[-1]}, otherwise {piece}"] if kept else [piece]
                    continue
                fact, applied = last
                piece = _verb_shared(piece.strip(" ,;."), asked_last)  # "..., otherwise in the laundry bag"
                if applied:
                    dropped.append(f"'otherwise {piece}' applies only if {fact} does not hold, and now it does")
                else:
                    kept.append(_with_antecedent(world, piece, antecedent))
                continue
            groups = [", ".join(group) for group in request_groups(world, piece)]
            for number, request in enumerate(groups):
                request = _with_antecedent(world, request, antecedent) if dropped else request
                split = conditioned(request)
                asked_last = split.request
                fact = condition_fact(world, split.condition, _with_antecedent(world, split.request, antecedent)) if split.condition else None
                # "if there are dishes in the rack": some thing of the kind there, checked now
                fact = (some_of_a_kind_in(world, split.condition, state) or fact) if split.condition else fact
                fact = (fact or emptiness_fact(world, split.condition, state)) if split.condition else fact  # "if the oven is empty"
                antecedent = _subject(world, split.request, fact) or antecedent
                applies = fact is None or holds_now(state, fact) != split.negated
                last = (fact, applies) if fact is not None else (None if split.condition else last)
                if applies:
                    # "if the dishwasher is open, put the mug and the bowl in it": in the dishwasher
                    subject = fact.args[0] if fact is not None and fact.predicate != "in" else None
                    spelled = _held_in_subject(world, request, split.request, subject)
                    # "if the tray's on the table, put the soup bowls from it in the sink": off the tray
                    located = fact.args[0] if fact is not None and fact.predicate == "in" and not fact.negated else None
                    spelled = _held_in_subject(world, spelled, conditioned(spelled).request, located, _FROM_PRONOUN)
                    spelled = _taken_from_where_said(world, spelled, fact)
                    if spelled != request:
                        spelled_out.append((request, spelled))
                    kept.append(spelled)
                    continue
                acted_on = {n for words in groups[:number] for n in mentioned_names(world, words)}
                if split.later and number and fact.args[0] in acted_on | ({antecedent} if re.search(r"\b(?:it|they|them)\b", split.condition) else set()):
                    # "put them in the microwave, and when they're hot put them on the table": after, not now
                    raise FleetError(
                        f"'{request}' says what to do once {split.condition}, after the words before it are done; "
                        "say the steps without 'when', or ask again once it holds"
                    )
                if holds_now(state, fact):
                    shown = str(fact)
                else:  # "not in(eggs, mini_fridge)" does not hold: the eggs are in it
                    shown = str(Literal(fact.predicate, fact.args)) if fact.negated else f"{fact} is not so"
                dropped.append(f"'{request}' applies only {'unless' if split.negated else 'if'} {split.condition}, and now {shown}")
                if number == 0 and _LEADING.match(request.strip()):  # the rest of the sentence goes with it
                    break
    if dropped or any(said not in text for said, _ in spelled_out):
        return ". ".join(kept), dropped
    for said, spelled in spelled_out:  # the rest of the words as they were
        text = text.replace(said, spelled, 1)
    return text, dropped


_BESIDE = re.compile(r"\b(?:under|underneath|behind|beside|next to|by|near|in front of)\s+(?:the |my |your |our )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)


def _held_in_subject(world: World, request: str, asked: str, subject: Optional[str], pronoun: re.Pattern = _PLACE_PRONOUN) -> str:
    """The request with "in it" or "on it" (or what `pronoun` finds) spelled out as its
    condition's subject, when that holds things and the request moves other things: a nearer
    thing is no container meant."""
    if subject is None or subject not in world.objects_by_name or not world.objects_by_name[subject].receptacle:
        return request
    own = {n for n in mentioned_names(world, asked) if n in world.objects_by_name and world.objects_by_name[n].pickable} - {subject}
    if not own or not pronoun.search(asked):
        return request
    spelled = pronoun.sub(lambda m: f"{m.group('to') or m.group('to_end')} the {subject.replace('_', ' ')}", asked)
    return request[: len(request) - len(asked)] + spelled if request.endswith(asked) else request


def _taken_from_where_said(world: World, request: str, fact: Optional[Literal]) -> str:
    """"If the eggs are still in the fridge, take them out" as "..., take them out of the fridge":
    where the condition says a thing is, is where a bare "out" or "off" takes it from."""
    if fact is None or fact.predicate != "in" or fact.negated or fact.quantified:
        return request
    split = conditioned(request)
    if not split.condition or ("in", True) not in asked_states(world, split.request):
        return request
    how = {"out": "out of", "off": "off"}
    place = fact.args[1].replace("_", " ")
    spelled = BARE_OUT.sub(lambda m: f"{how[m.group('how').lower()]} the {place}", split.request, count=1)
    return request[: len(request) - len(split.request)] + spelled if request.endswith(split.request) else request


_PLACE_FIRST = re.compile(r"^(?:in|into|on|onto|inside|to|back in|back on)\b", re.IGNORECASE)


def _verb_shared(piece: str, before: str) -> str:
    """"otherwise in the laundry bag" after "put them in the chest of drawers": the words before
    up to where they said the place, then the new place."""
    if not _PLACE_FIRST.match(piece):
        return piece
    places = list(re.finditer(r"\b(?:in|into|on|onto|inside|to)\b", before, re.IGNORECASE))
    return f"{before[: places[-1].start()].strip()} {piece}" if places else piece


def condition_places(world: World, text: str) -> set[str]:
    """Where the conditions of a mission say things are, and not what the mission asks:
    "put the milk back in the fridge if it is on the table" names the table only in its condition."""
    places: set[str] = set()
    asked: set[str] = set()
    for group in request_groups(world, text):
        split = conditioned(", ".join(group))
        # "... take it out" acts there; "if it isn't in the bag yet, pack it" puts it there
        denied = bool(_NEGATIONS & set(re.findall(r"[a-z]+", (split.condition or "").lower())))
        if split.condition and ("in", True) not in asked_states(world, split.request) and not denied:
            places |= destinations_in(world, split.condition)
            # "if the ball is under the cot": the cot only says where the ball is
            places |= {n for m in _BESIDE.finditer(split.condition) for n in mentioned_names(world, m.group("what"))}
        asked |= mentioned_names(world, split.request)
    return places - asked


# "if the milk is old", "if the eggs look fresh": how a named thing is, said with a linking verb
_DESCRIBED = re.compile(r"\b(?:is|are|was|were|s|looks?|seems?|smells?|tastes?|feels?)\b", re.IGNORECASE)


def unchecked_conditions(world: World, text: str) -> list[str]:
    """The conditions of a mission that say how a thing of the world is in words no state of it
    can check: "if the milk is old", "if the eggs are fresh", "if the mug is empty" where the mug
    holds no state of being filled. What they ask is done as if they held; a caller may refuse
    what cannot be undone on such a condition."""
    found = []
    for group in request_groups(world, text):
        split = conditioned(", ".join(group))
        if not split.condition or condition_fact(world, split.condition, split.request) is not None:
            continue
        things = [n for n in mentioned_names(world, split.condition) if n in world.objects_by_name]
        if things and _DESCRIBED.search(split.condition) and not destinations_in(world, split.condition):
            found.append(split.condition)
    return found


__all__ = ["Conditioned", "condition_fact", "condition_places", "conditioned", "some_of_a_kind_in", "told_alone", "unchecked_conditions", "unmet_conditions"]
