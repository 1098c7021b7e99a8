"""Phrases read without the model: a container carried with what is in it, a thing placed by another.

"Take the storage box with the blanket in it to the corner": the blanket stays in the box, a
goal literal of its own (`in(wool_blanket, storage_box)`), and the model is asked only "take the
storage box to the corner". "Put the spare soap next to the hand soap": the hand soap locates,
it is not acted on; where it stands (the windowsill) is what the model may choose as the place.
"Bring the caddy to the toilet" says the same of a fixture that holds nothing.

    python -c "from fleet.world import load_world; from serve_apps.phrasing import carried_contents; \\
        print(carried_contents(load_world('galley_kitchen'), 'Take the cereal bowl with the spoon in it to the nook.'))"
"""

from __future__ import annotations

import re
from typing import Sequence

from pydantic import BaseModel

from fleet.lexicon import described_states, holds_when_said, verb_states, without_conditions
from fleet.state import WorldState
from fleet.world import World
from serve_apps.clauses import asks_something, request_groups, split_requests, verb_no_skill_says
from serve_apps.vocabulary import mentioned_names, named_in, quantifiers_in, said_in_plural

_WITH_INSIDE = re.compile(
    r"\s*,?\s*\b(?:with|keeping|leaving) (?:the |a |an |its |their )?(?P<inside>[a-z][a-z ]*?) (?:still )?(?:(?:in|on|inside|on top of) (?:it|them)|inside|in there)\b",
    re.IGNORECASE,
)
_LOCATOR = re.compile(r"\b(?:next to|beside|by(?! \w+ing\b)|near|close to|alongside) (?:the |a |an )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)  # not "by moving ..."
# "bring the caddy to the toilet", "fill the bottle at the tap": a fixture that holds nothing
# says where, as a locator does
_TOWARDS = re.compile(r"\b(?:to|towards|at) (?:the |a |an )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)


def _one_movable(world: World, words: str) -> str | None:
    """The single movable object some words name, else None."""
    found = [n for n in mentioned_names(world, words) if n in world.objects_by_name and world.objects_by_name[n].pickable]
    return found[0] if len(found) == 1 else None


def _holder_before(world: World, before: str) -> list[str]:
    """What "it" stands for in "... with the egg in it": the one container the words before name
    that can be carried ("put the frying pan on the front burner with the egg in it"), else the
    receptacles of the last few words."""
    objects = world.objects_by_name
    named = [n for n in mentioned_names(world, before) if n in objects and objects[n].receptacle]
    carried = [n for n in named if objects[n].pickable]
    if len(carried) == 1:
        return carried
    last = " ".join(before.split()[-4:])
    return [n for n in mentioned_names(world, last) if n in objects and objects[n].receptacle]


def carried_contents(world: World, text: str, state: WorldState | None = None) -> tuple[list[str], str]:
    """(`in(thing, container)` for each "CONTAINER with THING in it", the text without those phrases).
    "With the fruit still in it" and "with everything in it" are the things of that kind (or all
    things) in the container now."""
    fixed: list[str] = []
    while (match := _WITH_INSIDE.search(text)) is not None:
        holders = _holder_before(world, re.split(r"[.;!?]", text[: match.start()])[-1])
        one = _one_movable(world, match.group("inside"))
        # "the fruit bowl with the fruit in it": the word names the bowl, the kind is what is inside
        inside = [one] if one and one not in holders else _kind_inside(world, match.group("inside"), holders, state)
        if not inside or len(holders) != 1 or holders[0] in inside:
            break  # not a phrase read here: the model gets the words as they are
        fixed += [f"in({thing}, {holders[0]})" for thing in inside]
        text = text[: match.start()] + text[match.end() :]
    return fixed, text


def _kind_inside(world: World, words: str, holders: list[str], state: WorldState | None) -> list[str]:
    """The things a kind word ("the fruit") or "everything" names inside the one holder now."""
    if state is None or len(holders) != 1:
        return []
    inside = sorted(f[1] for f in state.facts if f[0] == "in" and f[2] == holders[0])
    if words.strip() in ("everything", "all", "all of it", "all its contents", "stuff"):
        return inside
    kinds = [q.split(" ", 1)[1] for q in quantifiers_in(world, "the " + words)]
    if len(kinds) != 1:
        return []
    return [thing for thing in inside if thing in world.matching("object", kinds[0])]


_PIECES_OF = re.compile(r"\b(?:a |one |two |three |some |a few )?(?:slice|slices|piece|pieces) of (?P<the>the |a |an |some )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)


def pieces_of(world: World, text: str) -> tuple[list[str], str]:
    """(`sliced(thing)` for each "a slice of THING" whose thing can be sliced, the text with the
    thing in place of the phrase): "heat up a slice of bread" asks for the bread sliced and hot."""
    fixed: list[str] = []
    for match in list(_PIECES_OF.finditer(text))[::-1]:
        thing = _one_movable(world, " ".join(match.group("what").split()[:3]))
        if thing is None or "sliced" not in world.objects_by_name[thing].states:
            continue
        fixed.insert(0, f"sliced({thing})")
        text = text[: match.start()] + "the " + text[match.start("what") :]
    return fixed, text


# "slice the cheese on the kitchen counter": a verb that changes a thing, the thing, where the work is done
_WORKED_AT = re.compile(r"^(?:please\s+)?(?P<verb>[a-z]+(?: up)?)\s+(?P<what>(?:the|a|an|some)\s+[a-z][a-z ]*?)\s+(?:on|at)\s+(?:the\s+)?(?P<where>[a-z][a-z ]*?)\s*[.!]?$", re.IGNORECASE)


def worked_at(world: World, text: str, state: WorldState) -> tuple[list[str], str]:
    """(where a thing ends up when a request changes it "on" a surface or at a place, the text
    without those words): "slice the cheese on the kitchen counter" is done there and leaves the
    cheese there. When a thing of that kind already stands there, the words only say which one
    ("turn off the lamp on the desk"), and nothing is read here."""
    match = _WORKED_AT.match(text.strip())
    if match is None or not verb_states(world, text):
        return [], text
    thing = _one_movable(world, match.group("what"))
    where = mentioned_names(world, "the " + match.group("where"))
    if thing is None or len(where) != 1:
        return [], text
    (spot,) = where
    kind = world.objects_by_name[thing].type
    if spot in world.places_by_name:
        literal, there = f"at({thing}, {spot})", {o.name for o in world.objects if state.object_place(o.name) == spot}
    elif "surface" in world.categories_of(spot):
        literal, there = f"in({thing}, {spot})", {f[1] for f in state.facts if f[0] == "in" and f[2] == spot}
    else:
        return [], text  # "heat the soup in the microwave": the appliance does the work, nothing is said of where it ends
    if any(world.objects_by_name[o].type == kind for o in there if o in world.objects_by_name):
        return [], text
    return [literal], f"{match.group('verb')} {match.group('what')}."


# "leave the night light on", "keep the fridge closed": a state to keep as it is, said at the end of its clause
_STATE_SAID_LAST = r"\s+(?P<how>[a-z]+)\s*(?=[,.;!?]|\band\b|\bthen\b|\bbut\b|$)\s*(?:and\b|then\b|but\b)?"
_KEPT = re.compile(rf"\b(?:(?P<denied>don'?t|do not|never)\s+)?(?:leave|keep)\s+(?P<what>[a-z][a-z ]*?){_STATE_SAID_LAST}", re.IGNORECASE)
# "the night light should stay on", "make sure the fridge stays closed"
_STAYS = re.compile(
    rf"\b(?P<what>(?:the|my|your|our)\s+[a-z][a-z ]*?)\s+(?:(?:should|must|can|will|needs? to|has to|have to)\s+)?"
    rf"(?:stay|stays|remain|remains|be left|be kept){_STATE_SAID_LAST}",
    re.IGNORECASE,
)

# "make sure the oven isn't left on", "check that the fridge is shut", "I'd like the oven off",
# "the fridge shouldn't be left open": the state a thing is to be in, said outright; "isn't",
# "shouldn't" ask for the opposite of the word after them. A thing's words are never a
# preposition or "and" ("put the milk in the fridge and the oven should be off").
_THING_SAID = r"(?P<what>(?:the|my|your|our)(?:\s+(?!(?:and|then|but|in|into|on|onto|to|from|of|off|out|if|with)\b)[a-z]+)+?|it|they|them)"
_HOW_SAID = (
    r"(?:\s+(?:left|still|kept|switched|turned))?\s+(?P<how>[a-z]+)(?:\s*,?\s+and\s+(?P<also>[a-z]+))?(?:\s+(?:too|as well|also|again))?"
    r"\s*(?=[,.;!?]|\band\b|\bthen\b|\bbut\b|$)[\s,]*(?:and\b|then\b|but\b)?\s*"
)
_SAID_TO_BE = rf"{_THING_SAID}(?:\s+(?:is|are)|'s|\u2019s)(?P<denied>n'?t|n\u2019t|\s+not)?{_HOW_SAID}"
_MADE_SURE = re.compile(rf"\b(?:make sure|make certain|be sure|ensure|check that|see that|see to it that)\s+(?:that\s+)?{_SAID_TO_BE}", re.IGNORECASE)
_ALSO_TO_BE = re.compile(_SAID_TO_BE, re.IGNORECASE)  # "make sure the oven is off and the fridge is shut"
_WANTED_SO = re.compile(
    rf"\b(?:(?P<denied>i don'?t want|i do not want|we don'?t want)|i'?d like|i would like|i want|we want|i'?d prefer|i need|we need)\s+{_THING_SAID}{_HOW_SAID}",
    re.IGNORECASE,
)
_NOT_WANTED = re.compile(rf"\s*want\s+{_THING_SAID}{_HOW_SAID}", re.IGNORECASE)  # "I don't want the radio on"
_ALSO_SO = re.compile(rf"{_THING_SAID}{_HOW_SAID}", re.IGNORECASE)  # "I'd like the oven off and the fridge shut"
_SHOULD_BE = re.compile(
    rf"\b{_THING_SAID}\s+(?:should|must|ought to|needs? to|has to|have to)(?P<denied>n'?t|n\u2019t|\s+not)?\s+be{_HOW_SAID}", re.IGNORECASE
)
# "Fan on, lamp off.": a clause of a thing and its state only, said at its start (after "and" only
# where the clause before is one too: "switch the light and the fan off" is one verb's)
_TERSE = re.compile(
    r"(?:^|(?<=[,;.!?])|(?<=\bon and)|(?<=\boff and)|(?<=\bopen and)|(?<=\bclosed and)|(?<=\bshut and))\s*(?P<what>(?:the\s+|my\s+)?[a-z]+(?:\s+(?!(?:is|are|was|were|be|s)\b)[a-z]+)?)\s+(?P<how>on|off|open|closed|shut)"
    r"(?:\s+please)?(?=\s*(?:[,.;!?]|\band\b|$))",
    re.IGNORECASE,
)
_SAID_OUTRIGHT = (_MADE_SURE, _ALSO_TO_BE, _WANTED_SO, _ALSO_SO, _SHOULD_BE, _TERSE)  # the words after must ask something of their own


def _says_state_to_keep(words: str) -> bool:
    """Whether the words say how a thing is to stay ("leave the lamp on", "the lamp should stay on")."""
    return any(m.group("how").lower() in holds_when_said() for m in [*_KEPT.finditer(words), *_STAYS.finditer(words)])


def kept_as_is(world: World, text: str) -> tuple[list[str], str]:
    """(the state literals "leave X on", "keep X closed", "X should stay on", "make sure X is off"
    ask to keep, and "don't leave X on", "make sure X isn't on" ask against, the text without
    those words): "leave the night light on and turn off the tablet" keeps
    `switched_on(night_light)` and asks the model only about the tablet. "it" is the one thing
    named before that has the state."""
    fixed: list[str] = []
    matches = [*_KEPT.finditer(text), *_STAYS.finditer(text), *_SHOULD_BE.finditer(text)]
    for lead, chained in ((_MADE_SURE, _ALSO_TO_BE), (_WANTED_SO, _ALSO_SO)):
        for match in lead.finditer(text):
            while match is not None:
                matches.append(match)
                match = chained.match(text, match.end())
    # "Fan on, lamp off" only where no fuller phrase reads the same words ("leave it on")
    matches += [t for t in _TERSE.finditer(text) if not any(m.start() < t.end() and t.start() < m.end() for m in matches)]
    matches.sort(key=lambda m: m.start())
    kept_matches: list[re.Match] = []
    for match in matches:  # one reading of each word
        if not kept_matches or kept_matches[-1].end() <= match.start():
            kept_matches.append(match)
    matches = kept_matches
    said_after = {m.start("what") for m in matches if m.re in _SAID_OUTRIGHT}  # "Fan on, lamp off": one after another
    as_said = text  # the words as they came; `text` loses each match from the end on
    for match in matches[::-1]:
        hows = [match.group("how"), *([match.group("also")] if match.groupdict().get("also") else [])]  # "is off and closed"
        said = [holds_when_said().get(how.lower()) for how in hows]
        if None in said:
            continue  # "leave it there", "leave the mug alone": not a state
        rest = as_said[match.end() :].strip(" ,.;!?")
        next_words = match.end() + re.match(r"[\s,;]*(?:(?:and|then)\b)?\s*", as_said[match.end() :]).end()
        if match.re in _SAID_OUTRIGHT and rest and not asks_something(world, rest) and next_words not in said_after:
            continue  # "make sure the oven is off and the door shut": the words after need the subject
        what = match.group("what")
        if re.fullmatch(r"(?:it|them|they)", what.strip(), re.IGNORECASE):
            names = mentioned_names(world, text[: match.start()])
        else:
            names = mentioned_names(world, what)
        literals = []
        for state, value in said:
            value = value != bool(match.groupdict().get("denied"))  # "don't leave the toaster on"
            things = [n for n in names if n in world.objects_by_name and state in world.objects_by_name[n].states]
            if len(things) == 1:
                literals.append(f"{state}({things[0]})" if value else f"not {state}({things[0]})")
        if len(literals) != len(said):
            continue
        fixed[:0] = literals
        # "leave the fridge open and put the milk in it": "it" still means the fridge
        after = text[match.end() :]
        pronoun = re.search(r"\bit\b", after)
        into_it = pronoun and re.search(r"\b(?:in|into|inside|on|onto)\s*$", after[: pronoun.start()]) and world.objects_by_name[things[0]].receptacle
        if pronoun and (into_it or not [n for n in mentioned_names(world, after[: pronoun.start()]) if n in world.objects_by_name]):
            after = after[: pronoun.start()] + f"the {things[0].replace('_', ' ')}" + after[pronoun.end() :]
        text = text[: match.start()] + after
    if fixed:  # no "and" left hanging where the words were
        text = re.sub(r"\s*\b(?:and|then|but)\s*(?=[,.;!?]|$)", "", text.strip(), flags=re.IGNORECASE)
        text = re.sub(r"^[\s,;]*(?:and\b|then\b)?\s*", "", text, flags=re.IGNORECASE)
        text = re.sub(r"\s+", " ", text)
    return fixed, text


# "take everything out of the school bag", "empty the pencil case onto the desk"
# "everything", or "the dirty things": every thing, or those an adjective of the shared table describes
_ALL_THINGS = r"(?:everything|all the things|all the stuff|the (?P<how>[a-z]+) (?:things|stuff|items))"
_EMPTIED = re.compile(
    rf"\b(?:(?:take|get|pull|clear)\s+(?:{_ALL_THINGS}|it all)\s+(?:out of|off|from)|empty(?:\s+out)?)"
    r"\s+(?:the |my )?(?P<what>[a-z][a-z ]*?)(?:\s+(?:and\s+(?:put|place|set|move|lay|leave)\s+(?:it all|it|them|everything)\s+)?"
    r"(?:onto|into|on|in|to)\s+(?:the |my )?(?P<onto>[a-z][a-z ]*?))?\s*(?=[,.;!?]|\band\b|\bthen\b|$)",
    re.IGNORECASE,
)


_MOVED_ALL = re.compile(
    rf"\b(?:put|move|bring|carry|load|transfer)\s+{_ALL_THINGS}\s+(?:that is |that's )?(?:from|off|out of|on|in)"
    r"\s+(?:the |my )?(?P<what>[a-z][a-z ]*?)\s+(?:onto|into|on|in|to)\s+(?:the |my )?(?P<onto>[a-z][a-z ]*?)\s*(?=[,.;!?]|\band\b|\bthen\b|$)",
    re.IGNORECASE,
)


# "load the dishwasher with the dirty things from the table": where they go comes first
_LOADED_WITH = re.compile(
    rf"\b(?:load|fill|pack)\s+(?:up\s+)?(?:the |my )?(?P<onto>[a-z][a-z ]*?)\s+with\s+{_ALL_THINGS}"
    r"\s+(?:that is |that's |that are )?(?:from|off|out of|on|in)\s+(?:the |my )?(?P<what>[a-z][a-z ]*?)\s*(?=[,.;!?]|\band\b|\bthen\b|$)",
    re.IGNORECASE,
)


def emptied(world: World, text: str, state: WorldState) -> tuple[list[str], str]:
    """(a literal for each thing in the receptacle a request empties, the text without those words):
    "take everything out of the school bag" is `not in(THING, school_bag)` for each thing in it;
    "empty the pencil case onto the desk", "put everything from the desk in the drawer" and "load
    the dishwasher with the dirty things from the table" are `in(THING, desk)`, `in(THING, drawer)`
    and `in(THING, dishwasher)` for the dirty ones. A receptacle that is filled with a
    liquid ("empty the glass") is left to the words; so is one with nothing in it."""
    fixed: list[str] = []
    matches = sorted([*_EMPTIED.finditer(text), *_MOVED_ALL.finditer(text), *_LOADED_WITH.finditer(text)], key=lambda m: m.start())
    for match in matches[::-1]:
        holders = [n for n in _names_at(world, match.group("what")) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
        onto = _names_at(world, match.group("onto")) if match.group("onto") else set()
        if len(holders) != 1 or len(onto) > 1 or (match.group(0).lower().startswith("empty") and "filled" in world.objects_by_name[holders[0]].states):
            continue
        inside = sorted(f[1] for f in state.facts if f[0] == "in" and f[2] == holders[0] and world.objects_by_name[f[1]].pickable)
        if match.group("how"):  # "clear the dirty things off the bar": those that are dirty
            described = as_described(world, state, inside, match.group("how"))
            if described is None:
                continue
            inside = sorted(described)
        if not inside:
            continue
        target = next(iter(onto), None)
        literals = [f"in({thing}, {target})" if target else f"not in({thing}, {holders[0]})" for thing in inside]
        fixed = literals + fixed
        text = text[: match.start()] + _it_spelled_out(world, text[match.end() :], target or holders[0])
    if fixed:
        text = re.sub(r"^[\s,;]*(?:and\b|then\b)?\s*", "", " ".join(text.split()), flags=re.IGNORECASE)
    return fixed, text


def _it_spelled_out(world: World, rest: str, receptacle: str) -> str:
    """"... and close it", "... and start it": "it" in the next clause is the receptacle the words
    emptied or filled, unless that clause names a movable thing of its own ("... and fold it")."""
    clause = re.match(r"[^.;!?]*?(?=\s*(?:,|\band\b|\bthen\b|[.;!?]|$))", re.sub(r"^[\s,;]*(?:and\b|then\b)?\s*", "", rest))
    said = clause.group(0) if clause else ""
    if any(world.objects_by_name[n].pickable for n in mentioned_names(world, said) if n in world.objects_by_name):
        return rest
    return re.sub(r"\bit\b", f"the {receptacle.replace('_', ' ')}", rest, count=1) if re.search(r"\bit\b", said) else rest


def everything_changed(world: World, text: str, state: WorldState) -> tuple[list[str], str]:
    """(a literal for each thing a clause's verb changes in "everything", the text without that
    clause): "turn everything off" is `not switched_on(THING)` for each thing that is on now, and
    "switch off everything on the desk" for each such thing on the desk."""
    fixed: list[str] = []
    for clause in split_requests(world, text):
        signs = verb_states(world, clause)
        if len(signs) != 1 or not re.search(r"\b(?:everything|all the things|all things)\b", clause, re.IGNORECASE):
            continue
        (name, negated), = signs
        inside = scoped_quantifiers(world, clause, state).get("everything", ("", set()))[1]
        if not inside:
            continue  # nothing to change: the usual reading says why
        fixed += [f"not {name}({thing})" if negated else f"{name}({thing})" for thing in sorted(inside)]
        text = text.replace(clause, "", 1)
    if fixed:
        text = re.sub(r"^[\s,;.]*(?:and\b|then\b)?\s*", "", " ".join(text.split()), flags=re.IGNORECASE)
        text = re.sub(r"[\s,;]*(?:\band|\bthen)?[\s,;]*(?=[.!?]?$)", "", text, flags=re.IGNORECASE)
    return fixed, text


# "put the yogurt in the lunchbox in the pantry": the second place says which lunchbox
_NESTED_DESTINATION = re.compile(
    r"\b(?P<to>in|into|on|onto|inside)\s+(?:the\s+)?(?P<kind>[a-z]+(?: [a-z]+)?)\s+(?:that(?:'s| is)\s+)?(?:in|on|at|inside)\s+(?:the\s+)?(?P<where>[a-z]+(?: [a-z]+){0,2}?)(?=\s*[,.;!?]|\s+(?:and|then)\b|\s*$)",
    re.IGNORECASE,
)


def destination_located(world: World, text: str, state: WorldState) -> str:
    """"Put the yogurt in the lunchbox in the pantry" as "... in the blue lunchbox": a place that
    follows where things go says which of several receptacles of a kind is meant, the one there
    (in it, or at that place), when exactly one is."""
    def spelled(match: re.Match) -> str:
        holders = [n for n in mentioned_names(world, match.group("kind")) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
        wheres = mentioned_names(world, match.group("where"))
        if len(holders) < 2 or not wheres or set(holders) & wheres:
            return match.group(0)
        holder_of = state.holders()
        there = [h for h in holders if holder_of.get(h) in wheres or state.object_place(h) in wheres]
        if len(there) != 1:
            return match.group(0)
        return f"{match.group('to')} the {there[0].replace('_', ' ')}"

    return _NESTED_DESTINATION.sub(spelled, text)


_SENT_TO = re.compile(r"\b(?:to|into|towards)\s+(?:the\s+)?(?P<what>[a-z]+(?: [a-z]+){0,2})", re.IGNORECASE)


def rooms_sent_to(world: World, text: str) -> set[str]:
    """The places (rooms, docks) the words send something to: "... and bring it to the hallway".
    A goal must say something of each ("in the living room" only says where)."""
    found: set[str] = set()
    for match in _SENT_TO.finditer(without_conditions(text)):
        places = {p for p in mentioned_names(world, match.group("what")) if p in world.places_by_name}
        found |= places if len(places) == 1 else set()
    return found


def located_by(world: World, text: str, state: WorldState) -> tuple[set[str], set[str]]:
    """(things that only say where, "next to the hand soap"; where each of them is, which the goal
    may use as the place to put something)."""
    located: set[str] = set()
    places: set[str] = set()
    objects = world.objects_by_name
    matches = [(m, False) for m in _LOCATOR.finditer(text)] + [(m, True) for m in _TOWARDS.finditer(text)]
    for match, fixtures_only in matches:
        words = " ".join(match.group("what").split()[:3])
        for name in mentioned_names(world, words):
            if name not in objects or (fixtures_only and (objects[name].pickable or objects[name].receptacle)):
                continue
            located.add(name)
            holder = next((f[2] for f in state.facts if f[0] == "in" and f[1] == name), None)
            where = holder or state.object_place(name)
            if where is not None:
                places.add(where)
    for match in _PUT_IT_WITH.finditer(text):  # "put it in the cupboard with the white mug": the mug stays
        located |= {n for n in mentioned_names(world, " ".join(match.group("what").split()[:3])) if n in objects}
    return located, places


# "put it in the cupboard with the white mug": "it" goes there; the white mug only keeps it company
_PUT_IT_WITH = re.compile(
    r"\b(?:put|place|move|set|stand|pop|hang|stick|lay|leave)\s+(?:it|them)\s+(?:in|into|on|onto|inside|by|near|beside|next to)\s+[a-z ]+?\s+with\s+(?!(?:the\s+)?(?:other|rest)\b)(?:the\s+|my\s+)?(?P<what>[a-z][a-z ]*)",
    re.IGNORECASE,
)


_FROM = re.compile(r"\b(?:from|off|out of) (?:the |a |an )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)
# "bring the box on shelf B over to shelf A", "put the glass on the coffee table in the sideboard":
# the first place says which one, the second where it goes
_WHERE_IT_IS = re.compile(
    r"\b[a-z]+ (?:(?:on|in|at|inside) (?:the )?(?P<what>[a-z]+(?: [a-z]+){0,2}?) (?:over |across |back )?(?:to|into|onto|next to|beside)"
    r"|on (?:the )?(?P<surface>[a-z]+(?: [a-z]+){0,2}?) (?:in|inside)(?= the| a| an))\b",
    re.IGNORECASE,
)
_IN_PLACE = re.compile(r"\b(?:in|at) (?:the )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)
# adjectives that pick one of several things of a kind by its state: (word, state, value)
_STATE_ADJECTIVES = (("dirty", "clean", False), ("filthy", "clean", False), ("used", "clean", False), ("fresh", "clean", True), ("empty", "filled", False), ("full", "filled", True))


def passed_over(world: World, text: str) -> set[str]:
    """The things a request offers only as the other choice: "put the orange or the banana in the
    fridge" asks for one of them, so the first is meant and the banana passed over."""
    objects = world.objects_by_name
    found: set[str] = set()
    for match in re.finditer(r"\bor\b", text, re.IGNORECASE):
        before: list[str] = []
        for word in reversed(text[: match.start()].split()[-4:]):
            if word.lower().strip(",") in _PHRASE_ENDS or word.endswith(","):
                break
            before.insert(0, word)
        after: list[str] = []
        for word in text[match.end() :].split()[:4]:
            if word.lower().strip(".,!?") in _PHRASE_ENDS:
                break
            after.append(word)
        first = [n for n in mentioned_names(world, " ".join(before)) if n in objects and objects[n].pickable]
        other = [n for n in mentioned_names(world, " ".join(after)) if n in objects and objects[n].pickable]
        if len(first) == 1 and len(other) == 1 and first != other:
            found.add(other[0])
    return found


def _without(pattern: re.Pattern, text: str) -> str:
    """The text without each match of a "PREPOSITION the NAME" pattern, the name's words included."""
    rest = text
    for match in reversed(list(pattern.finditer(text))):
        words = []
        for word in match.group("what").split()[:4]:
            if word.lower() in _PHRASE_ENDS:
                break
            words.append(word)
        rest = rest[: match.start()] + rest[match.start("what") + len(" ".join(words)) :]
    return rest


def only_locating(world: World, text: str, located: set[str]) -> set[str]:
    """Of the things `located_by` found, those the words name nowhere but after "next to", "by",
    ...: "put the soap by the washbasin" does not put it in the washbasin. A thing a condition
    names stays where "it" asks something of it ("if the kettle is empty, fill it, ... and put the
    mug next to the kettle")."""
    asking = _without(_LOCATOR, without_conditions(text))
    spoken = mentioned_names(world, asking)  # "once the kettle is off, ..." asks nothing of it
    if re.search(r"\b(?:it|them)\b", asking, re.IGNORECASE):
        spoken |= mentioned_names(world, _without(_LOCATOR, text))
    return located - spoken


def only_destinations(world: World, text: str) -> set[str]:
    """Things the words name only as where something goes: in "take the egg out and put it in the
    saucepan" the saucepan goes nowhere itself."""
    return destinations_in(world, text) - mentioned_names(world, _without(_DESTINATION, text))


def narrowed(world: World, text: str, names: set[str], state: WorldState) -> set[str]:
    """Names left when the words pick among things of one kind: "the mug from the nook table" is
    the one there, "the dirty plate" the one that is not clean, "turn on the lamp" (one clause)
    the one that is off. Nothing is dropped unless some thing of the kind fits."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    origins = {n for m in _FROM.finditer(text) for n in mentioned_names(world, " ".join(m.group("what").split()[:3]))}
    origins |= {n for m in _WHERE_IT_IS.finditer(text) for n in mentioned_names(world, m.group("what") or m.group("surface"))}
    # "switch off the lamp by the bed": the lamp that stands where the bed stands
    beside = {n for m in _LOCATOR.finditer(text) for n in mentioned_names(world, " ".join(m.group("what").split()[:3]))}
    beside_places = {state.object_place(n) for n in beside if n in world.objects_by_name} - {None}
    if verb_states(world, text):  # "turn off the lamp in the living area": the one there (nothing goes there)
        origins |= {n for m in _IN_PLACE.finditer(text) for n in mentioned_names(world, " ".join(m.group("what").split()[:3])) if n in world.places_by_name}
    holder_of = state.holders()
    described = described_states(text)
    asked_by_verb = verb_states(world, text) if len(split_requests(world, text)) == 1 else frozenset()
    by_type: dict[str, list[str]] = {}  # things of one type, and things called by one last word
    for name in names:
        if name in world.objects_by_name:
            by_type.setdefault(world.objects_by_name[name].type, []).append(name)
            by_type.setdefault("called " + name.split("_")[-1], []).append(name)
    kept = set(names)
    spaced = " " + " ".join(re.findall(r"[a-z]+", text.lower())) + " "
    for group in (g for g in by_type.values() if len(g) > 1):
        fits = [n for n in group if holder_of.get(n) in origins or state.object_place(n) in origins]
        if not fits and not set(group) & beside:  # "the spare soap next to the hand soap" is not the hand soap
            # "the bedside table next to the alarm clock": the one it stands on, else those in its room
            holding = {holder_of.get(b) for b in beside}
            fits = [n for n in group if n in holding] or [n for n in group if state.object_place(n) in beside_places]
        # "take the nappies out of the drawer ... close the drawer", "put the slices back in the box
        # and the box in the fridge": the one that holds a thing the words name
        kinds = {w for n in group for w in (n.split("_")[-1], world.objects_by_name[n].type.replace("_", " "))}
        holding = [n for n in group if n in {holder_of.get(m) for m in names}]
        kind_said = "|".join(re.escape(k) for k in sorted(kinds))
        if not fits and len(holding) == 1 and re.search(rf"\b(?:out of|from|off|back (?:in|into|on|onto))\s+(?:the\s+)?(?:{kind_said})\b", text, re.IGNORECASE):
            fits = holding
        # "the sink side cupboard": the cupboard that stands at the place called sink_side
        said_at = {p.name for p in world.places for k in kinds if f" {p.name.replace('_', ' ')} {k} " in spaced}
        fits = [n for n in group if state.object_place(n) in said_at] or fits
        for word, state_name, value in _STATE_ADJECTIVES:
            if word in words:
                pool = [n for n in (fits or group) if state_name in world.objects_by_name[n].states]
                fits = [n for n in pool if ((state_name, n) in state.facts) == value] or fits
        for state_name, value in described:  # "the open drawer", "the mug that is cold"
            pool = [n for n in (fits or group) if state_name in world.objects_by_name[n].states]
            fits = [n for n in pool if ((state_name, n) in state.facts) == value] or fits
        for state_name, negated in asked_by_verb:  # "turn on the lamp": the one that is off
            pool = [n for n in (fits or group) if state_name in world.objects_by_name[n].states]
            undone = [n for n in pool if ((state_name, n) in state.facts) == negated]
            fits = undone if undone and len(undone) < len(pool) else fits
        # "the comic on the bunk bed next to the picture book": a thing called by a name only it has stays
        own_name = {n for n in group if f" {n.replace('_', ' ')} " in spaced and all(n not in (m.split("_")[-1], world.objects_by_name[m].type) for m in group if m != n)}
        fits = fits or kept_for(world, group, names - set(group))
        if not fits and re.search(rf"\b(?:in|into|on|onto|inside)\s+(?:the\s+)?(?:{'|'.join(map(re.escape, sorted(kinds)))})\b", text, re.IGNORECASE):
            fits = not_for_another_kind(world, group, names - set(group))  # "in the fridge": not the wine fridge
        if fits:
            kept -= set(group) - set(fits) - own_name
    # "turn off the lamp by the bed" where the lamp the words found stands elsewhere: the one of
    # its type by the bed ("put the mug next to the plate" moves a mug there, so only for states)
    by_state = bool(verb_states(world, text)) and bool(beside_places)
    for name in [n for n in kept if n in world.objects_by_name and n not in beside and by_state]:
        if state.object_place(name) in beside_places:
            continue
        there = [o.name for o in world.objects if o.type == world.objects_by_name[name].type and o.name not in beside and state.object_place(o.name) in beside_places]
        if len(there) == 1:
            kept = (kept - {name}) | set(there)
    return kept


def kept_for(world: World, holders: list[str], others: set[str]) -> list[str]:
    """The one receptacle of several whose name says it is for the kind of thing being moved:
    "put the fork in the drawer" is the cutlery_drawer, not the freezer_drawer. Else none."""
    movers = [n for n in others if n in world.objects_by_name and world.objects_by_name[n].pickable]
    if not movers or not all(world.objects_by_name[n].receptacle for n in holders):
        return []
    kinds = {word for mover in movers for kind in world.categories_of(mover) for word in kind.split("_")}
    kinds |= {word for mover in movers for word in mover.split("_")}
    kinds |= {word for mover in movers for alias in _type_aliases(world, mover) for word in alias.split()}
    meant = [n for n in holders if kinds & set(n.split("_")[:-1])]
    return meant if len(meant) == 1 else []


def not_for_another_kind(world: World, holders: list[str], others: set[str]) -> list[str]:
    """The one receptacle of several whose name does not say it is for some other kind of thing:
    "put the butter in the fridge" with a tall fridge and a wine fridge is the tall fridge. Else none."""
    movers = [n for n in others if n in world.objects_by_name and world.objects_by_name[n].pickable]
    if not movers or not all(world.objects_by_name[n].receptacle for n in holders):
        return []
    kinds = {word for mover in movers for kind in world.categories_of(mover) for word in kind.split("_")}
    kinds |= {word for mover in movers for word in mover.split("_")}
    kinds |= {alias for mover in movers for alias in _type_aliases(world, mover)}
    said = _kind_words(world)
    fitting = [n for n in holders if not ({w for w in n.split("_")[:-1] if w in said or w.rstrip("s") in said} - kinds)]
    return fitting if len(fitting) == 1 else []


def _type_aliases(world: World, name: str) -> list[str]:
    """The shared table's words for a thing's type ("wine" for a wine_bottle)."""
    entry = world.type_table.get(world.objects_by_name[name].type)
    return list(entry.aliases) if entry else []


def _kind_words(world: World) -> set[str]:
    """The one-word names of kinds in the shared table: types, their one-word aliases, categories
    ("wine", "cutlery", "drink"; never "top" of counter_top)."""
    return {w for type_name, entry in world.type_table.items() for w in [type_name, *entry.aliases, *entry.categories] if "_" not in w and " " not in w}


# words before a kind's name that make one of several fit: "either mug", "the other plate"
_CHOOSING = {"any", "either", "each", "every", "all", "both", "one", "other", "another", "second", "two", "three"}


def unclear_references(world: World, text: str, names: set[str], state: WorldState) -> list[str]:
    """Words that speak of one thing where several things of `names` (what is left after
    narrowing) fit them and none is named whole: "put the mug in the microwave" with a red and a
    green mug. Where things go is left out ("on the counter": any will do), and where they come
    from (the thing says which), and so are kinds the request quantifies ("either mug", "the mugs")."""
    whole = named_in(world, text)
    spaced = " " + " ".join(re.findall(r"[a-z]+", without_conditions(text))) + " "
    for name in sorted(whole, key=len, reverse=True):  # "the toy chest" says no toy
        spaced = spaced.replace(f" {name.replace('_', ' ')} ", " _ ")
    tokens = spaced.split()
    objects = _objects_of(world, names)
    kind_words = {w for o in objects for w in (o.name.split("_")[-1], o.type)}
    goes = destinations_in(world, text) | origins_in(world, text)  # "out of the drawer": the one it is in
    quantified = {n for token in quantifiers_in(world, text) for n in world.matching("object", token.split(" ", 1)[1])}
    holder_of = state.holders()
    places = {n for m in _WHERE_IT_IS.finditer(text) for n in mentioned_names(world, m.group("what") or m.group("surface"))}
    found: dict[frozenset[str], str] = {}
    for i, word in enumerate(tokens):
        fits = frozenset(o.name for o in objects if word in (o.name.split("_")[-1], o.type))
        there = frozenset(n for n in fits if state.object_place(n) in places or holder_of.get(n) in places)
        fits = there or fits  # "the bin on shelf D": the one there
        modifier = i + 1 < len(tokens) and tokens[i + 1] in kind_words  # "the armchair cushion" is a cushion
        # "in the box" may be any box; "put the box in the fridge" moves one box, so says which
        said_as_place = goes if _after_preposition(tokens[:i]) else set()
        if len(word) < 3 or len(fits) < 2 or modifier or fits & (whole | said_as_place | quantified) or (i and tokens[i - 1] in _CHOOSING):
            continue
        found.setdefault(fits, f"'{word}' could be {' or '.join(n.replace('_', ' ') for n in sorted(fits))}")
    return list(found.values())


_PLACE_WORDS = {"in", "into", "on", "onto", "to", "inside", "from", "off", "of", "out", "under", "at", "beside", "by", "near", "behind", "over", "top"}
_LEADING_WORDS = {"the", "a", "an", "my", "your", "its", "their", "our", "this", "that"}


def _after_preposition(before: list[str]) -> bool:
    """Whether the words before a kind's word put it in a phrase of where: "in the", "off the big"."""
    words = [w for w in before[-3:] if w not in _LEADING_WORDS]
    return bool(words) and (words[-1] in _PLACE_WORDS or len(words) > 1 and words[-2] in _PLACE_WORDS)


def pointed_back(world: World, clause: str, names: set[str], earlier: set[str], earlier_clauses: Sequence[str] = ()) -> set[str]:
    """The names a "that KIND" or "the same KIND" of the clause rules out: in "put the pan on the
    back burner and turn that burner on" the burner is the back one, so the front one is not meant.
    A plain "the fridge" does the same where the clause undoes what an earlier clause did to one
    ("open the wine fridge, take out the wine and shut the fridge" shuts the wine fridge), and
    where one thing of the kind was named before and the words after say nothing more of it:
    "put the cheese in the red lunchbox, then put the lunchbox in the bag" is the red one; "put
    the red mug in the sink and the mug on the table in the dishwasher" rules nothing out."""
    ruled_out: set[str] = set()
    undoing = {(p, not negated) for p, negated in verb_states(world, clause)}
    undone = {n for words in earlier_clauses if undoing & verb_states(world, words) for n in mentioned_names(world, words)}
    for match in re.finditer(r"\b(?:the same|that|this|the) ([a-z]+)\b", clause.lower()):
        plain = re.match(r"the (?!same )", match.group(0)) is not None
        kind = match.group(1)
        fits = {o.name for o in _objects_of(world, names) if kind in (o.name.split("_")[-1], o.type)}
        after = clause.lower()[match.end() :]
        # "take the beer out of the drinks fridge and put it in the fridge": where it goes is another;
        # "the mug on the table (in the dishwasher)": where it is says which ("in the bag" alone does not)
        goes_there = re.search(r"\b(?:in|into|on|onto|to|inside)\s+$", clause.lower()[: match.start()])
        said_more = goes_there or re.match(r"\s+(?:from|by|near|next to|beside|that|which|out of|off)\b", after) or re.match(
            r"\s+(?:on|in|at|under)\s+[a-z ]+?\s+(?:in|into|on|onto|to|under)\s", after
        )
        before = fits & (undone or (set() if said_more else earlier)) if plain else fits & earlier
        if len(fits) > 1 and len(before) == 1:
            ruled_out |= fits - before
    return ruled_out


def _objects_of(world: World, names: set[str]) -> list:
    """The world's objects among the names, in name order."""
    return [world.objects_by_name[n] for n in sorted(names) if n in world.objects_by_name]


_ASK_ROBOT = r"(?:please |could you |can you )?(?:have|let|get|ask|tell|make|send) "


def doer_named(world: World, text: str) -> tuple[str | None, str]:
    """(the robot a request names as the one to do it, the request without those words):
    "have moss take the cheese ..." gives (moss, "take the cheese ..."); so do "moss, take ...",
    "ask moss to take ...", "can moss take ..." and "moss should take ...". "Send moss to the
    dock" moves the robot and names no doer."""
    for robot in world.robots:
        name = r"[ _]".join(map(re.escape, robot.name.split("_")))
        patterns = (
            rf"{_ASK_ROBOT}{name}\b(?! to the\b| to a\b| to an\b)(?: to\b)?",
            rf"{name}\s*[,:]",
            rf"(?:can|could|would|will) {name}\b",
            rf"{name} (?:should|must|needs to|has to|please)\b",
        )
        for pattern in patterns:
            match = re.match(pattern, text.strip(), re.IGNORECASE)
            if match:
                return robot.name, text.strip()[match.end() :].strip(" ,:")
    return None, text


_SCOPED = re.compile(
    r"\b(?:all|every|each|both|the)(?: of)?(?: the)? (?P<kind>[a-z]+(?: [a-z]+)?) (?:in|on|from|at|off) (?:the )?(?P<where>[a-z][a-z ]*)",
    re.IGNORECASE,
)


_EVERYTHING = re.compile(
    rf"\b(?:all )?(?:{_ALL_THINGS}|all things)(?: that is| that's| that are)? "
    r"(?:in|on|from|off|out of) (?:the )?(?P<where>[a-z][a-z ]*)",
    re.IGNORECASE,
)


_EVERYTHING_STATED = re.compile(
    r"\b(?:everything|all the things|all things)(?: (?:that|which) (?:is|are|s)(?: still)? (?P<how>[a-z]+))?", re.IGNORECASE
)


_DESCRIBED_KIND = re.compile(r"\b(?:all|every|each|both|the)(?: of)?(?: the)? (?P<how>[a-z]+) (?P<kind>[a-z]+)\b", re.IGNORECASE)


def _limits(world: World, text: str, match: re.Match) -> bool:
    """Whether the place after "all KIND" says which ones rather than where they go: another
    place follows as where they go, or the verb changes a state."""
    if re.search(r"\b(?:off|from|out of)\s+(?:the\s+)?$", match.string[match.start() : match.start("where")], re.IGNORECASE):
        return True  # "the dirty things off the bar": where they come from
    words = match.group("where").split()
    cut = next((i for i, word in enumerate(words) if i and word.lower() in _PHRASE_ENDS), len(words))
    rest = " ".join(words[cut:]) + text[match.end("where") :]  # what follows the place
    return bool(destinations_in(world, rest) or verb_states(world, text))


def _a_name(world: World, words: str) -> bool:
    """Whether the words are a thing's own name or alias, said whole ("empty bottles")."""
    spoken = " ".join(words.lower().split())
    return any(spoken == o.name.replace("_", " ") or spoken in o.aliases for o in world.objects)


def scoped_quantifiers(world: World, text: str, state: WorldState, going_home: bool = False) -> dict[str, tuple[str, set[str]]]:
    """`all KIND` quantifiers the words limit to one place, with that place and the things they mean:
    "turn on every light in the lounge" is the lights there, "put all the toys on the mat in the
    chest" the toys on the mat. "Put all the fruit in the fridge" names where the fruit goes,
    not which fruit: a place counts as a scope only when another place follows as where things
    go, or the verb changes a state rather than a place, or things go home (`going_home`: "put
    away the dishes on the rack"). "Everything in the X" is every thing
    that can be picked up there (key "everything"). "The dirty dishes" is the dishes that are not
    clean, with the words said in place of a place; none may fit."""
    found: dict[str, tuple[str, set[str]]] = {}
    holder_of = {f[1]: f[2] for f in state.facts if f[0] == "in"}

    def there(name: str, where: str) -> bool:  # in or on it, or standing in that place
        return where in (holder_of.get(name), state.object_place(name))

    for match in _SCOPED.finditer(text):  # "all the toys on the mat", "the dishes from the rack"
        asked = {q for q in quantifiers_in(world, match.group(0)[: match.end("kind") - match.start()]) if q.startswith("all ")}
        places = _names_at(world, match.group("where"))
        if not asked or len(places) != 1 or not (going_home or _limits(world, text, match)):
            continue
        where = next(iter(places))
        # "dishes" is the category and, as a plural of "dish", the plates: the widest is meant
        widest = max(sorted(asked), key=lambda q: len(world.matching("object", q[4:])))
        inside = {n for n in world.matching("object", widest[4:]) if there(n, where)}
        for quantifier in asked if inside else ():
            found[quantifier] = (where, inside)
    # "the dirty dishes", "all the empty glasses": the ones of the kind in that state (none may fit)
    for match in _DESCRIBED_KIND.finditer(text):
        asked = [q for q in quantifiers_in(world, "the " + match.group("kind")) if q.startswith("all ")]
        if match.group("how").lower() not in holds_when_said() or not asked or _a_name(world, f"{match.group('how')} {match.group('kind')}"):
            continue  # "the empty bottles" where a thing is called so is that thing
        # "dishes" is the category and, as a plural of "dish", the plates: the widest is meant
        widest = max(sorted(asked), key=lambda q: len(world.matching("object", q[4:])))
        inside = as_described(world, state, world.matching("object", widest.split(" ", 1)[1]), match.group("how")) or set()
        for quantifier in asked:
            found.setdefault(quantifier, (f"{match.group('how')} {match.group('kind')}", inside))
    signs = verb_states(world, text)  # "switch off everything on the desk"
    for match in _EVERYTHING.finditer(text):  # "everything from the fridge onto the counter"
        places = _names_at(world, match.group("where"))
        if len(places) != 1 or not _limits(world, text, match):
            continue
        where = next(iter(places))
        inside = {o.name for o in world.objects if _fits_the_verb(o, signs, state) and there(o.name, where)}
        if match.group("how"):  # "the dirty things on the bar": those there that are dirty
            described = as_described(world, state, inside, match.group("how"))
            if described is None:
                continue
            inside = described
            where = f"{match.group('how')} things on the {where.replace('_', ' ')}" if not inside else where
        if inside or match.group("how"):
            found["everything"] = (where, inside)
    # "switch off everything that is on", "turn everything off": each thing the verb can change
    match = _EVERYTHING_STATED.search(text)
    if match and signs and "everything" not in found:
        inside = {o.name for o in world.objects if _fits_the_verb(o, signs, state)}
        described = as_described(world, state, inside, match.group("how") or "")
        inside = inside if described is None else described
        found["everything"] = (" ".join(match.group(0).split()), inside)
    return found


def as_described(world: World, state: WorldState, things, how: str) -> set[str] | None:
    """The things that are now as an adjective of the shared table says ("dirty": not clean);
    None when the word says no state."""
    said = holds_when_said().get(how.lower())
    if said is None:
        return None
    name, value = said
    return {n for n in things if name in world.objects_by_name[n].states and ((name, n) in state.facts) == value}


def _fits_the_verb(thing, signs: frozenset[tuple[str, bool]], state: WorldState) -> bool:
    """Whether "everything" takes in a thing: one the verb changes (a lamp that is on, for "switch
    everything off"), or, for moving, one that can be picked up."""
    if not signs:
        return thing.pickable
    return any(name in thing.states and ((name, thing.name) in state.facts) == negated for name, negated in signs)


_SPARED = re.compile(
    r"\b(?:but not|except for|except|apart from|other than|but leave|not the|(?<=, )not (?:in|into|on|onto|inside)(?= the\b))\s+(?:the |a |an |my |your )?(?P<what>[^,.;!?]*)",
    re.IGNORECASE,
)
# "don't open the fridge", "would you mind not turning the lamp on", "no need to open it", "turn
# off the TV instead of the lamp", "forget the spoon"
_FORBIDDEN = re.compile(
    r"\b(?:don'?t|do not|never|without|not(?=\s+[a-z]+ing\b)|(?:there(?:'s| is)\s+)?no need to|needn'?t|instead of|rather than|forget(?:\s+about)?(?!\s+to\b))\b"
    r"(?P<what>[^,.;!?]*)[,.;!?]?\s*",
    re.IGNORECASE,
)
# "leave the vase alone", "... and just leave the lamp" (nothing after it: as it is)
_LEAVE_ALONE = re.compile(
    r"\b(?:just\s+)?leave (?:the |my )?(?P<what>(?:(?!\b(?:on|in|into|onto|at|by|under|next|to|beside|inside|off|out|with|open|closed|shut)\b)[a-z ])+?)"
    r"(?: (?:alone|be|where it is|where they are|as it is|as they are)\b|(?=\s*(?:[,.;!?]|$)))[,.;!?]?\s*",
    re.IGNORECASE,
)


# "..., and if the desk lamp is on, leave it": nothing to do about what the condition names
_IF_LEAVE = re.compile(r",?\s*(?:and\s+|but\s+)?\b(?:if|when)\b(?P<what>[^,.;!?]*),\s*leave (?:it|them)(?: be| alone)?\s*(?=[.;!?]|$)", re.IGNORECASE)
# "if the pan is still hot, leave it and wash the mugs instead": the pan is spared, the rest asked
_IF_LEAVE_AND = re.compile(r"\b(?:if|when)\b(?P<what>[^,.;!?]*),\s*(?P<leave>leave (?:it|them)(?: be| alone)?\s*,?\s*(?:and\s+|then\s+|and then\s+|but\s+)(?=[a-z]))", re.IGNORECASE)
# "put the juice in the fridge, except the cereal box, which goes in the pantry": where the
# spared thing goes is a request of its own
_SPARED_GOES = re.compile(
    r"\b(?:but not|except for|except|apart from|other than)\s+(?P<what>(?:the|a|an|my|your)\s+[^,.;!?]*?)\s*,?\s*\b(?:which|that)\s+"
    r"(?:goes|go|belongs|belong|should go|needs to go|has to go|can go)\s+(?P<where>(?:in|into|on|onto|to|inside|back)\b[^,.;!?]*)",
    re.IGNORECASE,
)
_OTHERWISE_NOTHING = re.compile(r",?\s*\b(?:otherwise|or else|else)\s+(?:leave|do nothing|don'?t)\b[^,.;!?]*", re.IGNORECASE)


def _spared_goes(match: re.Match) -> str:
    """"Except the cereal box, which goes in the pantry" as "and put the cereal box in the
    pantry"; after "everything" or "all" the thing stays spared from them too."""
    put = f"and put {match.group('what')} {match.group('where')}"
    if re.search(r"\b(?:everything|all|every|each|anything)\b", match.string[: match.start()], re.IGNORECASE):
        return f"{match.string[match.start() : match.end('what')]}, {put}"
    return put


class LeftAlone(BaseModel):
    """What a request says to leave out: things no goal may speak of, things no step may touch."""

    spared: set[str] = set()  # "wash the red mug but not the green one": no goal about the green mug
    untouched: set[str] = set()  # "don't open the fridge": no step of the plan uses the fridge
    # "fill the kettle but don't switch it on": goal literals no answer may hold
    forbidden: set[str] = set()
    text: str  # the request without those words


# "don't leave the kettle on the hob": take it off, it does not forbid touching the kettle
_NOT_LEFT_THERE = re.compile(
    r"\b(?:don'?t|do not|never)\s+leave\s+(?P<what>[a-z][a-z' ]*?)\s+(?:lying\s+)?(?:(?P<on>on|on top of)|in|inside)\s+(?P<where>(?:the |my |your )?[a-z][a-z ]*?)(?=\s*[,.;!?]|\s+(?:and|then)\b|\s*$)",
    re.IGNORECASE,
)


def _not_left_there(world: World, text: str) -> str:
    """"Don't leave the kettle on the hob" said as "take the kettle off the hob", when both name
    something of the world."""

    def said(match: re.Match) -> str:
        if not mentioned_names(world, match.group("what")) or not _names_at(world, match.group("where")):
            return match.group(0)
        return f"take {match.group('what')} {'off' if match.group('on') else 'out of'} {match.group('where')}"

    return _NOT_LEFT_THERE.sub(said, text)


_REMINDED = re.compile(r"\b(?:(?:don'?t|do not)\s+forget|remember)\s+to\s+", re.IGNORECASE)
_POINTING_BACK = re.compile(r"\b(?:it|them)\b", re.IGNORECASE)
_NOT_FORBIDDING = re.compile(r"\s*(?:hesitate|wait)\b", re.IGNORECASE)


def _forbidden_changes(world: World, what: str, before: str) -> set[str]:
    """The goal literals a "don't" clause forbids: "don't switch it on" after "fill the kettle" is
    switched_on(kettle). "It" and "them" are what the nearest words before name."""
    names = {n for n in mentioned_names(world, what) if n in world.objects_by_name}
    if not names and _POINTING_BACK.search(what):
        for words in reversed(re.split(r"[,;.!?]|\band\b|\bbut\b|\bthen\b", before)):
            names = {n for n in mentioned_names(world, words) if n in world.objects_by_name}
            if names:
                break
    return {
        f"{'not ' if negated else ''}{state}({name})"
        for name in names
        for state, negated in verb_states(world, what)
        if state in world.objects_by_name[name].states
    }


def left_alone(world: World, text: str) -> LeftAlone:
    """Read "but not the X", "except the X", "don't touch the X" and "leave the X alone" out of a
    request: the model sees the rest, and the goal and plan are checked against them."""
    spared: set[str] = set()
    untouched: set[str] = set()
    text = _not_left_there(world, text)
    text = _OTHERWISE_NOTHING.sub("", text)  # "..., otherwise leave it": nothing to do otherwise
    text = _REMINDED.sub("", text)  # "don't forget to switch the lamp on" asks it
    text = _SPARED_GOES.sub(_spared_goes, text)
    for match in list(_IF_LEAVE_AND.finditer(text))[::-1]:
        if names := _names_at(world, match.group("what")):
            spared |= names
            text = text[: match.start("leave")] + text[match.end("leave") :]
    forbidden: set[str] = set()
    for pattern, into in ((_FORBIDDEN, untouched), (_LEAVE_ALONE, untouched), (_IF_LEAVE, spared), (_SPARED, spared)):
        for match in list(pattern.finditer(text))[::-1]:
            what = match.group("what")
            if pattern in (_FORBIDDEN, _LEAVE_ALONE) and (_says_state_to_keep(match.group(0)) or _NOT_FORBIDDING.match(what)):
                continue  # "don't leave the toaster on" asks for it off; "don't hesitate to ..." asks
            if pattern is _FORBIDDEN and (wanted := _NOT_WANTED.match(what)) and wanted.group("how").lower() in holds_when_said():
                continue  # "I don't want the radio on" asks for it off
            # "fill the kettle but don't switch it on": the kettle may be filled, not switched on;
            # "don't open the fridge" where nothing else asks about the fridge: no step uses it
            said_elsewhere = not mentioned_names(world, what).isdisjoint(mentioned_names(world, text[: match.start()] + text[match.end() :]))
            if pattern is _FORBIDDEN and verb_states(world, what) and (said_elsewhere or _POINTING_BACK.search(what)):
                # what it points at is unclear: the words still never ask for that change
                forbidden |= _forbidden_changes(world, what, text[: match.start()])
                text = text[: match.start()] + text[match.end() :]
                continue
            names = mentioned_names(world, what) if pattern is _FORBIDDEN else _names_at(world, what)
            if not names:
                continue
            into |= names
            end = _end_of_spared(world, what, names) if pattern is _SPARED else None
            text = text[: match.start()] + text[match.end() if end is None else match.start("what") + end :]
    text = re.sub(r"\s+([.,;!?])", r"\1", " ".join(text.split()))
    text = re.sub(r"[,;]+([.!?])", r"\1", text)  # "put the plates away, except the blue one."
    text = re.sub(r"[,;]?\s*\b(?:and|but|then)\s*([.!?]?)\s*$", r"\1", text, flags=re.IGNORECASE)  # "fill it, but" (a "don't" clause taken out)
    text = re.sub(r"[,;]\s*$", "", text)
    return LeftAlone(spared=spared, untouched=untouched, forbidden=forbidden, text=re.sub(r"^(?:and|but|then)\s+", "", text, flags=re.IGNORECASE))


def _end_of_spared(world: World, what: str, names: set[str]) -> int | None:
    """Where the names spared end, when the words after them still say where the rest goes:
    "everything on the table except the spoon goes in the cupboard". None: up to the punctuation."""
    parts = {part for name in names for part in name.split("_")}
    words = list(re.finditer(r"[a-z]+", what.lower()))
    last = None
    for word in words[:4]:
        if word.group() in _PHRASE_ENDS:
            break
        if word.group() in parts or word.group().rstrip("s") in parts or (last is not None and word.group() in ("one", "ones")):
            last = word
    if last is None:
        return None
    rest = what[last.end() :]
    if re.match(r"\s*(?:and|or|nor)\b", rest, re.IGNORECASE) or not destinations_in(world, rest):
        return None
    return last.end()


# words that end the name of a place a thing comes from or goes to
_PHRASE_ENDS = {"in", "into", "on", "onto", "to", "inside", "and", "then", "from", "off", "out", "of", "back", "if", "with"}
# "take the milk out if it's in there and put it on the worktop": a place's words end at "and", "if", ...
_DESTINATION = re.compile(
    r"\b(?:in|into|on|onto|to|inside|on top of) (?:the |a |an |any |its |their )?"
    r"(?P<what>[a-z][a-z ]*?)(?=\s+(?:and|then|if|but|when|unless)\b|\s*[^a-z ]|\s*$)",
    re.IGNORECASE,
)
# "turn off the lamp", "switch it off": "off" after these words is a state, not where from
_OFF_AS_STATE = {"turn", "turned", "turning", "switch", "switched", "switching", "shut", "power", "powered", "it", "them"}


def _names_at(world: World, words: str) -> set[str]:
    """The names the first few words of a phrase give, up to the next preposition."""
    kept = []
    for word in words.split()[:4]:
        if word.lower() in _PHRASE_ENDS and (kept or word.lower() != "back"):  # "on the back counter" names it
            break
        kept.append(word)
    return mentioned_names(world, " ".join(kept)) if kept else set()


def origins_in(world: World, text: str) -> set[str]:
    """The names a request gives as where things come from ("out of the toy crate", "off the table")."""
    origins: set[str] = set()
    for match in _FROM.finditer(text):
        before = text[: match.start()].split()[-1:]
        if match.group(0).lower().startswith("off") and before and before[0].lower().strip(",.") in _OFF_AS_STATE:
            continue
        origins |= _names_at(world, match.group("what"))
    return origins


# "put the vase on it", "the shoes next to it": the pronoun stands for a place
_PRONOUN_AS_PLACE = re.compile(r"\b(?:in|into|on|onto|inside|beside|by|near|under|behind|next to|on top of)\s+(?:it|them)\b", re.IGNORECASE)


def reaches_back_to(world: World, clause: str, earlier: list[str], earlier_names: set[str], before: Sequence[str] = ()) -> set[str]:
    """What a pronoun in the clause may stand for among the names of the request before: in "take
    the teddy out of the toy crate and put it on the armchair" "it" is the teddy, never the crate
    it comes out of; in "... and close it" or "put the vase on it" it may be the place. "Get the
    jar out of the cupboard and open it" opens the jar: the cupboard is open once the jar is out.
    "Open the cupboard, take out the game and close it again" closes what was opened (of all the
    request's clauses `before`). A verb that asks a state reaches only what can have it: in "put
    the tomatoes on the board, slice them" "them" is the tomatoes."""
    asked = verb_states(world, clause)
    if re.search(r"\bagain\b", clause, re.IGNORECASE) and asked:
        undone = {
            n
            for words in [*before, *earlier]
            if {(p, not negated) for p, negated in asked} & verb_states(world, words)
            for n in mentioned_names(world, words)
            if n in world.objects_by_name and {p for p, _ in asked} & set(world.objects_by_name[n].states)
        }
        if undone:
            return undone
    # "put the tomatoes on the board, slice them ...": only the tomatoes can be sliced
    states = {p for p, _ in asked} - {"in", "at"}
    # "take the apples out of the salad bowl, wash them": "them" is the apples, never the one bowl
    if states and re.search(r"\bthem\b", clause, re.IGNORECASE) and not re.search(r"\bit\b", clause, re.IGNORECASE) and not _PRONOUN_AS_PLACE.search(clause):
        earlier_names = {n for n in earlier_names if said_in_plural(n)} or earlier_names
    able = {n for n in earlier_names if n in world.objects_by_name and states & set(world.objects_by_name[n].states)}
    if able and not _PRONOUN_AS_PLACE.search(clause):
        earlier_names = able
    origins = set().union(*(origins_in(world, words) for words in earlier)) if earlier else set()
    if asked == {("open", False)} and not _PRONOUN_AS_PLACE.search(clause):
        opening = {n for n in earlier_names - origins if n in world.objects_by_name and "open" in world.objects_by_name[n].states}
        if opening and origins & earlier_names:
            return earlier_names - origins
    if _PRONOUN_AS_PLACE.search(clause) or not destinations_in(world, clause):
        return earlier_names
    return earlier_names - origins or earlier_names


def not_where_said(world: World, text: str, state: WorldState) -> list[str]:
    """Why a clause that takes a thing out of or off somewhere cannot be done as said: nothing it
    can mean is there now. "Grab a beer out of the fridge" where the only beers stand in the
    recycling crate would move those; it is refused, naming where they are. A thing named as
    that one ("the board game out of the bookcase") is still meant where it stands."""
    holders = state.holders()
    objects = world.objects_by_name
    reasons: list[str] = []
    if not destinations_in(world, without_conditions(text)):  # "take the cup off the table": nothing moves wrongly
        return reasons
    # a list shares its origin ("take the hoodie and the socks off the couch"): one of them there will do
    for group in request_groups(world, text):
        clause = " and ".join(group)
        asking = without_conditions(clause)
        origins = {n for n in origins_in(world, asking) if n in objects or n in world.places_by_name}
        if len(origins) != 1 or re.search(r"\b(?:it|them|one)\b", asking, re.IGNORECASE):
            continue
        taken = re.split(r"\b(?:out of|off|from)\b", asking, maxsplit=1)[0]
        if not re.search(r"\b(?:a|an|some|any|one)\b", taken, re.IGNORECASE):
            continue  # "take the board game out of the bookcase": the thing is named; where it is was only said
        origin = next(iter(origins))
        # "off the hook" where a coat hook and a key hook hang: either may be meant
        kinds = {n for n in objects if origin in objects and objects[n].type == objects[origin].type}
        movers = {n for n in mentioned_names(world, asking) - origins - destinations_in(world, asking) if n in objects and objects[n].pickable}
        if not movers:
            continue

        def there(name: str) -> bool:  # in or on the origin, directly or inside something there, or in that room
            chain, seen = [], name
            while seen in holders and seen not in chain:
                seen = holders[seen]
                chain.append(seen)
            return bool(({origin} | kinds) & set(chain)) or state.object_place(name) == origin

        if not any(there(n) for n in movers):
            shown = ", ".join(f"the {n.replace('_', ' ')} is in {(holders.get(n) or state.object_place(n) or 'no place').replace('_', ' ')}" for n in sorted(movers))
            reasons.append(f"'{clause.strip()}': nothing it names is in or on the {origin.replace('_', ' ')} now ({shown})")
    return reasons


def came_from(world: World, text: str) -> set[str]:
    """Things and places named only as where something comes from, in a request that also says
    where it goes: in "clear the glass off the coffee table onto the bar cart" the coffee table
    is no goal of its own. "Take the milk out of the fridge" names no other place, so the fridge
    stays what the request is about, and so does a place a clause of its own acts on ("grab the
    peas from the freezer, put them on the worktop and close the freezer")."""
    origins = origins_in(world, text)
    if not origins:
        return set()
    destinations = destinations_in(world, without_conditions(text))  # "if the eggs are in the fridge" sends nothing there
    clauses = split_requests(world, text)
    acted_on = {n for clause in clauses if verb_states(world, clause) for n in mentioned_names(world, clause) - origins_in(world, clause)}
    # "take the cookies out of the jar and put the jar in the dishwasher": a clause moves the jar;
    # "... out of the fruit bowl ... and put the bowl in the sink": the bowl said again is that one
    for i, clause in enumerate(clauses):
        names = mentioned_names(world, clause)
        ruled_out = pointed_back(world, clause, names, {n for words in clauses[:i] for n in named_in(world, words)}, clauses[:i])
        acted_on |= names - ruled_out - origins_in(world, clause) - destinations_in(world, clause)
    return origins - destinations - acted_on if destinations - origins else set()


_TOOL = re.compile(r"\b(?:with|using|at)\s+(?:the |a |an |my |your )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)
_WORKED_IN = re.compile(
    r"\b(?:in|inside|on)\s+(?:the |a |an |my |your )?(?P<what>[a-z][a-z ]*?)(?=\s+(?:in|inside|on|at|with|and|then)\b|\s*[,.;!?]|\s*$)", re.IGNORECASE
)
# what makes a state where a thing is put in or on it: "heat the milk in the microwave"
_APPLIANCE_CATEGORIES = {"heat_source", "toaster", "water_source"}


# verbs whose "on" and "off" say how a thing is to be, not where: "switch on the candle on the shelf"
PARTICLE_VERBS = {f"{verb}{ending}" for verb in ("switch", "turn", "power", "flick", "shut") for ending in ("", "s", "es", "ed", "ing")}
_PARTICLE = re.compile(rf"\b({'|'.join(sorted(PARTICLE_VERBS, key=len, reverse=True))})\s+(?:on|off)\b", re.IGNORECASE)


def without_particles(text: str) -> str:
    """The text with the "on" or "off" of "switch on", "turn off" ... left out."""
    return _PARTICLE.sub(r"\1", text)


def tools_named(world: World, text: str) -> set[str]:
    """Things named only as what a state is made with or at, in a clause whose verb changes a
    state: "slice the bread with the knife", "fill the bucket at the sink", "fry the eggs in the
    pan" (a pan that holds nothing), "heat the milk in the microwave" (an appliance that makes the
    state). The plan uses them; the goal need say nothing of them: "heat the milk in the microwave
    and put it on the table" leaves the milk on the table."""
    found: set[str] = set()
    text = without_particles(text)  # "switch on the candle on the shelf": the candle is what changes
    clauses = [without_conditions(clause) for clause in split_requests(world, text)]  # "if it is cold, heat it in ..."
    for i, clause in enumerate(clauses):
        changed = {n for n in mentioned_names(world, _without(_TOOL, clause)) if n in world.objects_by_name}
        points_back = re.search(r"\b(?:it|them)\b", _without(_TOOL, clause), re.IGNORECASE)  # "slice it with the knife"
        # "dry it with the tea towel": a verb no skill has still works with a tool
        if (verb_states(world, clause) or verb_no_skill_says(world, clause)) and (changed or points_back):  # "look at the fish tank": the thing looked at
            found |= {n for m in _TOOL.finditer(clause) for n in _names_at(world, m.group("what")) if n in world.objects_by_name}
            # "fry the eggs in the frying pan": nothing can be in the pan, so it is what the eggs are fried in
            held = {n for m in _WORKED_IN.finditer(clause) for n in _names_at(world, m.group("what")) if n in world.objects_by_name}
            tools = {n for n in held if not world.objects_by_name[n].receptacle or _APPLIANCE_CATEGORIES & set(world.categories_of(n))}
            # "slice the cheese on the board and put them in the lunchbox": the board is only where
            sent_on = any(re.search(r"\b(?:it|them)\b", later, re.IGNORECASE) and destinations_in(world, later) - held for later in clauses[i + 1 :])
            tools |= held if sent_on else set()
            if (changed | held) - tools or points_back:  # something else is what changes ("boil water in the pot on the range", "heat it in the microwave")
                found |= tools
        else:  # "put the loaf in the microwave, heat it, then put it on the table": the microwave is on the way,
            # and so is the board in "put the tomatoes on the board, slice them and put them in the bowl"
            held = {n for m in _WORKED_IN.finditer(clause) for n in _names_at(world, m.group("what")) if n in world.objects_by_name}
            movers = {n for n in mentioned_names(world, clause) if n in world.objects_by_name} - held

            def about(words: str) -> bool:  # the clause speaks of what was put there
                return bool(re.search(r"\b(?:it|them)\b", words, re.IGNORECASE) or movers & mentioned_names(world, words))

            later = clauses[i + 1 :]
            worked = [j for j, words in enumerate(later) if verb_states(world, words) and about(words)]
            if held and movers and worked and any(about(words) and destinations_in(world, words) - held for words in later[worked[0] + 1 :]):
                found |= held
    return found - mentioned_names(world, _without(_WORKED_IN, _without(_TOOL, text)))


def destinations_in(world: World, text: str) -> set[str]:
    """The names a request gives as where things go ("on the tray", "into the bin")."""
    return {name for _, names in destinations_said(world, text) for name in names}


def destinations_said(world: World, text: str) -> list[tuple[str, set[str]]]:
    """Each phrase that says where things go ("in the drawer"), with the names it may mean."""
    return [(match.group(0), _names_at(world, match.group("what"))) for match in _DESTINATION.finditer(text)]


def each_of_them(world: World, clause: str, earlier: list[str], earlier_names: set[str]) -> list[tuple[str, str]]:
    """(clause, thing) for each thing "them" or "they" stands for: "wash the plate and the mug and
    put them away in the cupboard" asks about the plate and the mug one at a time. Things the
    earlier words put somewhere or take things from are where, not what ("put the pear on the tray
    and take them ..." is still the pear). Empty when the clause has no plural pronoun or it stands for one thing."""
    if not re.search(r"\b(?:them|they)\b", clause, re.IGNORECASE):
        return []
    places = set().union(*(destinations_in(world, words) for words in earlier)) if earlier else set()
    # "take the eggs out of the carton and put them in the pot", "take the apples out of the bowl
    # and wash them": not the carton, not the bowl
    places |= set().union(*(origins_in(world, words) for words in earlier)) if earlier else set()
    objects = world.objects_by_name
    things = sorted(n for n in earlier_names if n in objects and objects[n].pickable and n not in places)
    if len(things) < 2:
        return []
    return [(re.sub(r"\b(?:them|they)\b", f"the {t.replace('_', ' ')}", clause, flags=re.IGNORECASE), t) for t in things]


__all__ = [
    "LeftAlone",
    "not_where_said",
    "came_from",
    "carried_contents",
    "destination_located",
    "destinations_in",
    "destinations_said",
    "doer_named",
    "PARTICLE_VERBS",
    "each_of_them",
    "emptied",
    "tools_named",
    "everything_changed",
    "kept_as_is",
    "left_alone",
    "located_by",
    "narrowed",
    "only_destinations",
    "only_locating",
    "origins_in",
    "passed_over",
    "pieces_of",
    "pointed_back",
    "reaches_back_to",
    "as_described",
    "not_for_another_kind",
    "rooms_sent_to",
    "scoped_quantifiers",
    "unclear_references",
    "without_particles",
    "worked_at",
]
