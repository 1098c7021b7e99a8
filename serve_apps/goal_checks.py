"""Checks of a model's goal against the request's words: what it leaves out, what it says backwards.

Each check raises a FleetError that says what is wrong, which the language planner sends back
to the model with the request (and, for literals a greedy model would say again, takes off the
menu). An answer that keeps failing one is refused, never taken as it is.
"""

from __future__ import annotations

import re
from typing import Optional

from fleet.errors import FleetError
from fleet.lexicon import asked_states, denied_states, verb_states, without_conditions
from fleet.literals import Literal, parse_literal, quantifier
from fleet.state import WorldState
from fleet.world import World
from serve_apps.clauses import split_requests
from serve_apps.phrasing import PARTICLE_VERBS, came_from, destinations_in, destinations_said, only_destinations, origins_in, pointed_back
from serve_apps.vocabulary import mentioned_names, named_in, quantifiers_in

def things_asked_about(world: World, text: str, among: Optional[set[str]] = None) -> set[str]:
    """Objects the request names whole, other than where something named starts out (the
    drawer the knife is taken out of): a goal should say something about each of them. With
    `among` (the names the words were narrowed to), a thing called by its kind alone counts
    when it is the only one of them so called: "the lamp in the living area"."""
    named = named_in(world, text) | _only_one_called(world, text, among)
    origins = {world.objects_by_name[n].location for n in named if n in world.objects_by_name}
    # "one of the mugs" (`any mug`): no one mug is asked about
    either = {n for token in quantifiers_in(world, text) if (q := quantifier(token)) and q[0] == "any" for n in world.matching("object", q[1])}
    passed = _passed_through(world, text)
    return {n for n in named if n in world.objects_by_name and n not in origins | either | passed}


def _passed_through(world: World, text: str) -> set[str]:
    """Places a clause sends a thing to that a later clause sends it on from: "move the pan to
    the sink and wash it, then put it back on the burner" ends with the pan on the burner."""
    sent = []
    for clause in split_requests(world, text):
        places = destinations_in(world, clause)
        things = {n for n in named_in(world, clause) - places if n in world.objects_by_name and world.objects_by_name[n].pickable}  # said whole, not "one"
        sent.append((places, things))
    found: set[str] = set()
    for i, (places, things) in enumerate(sent):
        for later_places, later_things in sent[i + 1 :]:
            if things & later_things and later_places - places:
                found |= places - later_places
    return found


def _only_one_called(world: World, text: str, among: Optional[set[str]] = None) -> set[str]:
    """Objects a request names by their last word or type alone where no other object (of
    `among`, if given) shares it: "the lamp" is the standing_lamp when that is the only lamp."""
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    spoken = {part for name in named_in(world, text) for part in name.split("_")}
    mentioned = mentioned_names(world, text)  # "the remote" is the remote_control; "put it back" is no back_burner
    found = set()
    for word in words - spoken:
        if len(word) < 3 or not word.isalpha():
            continue  # "a" of "do a safety round" is not dock_door_a
        called = {
            o.name
            for o in world.objects
            if (o.name.split("_")[-1] == word or o.type == word or (o.name in mentioned and word in o.type.split("_")))
            and (among is None or o.name in among)
        }
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


def _said_whole(words: list[str], parts: list[str]) -> list[int]:
    """Where the words say a name of these parts whole."""
    return [i for i in range(len(words) - len(parts) + 1) if words[i : i + len(parts)] == parts]


def _first_mention(world: World, words: list[str], name: str) -> Optional[int]:
    """Where a request first speaks of a name: its first word found, or its type."""
    obj = world.objects_by_name.get(name)
    parts = name.split("_")
    whole = _said_whole(words, parts)
    if whole:  # "the school bag" said whole, not the "school" of "the school book"
        return whole[0]
    heads = {parts[-1]} | ({obj.type} if obj else set())
    # the "bowl" of "the washing up bowl" is that bowl, not the pudding bowl
    others = {
        i
        for other in world.objects_by_name
        if other != name and "_" in other
        for start in _said_whole(words, other.split("_"))
        for i in range(start, start + other.count("_") + 1)
    }
    for wanted in (heads, set(parts) - _POSSESSIVES):  # the "my" of my_desk is not said of it alone
        spots = [i for i, word in enumerate(words) if (word in wanted or word.rstrip("s") in wanted) and i not in others]
        if spots:
            return min(spots)
    return None


_POSSESSIVES = {"my", "your", "our", "his", "her", "their"}
_ORIGIN_WORDS = ("from", "off", "out of", "off of")
_TAKE_OUT = {"out", "remove", "removed"}  # a clause with these takes its things out of where they are


_BESIDE_WORDS = ("next", "by", "beside", "near", "alongside")
_TO_WORDS = ("in", "into", "on", "onto", "to", "inside", "at", "next", "by", "beside", "near", "under", "behind")


def _said_after(world: World, text: str, words: tuple[str, ...]) -> set[str]:
    """The names the four words after each of `words` give: "on shelf D to dock A" gives shelf_d
    and the docks called A."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return {n for i, t in enumerate(tokens) if t in words for n in mentioned_names(world, " ".join(["the", *tokens[i + 1 : i + 5]]))}


def _holders(world: World, name: str) -> list[str]:
    """What a thing stands in or on at first, out to the place: the windowsill, then toilet_side."""
    chain: list[str] = []
    while name in world.objects_by_name and name not in chain:
        name = world.objects_by_name[name].location
        chain.append(name)
    return chain


def misplaced(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` literals the request's words contradict: b named before a in the one clause
    naming both ("put the sofa on the cart" answered `in(cart, sofa)`), or b named only as where
    a comes from ("off the coffee table"), or b not named as where anything goes in a request that takes
    a out ("take out the milk"). Requests that fill a thing with another are left alone. And
    `not in(a, b)` where the words name b only as where things go."""
    # the words that ask, not those of a condition: "unless the fridge is open, put the tomato in it"
    clauses = [re.findall(r"[a-z0-9]+", without_conditions(c)) for c in split_requests(world, text)] if text else []
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    goes_to = destinations_in(world, text) if text else set()
    # "put it next to the alarm clock": where the clock stands is where it goes
    goes_to |= {holder for name in _said_after(world, text, _BESIDE_WORDS) for holder in _holders(world, name)} if text else set()
    sent_to = destinations_in(world, without_conditions(text)) if text else set()  # "if the bottle is in the bag": no destination
    stays = only_destinations(world, text) if text else set()  # "put it in the saucepan": the saucepan stays
    taken_from = origins_in(world, text) if text else set()
    found = []
    for literal in goal:
        if literal.predicate == "in" and literal.negated and literal.args[1] in sent_to - taken_from:
            found.append(str(literal))  # "... go in the cupboard" answered `not in(mug, cupboard)`
            continue
        if literal.predicate != "in" or literal.negated or quantifier(literal.args[1]):
            continue
        thing, holder = literal.args
        holder_words = " ".join(holder.split("_"))
        origins = [f" {w} the {holder_words} " for w in _ORIGIN_WORDS] + [f" {w} {holder_words} " for w in _ORIGIN_WORDS]
        destinations = [f" {w} the {holder_words} " for w in ("in", "into", "on", "onto", "to", "inside")]
        # "take the skillet off the burner": the kind said alone is where it comes from too
        kinds = {holder.split("_")[-1], world.objects_by_name[holder].type.replace("_", " ")} if holder in world.objects_by_name else set()
        origins += [f" {w} the {kind} " for w in _ORIGIN_WORDS for kind in kinds]
        destinations += [f" {w} the {kind} " for w in ("in", "into", "on", "onto", "to", "inside") for kind in kinds]
        if any(o in spaced for o in origins) and not any(d in spaced for d in destinations):
            found.append(str(literal))
            continue
        if thing in stays:
            found.append(str(literal))  # "... put it in the saucepan" answered in(saucepan, fridge)
            continue
        if holder not in goes_to and any(_TAKE_OUT & set(w) and _first_mention(world, w, thing) is not None for w in clauses):
            found.append(str(literal))  # "open the fridge and take out the milk" answered in(milk, fridge)
            continue
        said_before = False  # the thing said whole in an earlier clause: "it" here is the thing
        for words in clauses:
            if {"with", "fill", "filled"} & set(words):
                continue
            where = [_first_mention(world, words, name) for name in (thing, holder)]
            # "load the shirt into the washer, add the detergent to the washer": its last mention
            where[1] = (_said_whole(words, holder.split("_")) or [where[1]])[-1]
            pronoun = next((i for i, w in enumerate(words) if w in ("it", "them")), None)
            if said_before and pronoun is not None and not _said_whole(words, thing.split("_")):
                where[0] = pronoun  # "get the red wine ... and put it on the table next to the wine glass"
            said_before = said_before or bool(_said_whole(words, thing.split("_")))
            if None not in where and where[1] < where[0]:
                found.append(str(literal))
                break
    return found


def sent_elsewhere(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` and `at(a, b)` literals whose b is none of the places the words send things to
    ("take the bin on shelf D to dock A" answered `at(bin, shelf_a)`; "put a cereal bowl out"
    answered `in(cereal_bowls, any bowl)`: no bowl is said as where). The places count with what
    they stand in or on ("next to the soap": its windowsill). A request that says no where-to, or
    says it with a pronoun ("put the magazine in it"), is not checked."""
    beside_it = bool(text) and _BESIDE_PRONOUN.search(text) is not None
    if not text or not (destinations_in(world, text) or beside_it) or _BY_PRONOUN.search(text):
        return []
    allowed = _said_after(world, text, _TO_WORDS)
    if beside_it:  # "fill the kettle and put the mug next to it": where the kettle stands, not in it
        allowed |= {n for n in mentioned_names(world, text) if n in world.places_by_name}
        allowed |= {holder for name in mentioned_names(world, text) for holder in _holders(world, name)}
    allowed |= {holder for name in allowed for holder in _holders(world, name)}

    def sent_there(where: str) -> bool:  # "in any drawer": some drawer is said as where things go
        kind = quantifier(where)
        return where in allowed if kind is None else bool(set(world.matching("object", kind[1])) & allowed)

    return [str(literal) for literal in goal if literal.predicate in ("in", "at") and not literal.negated and not sent_there(literal.args[1])]


_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first", "second", "third", "left", "right", "top", "bottom"}


def split_between(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` literals that send things one phrase sends to one place ("clean the fork and the
    teaspoon and put them in the drawer") to different things its words fit (the teaspoon to the
    freezer drawer, the fork to the cutlery drawer). "In a drawer", "any drawer", "the drawers"
    and a place of the kind named whole elsewhere are left alone."""
    phrases = destinations_said(world, text) if text else []
    named_singly = {name for _, names in phrases if len(names) == 1 for name in names}
    found: list[str] = []
    for said, names in phrases:
        words = said.lower().split()
        # "on counter one": a number says which, where the names spell it as a digit
        numbered = re.search(rf"{re.escape(said)}\s+(?:\d|[a-z]\b|(?:{'|'.join(_NUMBER_WORDS)})\b)", text, re.IGNORECASE)
        if len(names) < 2 or numbered or set(words) & {"a", "an", "any", "either", "each", *_NUMBER_WORDS} or re.search(r"[^s]s$", words[-1]):
            continue
        places = names - named_singly
        used = [literal for literal in goal if literal.predicate == "in" and not literal.negated and literal.args[1] in places]
        if len({literal.args[1] for literal in used}) > 1:
            found += [str(literal) for literal in used]
    return list(dict.fromkeys(found))


def sent_with_another(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` and `at(a, b)` literals where a and b are named in different clauses, and the
    clause naming a (or its kind: "the dishes") says where a comes from or another place it goes:
    "take the used towel to the hamper and bring fresh towels from the cupboard" does not put the
    fresh towels in the hamper, nor "dishes in the sink, milk in the fridge" a cup in the fridge. A
    clause that says "too" or "as well", or a pronoun where b is named ("... and put them on the
    bed"), leaves it alone."""
    clauses = [without_conditions(c) for c in split_requests(world, text)] if text else []
    if len(clauses) < 2:
        return []
    names = [
        mentioned_names(world, clause) | {n for q in quantifiers_in(world, clause) if q.startswith("all ") for n in world.matching("object", q[4:])}
        for clause in clauses
    ]
    found = []
    for literal in goal:
        if literal.predicate not in ("in", "at") or literal.negated or quantifier(literal.args[1]):
            continue
        thing, place = literal.args
        with_thing = [i for i, said in enumerate(names) if thing in said]
        with_place = [i for i, said in enumerate(names) if place in said]
        if not with_thing or not with_place or set(with_thing) & set(with_place):
            continue
        if any(_POINTING.search(clauses[i]) for i in with_place) or any(_ALSO.search(clauses[i]) for i in with_thing):
            continue
        if all(origins_in(world, clauses[i]) - {thing} or destinations_in(world, clauses[i]) - {thing, place} for i in with_thing):
            found.append(str(literal))
    return found


_POINTING = re.compile(r"\b(?:it|them|they|those|these|both|that|one)\b", re.IGNORECASE)
_ALSO = re.compile(r"\b(?:too|also|as well|either)\b", re.IGNORECASE)


_BY_PRONOUN = re.compile(r"\b(?:in|into|on|onto|(?<!next )to|inside|under|behind)\s+(?:it|them|there)\b", re.IGNORECASE)
_BESIDE_PRONOUN = re.compile(r"\b(?:beside|by|near|next to|close to)\s+(?:it|them|there)\b", re.IGNORECASE)


# "take it off", "get the milk out": a clause that takes its thing away from where it is
_TAKEN_AWAY = re.compile(r"\b(?:take|get|lift|pull|grab|bring|fetch|carry|move|clear)\b(?:\s+\w+){0,4}?\s+(?:off|out)\b")


def left_where_it_is(world: World, text: str, goal: list[Literal], state: WorldState) -> list[str]:
    """`in(a, b)` and `at(a, b)` literals that hold now, where a clause's words take a (named, or "it") away:
    "if the frying pan is still on the hob, take it off" answered `in(frying_pan, hob)`; and
    those that put a named thing on the very place its words take it off ("take the frying pan
    off the front burner" where it stands in the cupboard)."""
    found = []
    clauses = [without_conditions(clause) for clause in split_requests(world, text)] if text else []
    # "... put them on the rack": it goes there; "... put the stockpot on the burner": that one does
    sent = [(destinations_in(world, c), set(mentioned_names(world, c)) | ({"it", "them"} & set(re.findall(r"[a-z]+", c)))) for c in clauses]
    for asking in clauses:
        if not _TAKEN_AWAY.search(asking):
            continue
        named = set(mentioned_names(world, asking))
        said = named | ({"it", "them"} & set(re.findall(r"[a-z]+", asking)))
        taken_from = origins_in(world, asking)
        for literal in goal:
            if literal.predicate not in ("in", "at") or literal.negated:  # "bring the cool box in off the deck": not at the deck
                continue
            if not state.holds(literal) and not (literal.args[0] in named and literal.args[1] in taken_from):
                continue
            if literal.predicate == "at" and taken_from and literal.args[1] not in taken_from:
                continue  # "get the jacket out of the closet and hang it by the door": still in the hallway
            if not any(literal.args[1] in places and (literal.args[0] in movers or movers & {"it", "them"}) for places, movers in sent):
                if literal.args[0] in said or said & {"it", "them"}:
                    found.append(str(literal))
    return list(dict.fromkeys(found))


def off_the_wrong_one(world: World, goal: list[Literal], state: WorldState) -> list[str]:
    """`not in(a, b)` literals that hold already though a is in another thing of b's type now:
    "take the skillet off the burner" answered with the burner it is not on."""
    objects, holder_of = world.objects_by_name, state.holders()
    found = []
    for literal in goal:
        if literal.predicate != "in" or not literal.negated or quantifier(literal.args[1]) or not state.holds(literal):
            continue
        thing, holder = literal.args
        now = holder_of.get(thing)
        if now in objects and holder in objects and now != holder and objects[now].type == objects[holder].type:
            found.append(str(literal))
    return found


class Misplaced(FleetError):
    """The answer puts things where the request's words say they do not go."""

    def __init__(self, literals: list[str], why: str = "the other way round, or back where they come from"):
        self.literals = set(literals)
        super().__init__(f"{', '.join(literals)} puts things where the request does not ({why})")


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
    the microwave" answered `in(bread, microwave)` alone. A clause a later one undoes ("open the
    wardrobe, ... and close it again") asks for nothing that lasts."""
    said = {(literal.predicate, literal.negated) for literal in goal}
    clauses = split_requests(world, text)
    signs = [verb_states(world, clause) for clause in clauses]
    meant = _meant_in(world, clauses)  # "switch on the candle and turn the lamp off" undoes nothing
    undone = [
        any((p, not n) in signs[j] and (meant[i] & meant[j] or not meant[j]) for j in range(i + 1, len(clauses)) for p, n in asked)
        for i, asked in enumerate(signs)
    ]
    return [clause for clause, asked, gone in zip(clauses, signs, undone) if asked and not asked & said and not gone]


_PLACE_WORD = re.compile(r"\b(?:on top of|out of|off of|on|off|onto|into|in|inside|from)\s+(?=(?P<what>(?:[a-z]+\s+){0,3}[a-z]+))", re.IGNORECASE)


_MAKE_SURE = re.compile(r"(?:please\s+)?(?:make sure|ensure|check that|see that)\b", re.IGNORECASE)


def _places_unsaid(world: World, clause: str) -> str:
    """The clause with "on", "off", "in" ... that say where a named thing is (not how a thing is)
    said as "at": "take the hairdryer off the table" asks nothing to be switched off."""

    def said(match: re.Match) -> str:
        before = clause[: match.start()].split()[-1:]
        if before and before[0].lower() in PARTICLE_VERBS:  # "switch off the lamp": how, not where
            return match.group(0)
        return "at " if mentioned_names(world, match.group("what")) else match.group(0)

    return _PLACE_WORD.sub(said, clause)


def states_not_given(world: World, text: str, goal: list[Literal], required: set[str]) -> dict[str, set[str]]:
    """Thing -> the states a clause's words ask of it that the goal gives it nowhere: "wash the
    teaspoon and the bowl" answered `clean(teaspoon)` alone, "make sure the oven is off and
    closed" answered with the door alone. Only things the request is about (`required`) count,
    and not where things go or come from: "switch off the lamp when the TV is on" asks nothing of
    the TV, "take the kettle off the hob" nothing of the hob."""
    given = {(literal.predicate, literal.args[0]) for literal in goal if len(literal.args) == 1}
    found: dict[str, set[str]] = {}
    for clause in split_requests(world, text) if text else []:
        asking = without_conditions(clause).strip()
        if not (verb_states(world, asking) or _MAKE_SURE.match(asking)):
            continue  # "the jeans are dirty - into the basket with them" tells, it asks no washing
        asked = {state for state, _ in asked_states(world, _places_unsaid(world, clause))} - {"in", "at"}
        acted_on = mentioned_names(world, clause) & required - origins_in(world, clause) - destinations_in(world, clause)
        for name in sorted(acted_on) if asked else ():
            thing = world.objects_by_name.get(name)
            for state in sorted(asked & set(thing.states) if thing is not None else ()):
                if (state, name) not in given:
                    found.setdefault(name, set()).add(state)
    return found


def moved_unasked(world: World, text: str, goal: list[Literal]) -> list[str]:
    """Where-literals in a request whose every clause asks only for states: "switch off the lamp
    by the bed" answered `at(lamp, sleeping_corner)` would carry a lamp nobody asked to move. A
    place the words put things in or on ("heat the bread in the microwave") may be said."""
    clauses = split_requests(world, text) if text else []
    if not clauses or not all(verb_states(world, clause) for clause in clauses):
        return []
    said_where = _said_after(world, text, ("in", "into", "on", "onto", "inside"))  # "heat the bread in the microwave"
    return [str(literal) for literal in goal if literal.predicate in ("at", "in") and not literal.negated and literal.args[1] not in said_where]


def already_so(world: World, clause: str, state: WorldState) -> list[Literal]:
    """The states a clause's verb asks of the things it names that hold already: "... and close
    the fridge" where the fridge is closed now. Kept in the goal, they say how the thing must be
    left at the end (the plan may open the fridge on the way)."""
    found = []
    for predicate, negated in verb_states(world, clause):
        for name in sorted(mentioned_names(world, clause)):
            thing = world.objects_by_name.get(name)
            if thing is not None and predicate in thing.states and state.holds(literal := Literal(predicate, (name,), negated)):
                found.append(literal)
    return found


def states_out_of_reach(world: World, text: str, offered: list[str]) -> list[str]:
    """Why clauses whose verb asks for a state cannot get it: nothing on the menu (`offered`, from
    `goal_literals`) carries it. "Warm up the milk" where milk cannot be hot is refused at once
    rather than answered with where the milk goes."""
    literals = list(map(parse_literal, offered))
    signs = {(literal.predicate, literal.negated) for literal in literals}
    reasons = []
    for clause in split_requests(world, text):
        wanted = verb_states(world, clause)
        named = mentioned_names(world, clause)
        # "wipe the table, then put the bowl on it": only what the clause names may be wiped
        if named and not quantifiers_in(world, clause) and not re.search(r"\b(?:it|them|they|both|one|ones|everything|all)\b", clause, re.IGNORECASE):
            reach = {(literal.predicate, literal.negated) for literal in literals if literal.args and literal.args[0] in named}
        else:
            reach = signs
        if wanted and not wanted & reach:
            shown = " or ".join(sorted(("not " if negated else "") + state for state, negated in wanted))
            reasons.append(f"'{clause}' asks for {shown}, and nothing it names can be made so in the {world.name} world")
    return reasons


def against_verbs(world: World, text: str, goal: list[Literal]) -> list[str]:
    """Goal literals that say the opposite of what a clause's verb (or a state word said with
    "not") asks of a thing that clause names: "turn the lamp on and the fan off" answered
    `switched_on(fan)`, "make certain the faucet is not running" answered `switched_on(faucet)`. A thing that another
    clause's verb asks the other way ("open the fridge, ..., close the fridge" or "... close it
    again") is left alone."""
    asked: dict[str, set[tuple[str, bool]]] = {}
    clauses = split_requests(world, text) if text else []
    # "if it is off, ..." asks nothing; "make certain the tap is not running" asks it off
    all_signs = [verb_states(world, without_conditions(clause)) | denied_states(without_conditions(clause)) for clause in clauses]
    meant = _meant_in(world, clauses)
    for i, (clause, signs) in enumerate(zip(clauses, all_signs)):
        if any((p, not n) in later and (meant[i] & meant[j] or not meant[j]) for j, later in enumerate(all_signs[i + 1 :], i + 1) for p, n in signs):
            continue  # "open the wardrobe, ... and close it again": a later clause undoes it
        for name in meant[i] if signs else ():
            asked.setdefault(name, set()).update(signs)
    found = []
    for literal in goal:
        if len(literal.args) != 1 or literal.args[0] not in asked:
            continue
        signs = asked[literal.args[0]]
        if (literal.predicate, not literal.negated) in signs and (literal.predicate, literal.negated) not in signs:
            found.append(str(literal))
    return found


def _meant_in(world: World, clauses: list[str]) -> list[set[str]]:
    """The names each clause speaks of; a word that fits several things is not the one another
    clause names whole: "switch on the night light and turn off the big light" is the other light."""
    names = [mentioned_names(world, clause) for clause in clauses]
    whole = [named_in(world, clause) for clause in clauses]
    meant = []
    for i, found in enumerate(names):
        before = {n for w in whole[:i] for n in w}
        again = pointed_back(world, clauses[i], found, before, clauses[:i])  # "... and shut the fridge": the one opened
        if again:
            meant.append(found - again)
            continue
        elsewhere = {n for j, w in enumerate(whole) if j != i for n in w} - whole[i]
        rest = found - elsewhere
        meant.append(rest if rest and len(found - whole[i]) > 1 else found)
    return meant


# "put it in the cupboard with the white mug": "it" is what goes there
_PUT_PRONOUN = re.compile(r"\b(?:put|place|move|set|stand|pop|hang|stick|lay|take|bring|carry|leave)\s+(?:it|them)\b", re.IGNORECASE)


def moved_instead(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` and `at(a, b)` literals where the clause sending "it" or "them" to b (or to no
    place it names) names a only beside it: "wash the blue mug and put it in the cupboard with
    the white mug" answered `in(white_mug, cupboard)`."""
    found = []
    for clause in (without_conditions(c) for c in split_requests(world, text)) if text else []:
        moving = _PUT_PRONOUN.search(clause)
        if not moving or _ALSO.search(clause):  # "put them in the basket, and the jeans too"
            continue
        tail = clause[moving.end() :]
        places = destinations_in(world, tail)
        spoken = " " + " ".join(re.findall(r"[a-z0-9]+", tail.lower())) + " "
        beside = {n for n in named_in(world, tail) - places - origins_in(world, tail) if f" {n.replace('_', ' ')} " in spoken}
        # "hang it by the door with the rain boots": no place said, and the boots stay where they are
        found += [str(lit) for lit in goal if lit.predicate in ("in", "at") and not lit.negated and (lit.args[1] in places or not places) and lit.args[0] in beside]
    return list(dict.fromkeys(found))


_INTO = re.compile(
    r"\b(?:into|onto)\s+(?P<what>(?:the |a |an |my |your )?[a-z][a-z ]*?)(?=\s+(?:and|then|if|but|when|unless|with|from|to|on|in)\b|\s*[^a-z ]|\s*$)",
    re.IGNORECASE,
)


def filled_by_nothing(world: World, text: str, goal: list[Literal]) -> list[str]:
    """Things the words put something into or onto that the goal puts nothing in: "take the milk
    out of the fridge, pour some into the jug and put the jug on the table" answered without the
    milk in the jug."""
    holders = {literal.args[1] for literal in goal if literal.predicate in ("in", "at") and not literal.negated}
    found = []
    # "crack the eggs into the pan": a verb that makes a state may only work there
    putting = [without_conditions(clause) for clause in split_requests(world, text) if not verb_states(world, clause)] if text else []
    for match in (found_into for clause in putting for found_into in _INTO.finditer(clause)):
        named = {n for n in destinations_in(world, "into " + match.group("what")) if n in world.objects_by_name and world.objects_by_name[n].receptacle}
        if len(named) == 1 and not named & holders:
            found += sorted(named)
    return list(dict.fromkeys(found))


_POURED = re.compile(r"\bpour\w*\s+(?P<what>[a-z' ]+?)\s+(?:into|in|onto|over)\s+(?P<where>[a-z][a-z ]*)", re.IGNORECASE)


def poured_whole(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` literals that put a container of something poured into b there itself: "fill the
    kettle, boil it and pour it into the soup pot" answered `in(kettle, soup_pot)`. What a kettle
    holds goes into the pot; the kettle does not. Poured things with no state of being filled
    ("pour the milk into the jug") are what goes in."""
    poured_into = {n for m in _POURED.finditer(without_conditions(text) if text else "") for n in destinations_in(world, "into " + m.group("where"))}
    return [
        str(literal)
        for literal in goal
        if literal.predicate == "in" and not literal.negated and literal.args[1] in poured_into
        and literal.args[0] in world.objects_by_name and "filled" in world.objects_by_name[literal.args[0]].states
    ]


def in_what_it_stands_by(world: World, text: str, goal: list[Literal]) -> list[str]:
    """`in(a, b)` literals where the words name b only as what things go beside: "put the bowl
    next to the water bowl" answered `in(food_bowl, water_bowl)`."""
    asking = re.sub(r"\bby\s+(?=[a-z]+ing\b)", "", without_conditions(text)) if text else ""  # "by moving the box": how, not where
    beside = _said_after(world, asking, _BESIDE_WORDS) - _said_after(world, asking, ("in", "into", "on", "onto", "inside"))
    # and what is named only there stays where it is: "... next to the water bowl" moves no water bowl
    only_there = beside - named_in(world, _BESIDE_PHRASE.sub(" ", asking))
    return [
        str(lit)
        for lit in goal
        if lit.predicate in ("in", "at") and not lit.negated and (lit.args[1] in beside and lit.predicate == "in" or lit.args[0] in only_there)
    ]


_BESIDE_PHRASE = re.compile(r"\b(?:next to|beside|by|near|alongside)\s+(?:the |a |an |my |your )?[a-z ]+?(?=\s+(?:and|then|if|but)\b|\s*[,.;!?]|\s*$)", re.IGNORECASE)


def moved_from_only(world: World, text: str, goal: list[Literal]) -> list[str]:
    """Literals that move a thing the words name only as where something comes from: "take the
    eggs out of the carton and put them in the pot" answered `in(egg_carton, soup_pot)`."""
    origins = came_from(world, text) if text else set()
    return [str(lit) for lit in goal if lit.predicate in ("in", "at") and not lit.negated and lit.args[0] in origins]


def not_the_one_meant(world: World, text: str, goal: list[Literal]) -> list[str]:
    """Literals about a thing that every clause naming it rules out, as its words point back to
    another of its kind: "take the apples out of the fruit bowl ... and put the bowl in the sink"
    answered `in(cereal_bowl, sink)`, "put the cheese in the red lunchbox ... and close the
    lunchbox" answered `not open(blue_lunchbox)`."""
    clauses = [without_conditions(c) for c in split_requests(world, text)] if text else []
    meant = _meant_in(world, clauses)
    said = [mentioned_names(world, clause) for clause in clauses]
    found = []
    for literal in goal:
        thing = literal.args[0] if literal.args else None
        if thing is None or quantifier(thing):
            continue
        naming = [i for i, names in enumerate(said) if thing in names]
        if naming and all(thing not in meant[i] for i in naming) and not any(thing in m for m in meant):
            found.append(str(literal))
    return found


class AgainstVerbs(FleetError):
    """The answer says the opposite of what a clause's verb asks of a thing."""

    def __init__(self, literals: list[str]):
        self.literals = set(literals)
        super().__init__(f"{', '.join(literals)} is the opposite of what the request's verb asks for it")


def more_than_one(world: World, quantified: frozenset[str], goal: list[Literal]) -> Optional[str]:
    """Why a goal does too much for "one of the plates" (`any plate`): it names several plates."""
    args = {arg for literal in goal for arg in literal.args}
    for token in sorted(quantified):
        found = quantifier(token)
        if found is None or found[0] != "any":
            continue
        several = sorted(args & set(world.matching("object", found[1])))
        if len(several) > 1:
            return f"the request asks for one {found[1].replace('_', ' ')}, and the answer names {len(several)} ({', '.join(several)})"
    return None


class StateLeftOut(FleetError):
    """The answer does not do what the verb of a clause asks."""

    def __init__(self, clauses: list[str]):
        self.clauses = clauses
        super().__init__(f"it does not do what {'; '.join(repr(c) for c in clauses)} asks: the verb asks for a change the goal does not make")


class LeftOut(FleetError):
    """The answer says nothing about something the request names, or (`states`: thing -> states)
    nothing of a state the request's words ask of it."""

    def __init__(self, goal: list[str], missing: list[str], states: Optional[dict[str, set[str]]] = None):
        self.goal, self.missing, self.states = goal, missing, states or {}
        if self.states:
            asked = "; ".join(f"{' or '.join(sorted(self.states[n])).replace('_', ' ')} of the {n.replace('_', ' ')}" for n in missing)
            super().__init__(f"it leaves out {asked}, which the request's words ask for")
        else:
            super().__init__(f"it leaves out {', '.join(n.replace('_', ' ') for n in missing)}, which the request names")


class AlreadyHolds(FleetError):
    """The model asked for what is already true; `by_verbs` when the request's own verbs ask for
    exactly that ("open the door" where it is open), so no other answer could be right."""

    def __init__(self, literals: set[str], by_verbs: bool = False):
        self.literals = literals
        self.by_verbs = by_verbs
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


__all__ = ["AgainstVerbs", "AlreadyHolds", "against_verbs", "LeftOut", "Misplaced", "off_the_wrong_one", "StateLeftOut", "already_so", "check_consistent", "misplaced", "missing_from", "moved_unasked", "more_than_one", "moved_instead", "not_the_one_meant", "sent_elsewhere", "split_between", "states_left_out", "states_not_given", "states_out_of_reach", "things_asked_about"]
