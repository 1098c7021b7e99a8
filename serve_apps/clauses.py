"""A request split into clauses: requests strung together, lists of things, a verb two clauses share.

"Slice the apple, put it in the fridge and close the fridge" is three requests; "put the butter,
the milk and the egg on the table" is one request of three clauses, one per thing; "put the
pencil in the case and the case in the bag" is two clauses sharing the verb. A small model
answers one clause at a time far better than the whole, and none of the listed things is lost.

    python -c "from fleet.world import load_world; from serve_apps.clauses import request_groups; \\
        print(request_groups(load_world('household'), 'Put the apple and the milk in the fridge and close it.'))"
"""

from __future__ import annotations

import re
from typing import Optional

from fleet.lexicon import CONDITION_LIMITERS, CONDITION_START, CONDITION_WORDS, asked_states, inflections, made_things, verb_states, without_conditions
from fleet.world import World, WorldObject
from serve_apps.vocabulary import mentioned_names, said_in_plural

# Words that start a new request inside a sentence ("... and close the fridge"): the world's
# skill names plus everyday verbs for moving things and changing them.
_REQUEST_VERBS = {
    "bring", "take", "move", "put", "get", "leave", "send", "carry", "fetch", "place", "store",
    "shut", "close", "open", "start", "stop", "turn", "switch", "check", "clean", "wash", "wipe",
    "slice", "cut", "inspect", "heat", "make", "drop", "set", "give", "hand", "park", "stage",
    "clear", "tidy", "throw", "toss", "hang", "fold", "return", "fill", "swap", "grab", "pick", "load",
    "unload", "stack", "pour", "cook", "fry", "boil", "bake", "toast", "dry", "rinse", "scrub", "chop",
    "deliver", "collect", "lay", "warm", "chill", "cool", "hide", "stow", "tuck", "pack", "wheel",
    "roll", "push", "pull", "slide", "spread",
}
# Everyday words for putting that are also nouns ("the hockey stick"): verbs only where no
# thing of the world is called by them
_PUTTING_SLANG = {"pop", "stick", "chuck", "shove", "plonk", "bung"}
# First words of the conditions that may open a request after "and" ("..., and if the lamp is on, ...")
_CONDITION_FIRST_WORDS = {phrase.split()[0] for phrase in CONDITION_WORDS}
# Words that reach back to the things of the clause before.
PRONOUNS = {"it", "them", "its", "they", "there", "one"}
DEMONSTRATIVES = {"that", "those", "this", "these"}  # "... bring that too"


def request_groups(world: World, text: str) -> list[list[str]]:
    """The requests a mission strings together, each as one clause per thing it lists.

    "Slice the apple, put it in the fridge and close the fridge" is three requests; "put the
    butter, the milk and the egg on the table" is one request of three clauses ("put the butter
    on the table", ...), so a small model answers one thing at a time and none is dropped.
    """
    verbs = _request_verbs(world)
    pieces = re.split(r"(;|\bthen\b|(?<=[.!?])\s+)", text)
    parts = [(p, i > 0 and pieces[i - 1].strip().lower() == "then") for i, p in enumerate(pieces) if i % 2 == 0 and p.strip()]
    clauses: list[str] = []
    carried: set[int] = set()  # clauses that follow "then" and may share the verb before
    for part, after_then in parts:
        if after_then:
            carried.add(len(clauses))
        words = part.replace(":", ",").split()
        current: list[str] = []
        for i, word in enumerate(words):
            nxt = words[i + 1].lower().strip(".?!,") if i + 1 < len(words) else ""
            opens_condition = nxt in _CONDITION_FIRST_WORDS and "," in " ".join(words[i + 2:])
            if word.lower() == "and" and (nxt in verbs or opens_condition):
                if current:
                    clauses.append(" ".join(current))
                current = []
                continue
            current.append(word)
            if word.endswith(",") and nxt in verbs:  # "slice the apple, put it in the fridge"
                clauses.append(" ".join(current))
                current = []
        if current:
            clauses.append(" ".join(current))
    for i in sorted(carried):  # "turn the TV off, then the lamp"
        if 0 < i < len(clauses):
            clauses[i] = _verb_carried(world, clauses[i - 1].strip(" .?!,"), clauses[i].strip(" .?!,"), verbs)
    clauses = [re.sub(r"\s+and$", "", c.strip(" .?!,")) for c in clauses if c.strip(" .?!,")]
    joined: list[str] = []
    for clause in clauses:  # "if the lamp is on, turn it off": the condition stays with its request
        if joined and re.match(CONDITION_START, joined[-1], re.IGNORECASE) and "," not in joined[-1]:
            joined[-1] = f"{joined[-1]}, {clause}"
        else:
            joined.append(clause)
    return [_distribute(world, clause, verbs) for clause in joined]


_CLAUSE_BOUNDARY = re.compile(r"[,;:.!?]|\band\b|\bthen\b", re.IGNORECASE)
_PUTS_IT = re.compile(r"^\s*(?:put|place|set|stand|pop|move|stick|lay|leave|take|bring|carry|slide|tuck|chuck|shove|hang)\s+it\b", re.IGNORECASE)


def _clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause holding text[start:end] begins (after a comma, "and", "then" ...) and ends."""
    before = [m for m in _CLAUSE_BOUNDARY.finditer(text, 0, start)]
    after = _CLAUSE_BOUNDARY.search(text, end)
    return (before[-1].end() if before else 0), (after.start() if after else len(text))


def _with_spans_spelled(text: str, spelled: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end) span replaced by its words, the last first so places hold."""
    for start, end, words in reversed(spelled):
        text = text[:start] + words + text[end:]
    return text


def it_by_state_spelled_out(world: World, text: str) -> str:
    """"Put the egg in the saucepan, fill it and put it on the burner" as "..., fill the saucepan
    and put the saucepan on the burner": an "it" whose verb asks a state (fill, slice, close) that
    only one of the things named before can have is that thing, and so is the "it" that the next
    clause puts somewhere; "next to it" after words naming one thing is next to that thing. Else
    where one thing was named before, "it" is left to be read as it is."""
    spelled: list[tuple[int, int, str]] = []
    last: Optional[tuple[int, str]] = None  # (where the clause ended, the thing its "it" was)
    for match in re.finditer(r"\bit\b", text, re.IGNORECASE):
        start, end = _clause_around(text, match.start(), match.end())
        clause, before = text[start:end], text[:start]
        named = [world.objects_by_name[n] for n in mentioned_names(world, before) if n in world.objects_by_name]
        states = {state for state, _ in verb_states(world, clause) if state != "in"}
        fits = [o.name for o in named if states & set(o.states)] if states and not re.search(r"\bthem\b", clause, re.IGNORECASE) else []
        beside = re.search(r"\b(?:next to|beside|by|near|close to)\s+$", text[start : match.start()], re.IGNORECASE)
        # "put the potato in it"; "put the sponge back in it" is where it came from, read as it is
        into = re.search(r"(?<!\bback )\b(?:in|into|inside|on|onto)\s+$", text[start : match.start()], re.IGNORECASE)
        if beside and len({o.name for o in named}) == 1:  # "fill the kettle and put the mug next to it"
            thing = named[0].name
        elif len(named) > 1 and len(fits) == 1:
            thing = fits[0]
        elif into and _PUTTING.search(clause) and named and len(holders := _holders_not_taken_from(world, before, named)) == 1:
            thing = holders[0]  # "take the saucepan out of the cupboard, put the potato in it": the saucepan
        elif into and named and len(moved := _moved_holders(world, before)) == 1:
            thing = moved[0]  # "put the griddle pan on the side burner and the sausages in it": the pan, not where it went
        elif into and _PUTTING.search(clause) and not _holders_not_taken_from(world, before, named) and len(cleared := [o for o in _only_taken_from(world, before) if o in world.objects_by_name and world.objects_by_name[o].receptacle]) == 1:
            thing = cleared[0]  # "take the mugs off the tray and put the bread on it": the tray
        elif last is not None and _PUTS_IT.match(clause) and not mentioned_names(world, text[last[0] : start]) - set(mentioned_names(world, last[1].replace("_", " "))):
            thing = last[1]  # "... fill the saucepan and put it on the burner"
        elif _PUTS_IT.match(clause) and len(singular := _the_one_said_singly(named)) == 1:
            thing = singular[0]  # "take the tea towel, dry the mugs and hang it up": never the mugs
        else:
            last = None
            continue
        spelled.append((match.start(), match.end(), f"the {thing.replace('_', ' ')}"))
        last = (end, thing)
    return _with_spans_spelled(text, spelled)


# "if the juice is in there, bring it to the table": what the verb acts on is the condition's thing
_IT_OF_THE_CONDITION = re.compile(
    r"\b(?:if|when|once)\s+(?P<condition>[^,;.!?]+),\s*(?:then\s+|just\s+|please\s+)?(?P<verb>[a-z]+)\s+(?P<pronoun>it|them)\b", re.IGNORECASE
)


def it_of_the_condition_spelled_out(world: World, text: str) -> str:
    """"..., if the juice is in there, bring it to the table" as "..., bring the orange juice to
    the table": "it" (or "them") right after a condition's verb is the one thing that can be
    carried that the condition names, when it is called in that number."""
    spelled: list[tuple[int, int, str]] = []
    for match in _IT_OF_THE_CONDITION.finditer(text):
        rest = text[match.end() :]
        if match.group("verb").lower() not in _request_verbs(world) - {"leave"} or re.match(r"[^,;.!?]*\bwith\b", rest, re.IGNORECASE):
            continue  # "put it on the table with the cups": the cups keep it company; "leave it" spares it
        if re.match(r"\s+(?:shut|open|closed)\b|\s+(?:on|off|up|down|out|over|back|in)\s*(?:[,.;!?]|\band\b|\bthen\b|\bbefore\b|$)", rest, re.IGNORECASE):
            continue  # "zip it shut", "take them out": the verb and its word are read with "it" as they are
        carried = [n for n in mentioned_names(world, match.group("condition")) if n in world.objects_by_name and world.objects_by_name[n].pickable]
        plural = match.group("pronoun").lower() == "them"
        if len(carried) == 1 and said_in_plural(carried[0]) == plural:
            spelled.append((match.start("pronoun"), match.end("pronoun"), f"the {carried[0].replace('_', ' ')}"))
    return _with_spans_spelled(text, spelled)


def _the_one_said_singly(named: list[WorldObject]) -> list[str]:
    """Of things named before, where some that can be moved are called in the plural, those
    called singly: what "it" can be."""
    movable = {o.name for o in named if o.pickable}
    if not any(said_in_plural(n) for n in movable):
        return []
    return [n for n in movable if not said_in_plural(n)]


def _holders_not_taken_from(world: World, before: str, named: list[WorldObject]) -> list[str]:
    """The things named before that can hold others, less those the words only take things
    out of or off ("out of the lower cupboard", not "out of the bucket, fill the bucket")."""
    origins = _only_taken_from(world, before)
    return list(dict.fromkeys(o.name for o in named if o.receptacle and o.name not in origins))


def _moved_holders(world: World, before: str) -> list[str]:
    """Where the clause just before puts a thing that can hold others on or in one that cannot be
    carried, the thing put: "put the pan on the burner and the sausages in it" is the pan."""
    last = [piece for piece in _CLAUSE_BOUNDARY.split(before) if piece.strip()][-1:]
    if not last or not _PUTTING.search(last[0]):
        return []
    holders = [n for n in mentioned_names(world, last[0]) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
    carried = [n for n in holders if world.objects_by_name[n].pickable]
    return carried if len(holders) > 1 else []


def _only_taken_from(world: World, before: str) -> set[str]:
    """What the words only take things out of or off: "off the coffee table" (not "out of the
    bucket, fill the bucket")."""
    origins, rest = set(), before
    for said in _PLACE_SAID.finditer(before):
        if said.group("how").lower() in ("off", "from", "out of"):
            origins |= set(mentioned_names(world, " ".join(said.group("what").split()[:4])))
            rest = rest.replace(said.group(0), " ")
    return origins - set(mentioned_names(world, rest))


_LIST_PLACE = re.compile(r"\b(?:in|into|on|onto|inside)\s+(?:the\s+)?(?P<where>[a-z][a-z ]*)$", re.IGNORECASE)


def it_after_list_spelled_out(world: World, text: str) -> str:
    """"Put the potatoes and the onion in the dish and put it in the oven" as "... and put the
    casserole dish in the oven": "it" after a list of things (or one thing called in the plural,
    "the cookies") put in one place is that place, since the things would be "them"."""
    groups = request_groups(world, text)
    lowered, cursor, spelled = text.lower(), 0, []
    for listed, following in zip(groups, groups[1:]):
        places = {m.group("where").lower() for c in listed for m in [_LIST_PLACE.search(c)] if m}
        if len(places) != 1 or not all(_LIST_PLACE.search(c) for c in listed):
            continue
        where = next(iter(places))
        if re.search(r"\b(?:off|from|out)\b", where):  # "the corn on the cob off the trolley": taken away, not put
            continue
        holders = [n for n in mentioned_names(world, where) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
        asked = [without_conditions(c) for c in listed]  # "if the suitcase is open, put the cream in the bag"
        movers = {n for c in asked for n in mentioned_names(world, c) if n in world.objects_by_name and world.objects_by_name[n].pickable} - set(holders)
        first = following[0].lower()
        plural = len(movers) > 1 or all(said_in_plural(m) for m in movers)  # "the cookies"
        if len(holders) != 1 or not movers or not plural or not re.search(r"\bit\b", first) or re.search(r"\b(?:them|they|those)\b", first):
            continue
        at = lowered.find(where, cursor)
        # "it" as what the verb acts on, never "in it" (a container said before)
        it = re.compile(r"(?<!\bin )(?<!\binto )(?<!\bon )(?<!\bonto )(?<!\bto )(?<!\bwith )\bit\b").search(lowered, at + len(where)) if at >= 0 else None
        between = set(re.findall(r"[a-z]+", lowered[at + len(where) : it.start()])) if it else {"?"}
        if it is None or not between <= set(re.findall(r"[a-z]+", first)) | {"and", "then"}:
            continue
        spelled.append((it.start(), it.end(), f"the {holders[0].replace('_', ' ')}"))
        cursor = it.end()
    return _with_spans_spelled(text, spelled)


_SAYS_HOW_IT_IS = re.compile(r"\b(?:is|are|was|were|isn't|aren't|has|have|goes|go|belongs?|needs?|stays?|looks?)\b|'s\b", re.IGNORECASE)


def _verb_carried(world: World, before: str, clause: str, verbs: set[str]) -> str:
    """A clause with no verb of its own that names things after one that has a verb, with that
    verb: "turn the TV off, then the lamp" turns the lamp off, "then the fan on" turns it on;
    "put the mug on the table, then the plate" puts the plate on the table too."""
    words, earlier = clause.split(), before.split()
    if not words or words[0].lower() not in _DETERMINERS or not earlier or earlier[0].lower() not in verbs:
        return clause
    if not any(n in world.objects_by_name for n in mentioned_names(world, clause)) or _SAYS_HOW_IT_IS.search(clause):
        return clause  # "..., then the lamp is on": it says something of its own
    verb = [earlier[0].lower()]
    for word in earlier[1:]:  # "turn off the TV": the particle goes with the verb
        if word.lower() not in _PARTICLES:
            break
        verb.append(word.lower())
    ending = ""
    if earlier[-1].lower() in _SWITCH_PARTICLES and words[-1].lower() not in _SWITCH_PARTICLES and len(verb) == 1:
        ending = " " + earlier[-1].lower()  # "turn the TV off, then the lamp": off too
    elif not _WHERE_TO.search(clause) and (where := _WHERE_TO.search(before)) and len(verb) == 1:
        ending = " " + before[where.start() :]  # "put the mug on the table, then the plate": on the table
    return f"{' '.join(verb)} {clause}{ending}"


# Words standing for the things a colon goes on to list: "turn everything off: the TV and the lamp"
_GENERAL = re.compile(r"\b(?:everything|all of it|it all|all this|these|those|the following(?: things)?|things)\b", re.IGNORECASE)
_GOES = re.compile(r"\b(?:should go|go|goes|belongs?|need to go|needs to go)\b\s*", re.IGNORECASE)
_WHERE_TO = re.compile(r"\b(?:in|into|on|onto|to|inside|next to)\b", re.IGNORECASE)
_FROM_VERBS = {"clear", "empty", "tidy", "unload", "unpack"}  # "clear the nook table: ..." the things come off it


def colon_spelled_out(world: World, text: str) -> str:
    """A request whose colon spells out what its first part means, rewritten as plain requests.

    "Turn everything off in the living area: the TV and the lamp" -> "Turn the TV and the lamp
    off in the living area"; "Swap the guest towel for the clean one: dirty one in the bin, clean one on the vanity"
    -> "Put the dirty towel in the bin, put the clean towel on the vanity"; "Clear the nook table:
    the mug and the plate go in the cupboard" -> "Put the mug and the plate from the nook table in
    the cupboard". Text without such a colon comes back as it is.
    """
    if len(re.findall(r"(?<!\d):(?!\d)", text)) != 1:
        return text
    head, tail = (part.strip() for part in re.split(r"(?<!\d):(?!\d)", text))
    tail = tail.rstrip(".!? ").strip()
    verbs = _request_verbs(world)
    if not head or not tail or not mentioned_names(world, tail):
        return text
    head_words = head.rstrip(".!? ").split()
    origin = " ".join(head_words[1:]) if head_words[0].lower() in _FROM_VERBS else ""
    origin = origin if mentioned_names(world, origin) else ""  # "tidy up: ..." names no place
    if tail.split()[0].lower() in verbs:  # "tidy the desk: put the pen in the drawer, ..." says it all
        parts = [_coming_from(part, origin) for part in re.split(r"(?<=[,;])", tail)]
        return "".join(parts)[0].upper() + "".join(parts)[1:] + "."
    if not _WHERE_TO.search(tail):  # only the things: the first part's verb acts on each
        if _GENERAL.search(head):
            return _GENERAL.sub(tail, head.rstrip(".!? "), count=1) + "."
        particles = [w for w in head_words[1:] if w.lower() in _SWITCH_PARTICLES][:1]
        return " ".join([head_words[0], *particles, tail]) + "."
    kinds = {o.type.replace("_", " ") for o in world.objects if o.name in mentioned_names(world, head)}
    requests = []
    for part in re.split(r"[,;]", tail):
        part = _GOES.sub("", re.sub(r"^\s*(?:and|then)\s+", "", part)).strip()
        if not part:
            continue
        if len(kinds) == 1:  # "dirty one": one of the kind the first part names
            part = re.sub(r"\bone\b", next(iter(kinds)), part)
        if part.split()[0].lower() not in _DETERMINERS:
            part = "the " + part
        requests.append("put " + _coming_from(part, origin))
    return "P" + ", ".join(requests)[1:] + "." if requests else text


# "make me a coffee", "... and make us some toast": a thing to make, where a clause starts
_MAKE = re.compile(
    r"(?P<lead>^\s*|[,;.]\s*|\b(?:and|then)\s+)(?:please\s+)?(?:(?:can|could|would|will) you\s+)?(?:make|prepare|fix|run|draw)\s+(?:me\s+|us\s+)?"
    r"(?:a\s+|an\s+|some\s+|a cup of\s+|a mug of\s+|a pot of\s+)?(?P<what>[a-z][a-z ]*?)(?:\s+please)?(?=\s*(?:[,;.!?]|\band\b|\bthen\b|$))",
    re.IGNORECASE,
)


# "move the water to the table, and the wine too", "..., the socks too": one more thing for the clause before
_TOO = re.compile(
    r"(?P<verb>^|(?<=[.;!?])\s*|(?<=\bthen)\s+)(?P<head>[a-z]+(?: up| away| back)?\s+(?:the|my|a|an|some|your)\s+[a-z][a-z ]*?)"
    r"(?P<tail>\s+(?:in|into|on|onto|to|from|off|out of|inside|under|at)\b[^,.;!?]*?)(?:\s*,\s*(?:and\s+)?|\s+and\s+)"
    r"(?P<what>(?:the|my|a|an|your)\s+[a-z][a-z ]*?)\s+(?:too|as well|also)\b\s*",
    re.IGNORECASE,
)


# "put the plates on the table, then bring the ketchup out too": the clause before says where
_BROUGHT_TOO = re.compile(
    r"(?P<tail>\s+(?:in|into|on|onto|to|inside)\s+(?:the|my|your)\s+[a-z][a-z ]*?)(?P<join>\s*,?\s*(?:and\s+then|then|and)\s+)"
    r"(?P<verb>bring|take|carry|fetch|get)\s+(?P<what>(?:the|my|your)\s+[a-z][a-z ]*?)(?:\s+(?:out|over|along|across|outside|round))?\s+(?:too|as well)\b",
    re.IGNORECASE,
)


def too_spelled_out(text: str) -> str:
    """"Put the pear in the bin, and the banana too" as "Put the pear and the banana in the bin":
    a thing added with "too" or "as well" shares the verb and the place of the clause before;
    "..., then bring the ketchup out too" puts it in that place."""
    text = _TOO.sub(lambda m: f"{m.group('verb')}{m.group('head')} and {m.group('what')}{m.group('tail')}", text)
    return _BROUGHT_TOO.sub(lambda m: f"{m.group('tail')}{m.group('join')}put {m.group('what')}{m.group('tail')}", text)


# "I need the wine in the fridge and the ice cream in the freezer": where things should be, as a put
_WANTED = re.compile(
    r"^(?:please\s*,?\s*)?(?:i|we)(?:\s+would|\s+really|['’]d)?\s+(?:need|want|like)\s+"
    r"(?P<rest>(?:the|my|your|our|both|all)\b(?:(?!\b(?:to|it|them)\b)[^.;!?])*?\s(?:in|into|on|onto|inside|back)\b.*)$",
    re.IGNORECASE,
)


def wanted_spelled_out(text: str) -> str:
    """"I need the milk in the fridge and the bread on the table" as "Put the milk in the fridge
    and the bread on the table": saying where things should be asks to put them there ("I want
    the lamp on" becomes "Put the lamp on", which switches it on)."""
    match = _WANTED.match(text.strip())
    if match is None:
        return text
    # "... and the top oven turned off": a thing wanted in a state is asked to be made so
    return "Put " + _WANTED_DONE.sub(lambda m: f"{m.group('join')}{_DONE_VERBS[m.group('done').lower()].format(m.group('what'))}", match.group("rest"))


_DONE_VERBS = {
    "turned off": "turn {} off",
    "turned on": "turn {} on",
    "switched off": "switch {} off",
    "switched on": "switch {} on",
    "closed": "close {}",
    "shut": "shut {}",
    "opened": "open {}",
    "washed": "wash {}",
    "cleaned": "clean {}",
    "emptied": "empty {}",
    "filled": "fill {}",
}
_WANTED_DONE = re.compile(
    rf"(?P<join>(?:,\s*|\s)and\s+|,\s*)(?P<what>(?:the|my|your|our|both)\s+[a-z ]+?)\s+(?P<done>{'|'.join(_DONE_VERBS)})\b", re.IGNORECASE
)


# "When you've boiled the kettle, put the mug on the tray": what to do first, then what next
_DONE_FIRST = re.compile(
    r"^(?:when|once|after|as soon as)\s+you(?:['’]ve|\s+have)?\s+(?P<verb>[a-z]+)\b(?P<done>[^,;.]*)[,;]\s*(?:then\s+)?(?P<then>\S.*)$",
    re.IGNORECASE,
)


def done_first_spelled_out(world: World, text: str) -> str:
    """"When you've boiled the kettle, put the mug on the tray" as "Boil the kettle, then put the
    mug on the tray": a step the robots themselves are to do first is a request, not a condition
    on how things are. Only when its verb is one a request starts with."""
    match = _DONE_FIRST.match(text.strip()) or _DONE_AFTER.match(text.strip())
    if match is None:
        return text
    said = match.group("verb").lower()
    bases = sorted(v for v in _request_verbs(world) if said in inflections(v))
    if not bases:
        return text
    done, then = match.group("done"), match.group("then")
    if match.re is _DONE_AFTER:  # "put the jug in the fridge once you've filled it": "it" is the jug
        thing = _FIRST_THING.search(then)
        if thing is None and re.search(r"\b(?:it|them)\b", done, re.IGNORECASE):
            return text
        done = re.sub(r"\b(?:it|them)\b", thing.group(0), done, flags=re.IGNORECASE) if thing else done
        then = then[0].lower() + then[1:]
    return f"{bases[0].capitalize()}{done}, then {then}"


# "put the milk jug in the fridge once you've filled it with milk": the step said last comes first
_DONE_AFTER = re.compile(
    r"^(?P<then>[^,;.]*?),?\s+(?:once|after|as soon as)\s+you(?:['’]ve|\s+have)\s+(?P<verb>[a-z]+)\b(?P<done>[^,;.]*)[.!?]?$",
    re.IGNORECASE,
)
_FIRST_THING = re.compile(r"\b(?:the|my|your|our)\s+[a-z ]+?(?=\s+(?:in|into|on|onto|to|from|out|off|back|and|with)\b|\s*$)", re.IGNORECASE)


# "... and hang a fresh one on the rail": one of the kind said before, as the adjective describes it
_ONE = re.compile(r"\b(?:a|an|the)\s+(?P<how>[a-z]+)\s+one\b", re.IGNORECASE)
_ONE_STATES = {"clean", "dirty", "fresh", "used", "empty", "full", "open", "closed", "hot", "cold", "washed", "unwashed"}


def ones_spelled_out(world: World, text: str) -> str:
    """"Put the used towel in the hamper and hang a fresh one on the rail" as "... hang the fresh
    towel on the rail": "a fresh one", "the clean one" is the one of the kind the words named
    before (the things that can be moved, all of one type) that is as the adjective says."""
    for match in reversed(list(_ONE.finditer(text))):
        before = [world.objects_by_name[n] for n in mentioned_names(world, text[: match.start()]) if n in world.objects_by_name]
        how = match.group("how").lower()
        if how not in _ONE_STATES:  # "the white mug ... the blue one": the one its name says
            said = {f"{how} {word}" for o in before for word in (o.type.replace("_", " "), o.name.split("_")[-1])}
            named = {n for words in said for n in mentioned_names(world, words) if n in world.objects_by_name} - {o.name for o in before}
            # the adjective is the thing's own word ("the top one" is the top oven, no pot)
            named = {n for n in named if how in n.split("_") or any(how in a.lower().split() for a in world.objects_by_name[n].aliases)}
            if len(named) == 1:
                text = text[: match.start()] + f"the {next(iter(named)).replace('_', ' ')}" + text[match.end() :]
            continue
        kinds = {o.type for o in before if o.pickable}
        if len(kinds) == 1:
            text = text[: match.start()] + f"the {match.group('how')} {next(iter(kinds)).replace('_', ' ')}" + text[match.end() :]
    for match in reversed(list(_OTHER.finditer(text))):
        text = text[: match.start()] + _the_other(world, text[: match.start()], match) + text[match.end() :]
    return text


# "the white mug ... and the other one", "switch the top oven on and the other oven off"
_OTHER = re.compile(r"\bthe\s+other\s+(?P<kind>[a-z]+)\b", re.IGNORECASE)


def _the_other(world: World, before: str, match: re.Match) -> str:
    """"the other one" (or "the other KIND") as the one thing of a kind the words before name one
    of, that they do not name, where there is exactly one such thing; else the words as they are."""
    named = [world.objects_by_name[n] for n in mentioned_names(world, before) if n in world.objects_by_name]
    kind = match.group("kind").lower()
    others = set()
    for thing in named:
        if kind not in ("one", thing.type, thing.name.split("_")[-1]):
            continue
        rest = [o.name for o in world.objects if o.type == thing.type and o.name not in {n.name for n in named}]
        if len(rest) == 1:
            others.add(rest[0])
    return f"the {others.pop().replace('_', ' ')}" if len(others) == 1 else match.group(0)


_A_PIECE = re.compile(r"\b(?:a|one|another)\s+(?P<piece>piece|bit|chunk)\b(?!\s+of\b)", re.IGNORECASE)


def pieces_spelled_out(world: World, text: str) -> str:
    """"If there's shortbread in the tin, put a piece on the table" as "... put the shortbread on
    the table": "a piece", "a bit" is of the one movable thing the words named before (never a
    thing called a piece of its own, such as a jigsaw piece, nor what holds things)."""
    for match in reversed(list(_A_PIECE.finditer(text))):
        piece = match.group("piece").lower()
        before = [world.objects_by_name[n] for n in mentioned_names(world, text[: match.start()]) if n in world.objects_by_name]
        movable = [o for o in before if o.pickable and not o.receptacle and piece not in (o.name.split("_")[-1], o.type)]
        if len(movable) == 1:
            text = text[: match.start()] + f"the {movable[0].name.replace('_', ' ')}" + text[match.end() :]
    return text


_PUT_ON = re.compile(r"\b(?P<put>put)\s+(?P<what>(?:the|both|all|all the|my)\s+[a-z][a-z ]*?|it|them)\s+on\b(?=\s*(?:[,.;!?]|\band\b|\bthen\b|$))", re.IGNORECASE)


def put_on_spelled_out(world: World, text: str) -> str:
    """"Put both lamps on" as "switch both lamps on": "put ... on" with nothing after "on" turns on
    what it names, when each of those things can be switched on. "Fill the kettle and put it on":
    "it" is what the words before named that can be carried, when all of that can be switched on."""
    def switched(match: re.Match) -> str:
        what = match.group("what")
        if what.lower() in ("it", "them"):  # the things the words before carry or change
            before = [world.objects_by_name[n] for n in mentioned_names(world, text[: match.start()]) if n in world.objects_by_name]
            things = [t for t in before if t.pickable] or [t for t in before if "switched_on" in t.states]
        else:
            things = [world.objects_by_name[n] for n in mentioned_names(world, what) if n in world.objects_by_name]
        if things and all("switched_on" in t.states for t in things):
            return f"{'S' if match.group('put')[0] == 'P' else 's'}witch {match.group('what')} on"
        return match.group(0)

    return _PUT_ON.sub(switched, text)


_THERE = re.compile(r"\b(?:back\s+)?there\b(?!\s*(?:is|are|was|were|'s|instead)\b)", re.IGNORECASE)
_PUTTING = re.compile(r"\b(?:put|place|set|leave|stand|pop|move|hang|stick|lay|keep|stack|slide|tuck|chuck|shove|plonk|bung)\b", re.IGNORECASE)
# where the words before say a thing is taken from or put: "off the back ring", "in the sink"
_PLACE_SAID = re.compile(
    r"\b(?P<how>off|from|out of|in|into|inside|on|onto|at)\s+(?:the |my |your )?"
    r"(?P<what>[a-z][a-z ]*?)(?=\s+(?:and|then|but|if|when|off|from|out|in|into|inside|on|onto|at)\b|\s*[^a-z ]|\s*$)",  # "off the bench and stack them on the shelf": two places
    re.IGNORECASE,
)


# "put the kettle where it was", "put the saucepan on instead", "put the plates there instead",
# "slide it back in": the place something was just taken from
_WHERE_IT_WAS = re.compile(
    r"\b(?:back\s+)?where\s+(?:it|they|that|those)\s+(?:was|were|used to be|had been|came from|stood|sat)\b"
    r"|\b(?:on|in|there)(?=\s+instead\b)|\bin\s+(?:its|their)\s+place\b"
    r"|\bback\s+(?:in|on|inside)(?=\s*(?:[,.;!?]|\band\b|\bthen\b|$))"
    r"|(?<=\bit\s|em\s)back(?=\s*(?:[,.;!?]|\band\b|\bthen\b|$))",  # "... wash them and put them back"
    re.IGNORECASE,
)
_TAKEN_FROM = ("off", "from", "out of")
# "put the milk back", said of a thing with no place after it
_THING_BACK = re.compile(r"\b(?P<what>(?:the|my|your)\s+[a-z][a-z ]*?)\s+(?P<back>back)(?=\s*(?:[,.;!?]|\band\b|\bthen\b|$))", re.IGNORECASE)
# "put it back on the burner", where several burners are: the one it stands on now
_BACK_ON_ONE_OF = re.compile(r"\bback\s+(?:on|onto|in|into)\s+the\s+(?P<what>[a-z]+(?:\s+[a-z]+)?)(?=\s*(?:[,.;!?]|\band\b|\bthen\b|$))", re.IGNORECASE)
# "put the skillet where the pot was": where that thing stands now
_WHERE_THAT_WAS = re.compile(
    r"\b(?:back\s+)?where\s+(?P<what>(?:the|my|your)\s+[a-z][a-z ]*?)\s+(?:was|were|is|are|used to be|had been|stood|sat|sits|stands)\b",
    re.IGNORECASE,
)


def there_spelled_out(world: World, text: str, holder_of: Optional[dict[str, str]] = None) -> str:
    """"Move the saucepan off the back ring and put the frying pan there" as "... put the frying
    pan on the back ring": "there" in a clause whose verb puts is the last thing the clauses
    before take something from or put something in or on, when those words name exactly one
    such thing; "put it over there" with nothing before is left as it is. "Where it was", "in its
    place", "on instead" and a bare "back in" are the last place the clauses before take something
    from ("take the saucepan off the front ring, ... and put the kettle where it was": on the
    front ring). "Where the pot was" is what the pot stands in or on now (`holder_of`)."""
    for pattern, hows in ((_THERE, None), (_WHERE_IT_WAS, _TAKEN_FROM)):
        for match in reversed(list(pattern.finditer(text))):
            start, _ = _clause_around(text, match.start(), match.end())
            if not start or not _PUTTING.search(text[start : match.start()]):
                continue
            spots = []
            for said in _PLACE_SAID.finditer(text[:start]):
                if hows is not None and said.group("how").lower() not in hows:
                    continue
                holder = _place_said(world, text[: said.start()], said.group("what"))
                if holder is not None:
                    inside = said.group("how").lower() in ("in", "into", "inside", "out of")
                    spots.append(f"{'in' if inside else 'on'} the {holder.replace('_', ' ')}")
            if spots:
                back = "back " if match.group(0).lower().startswith("back") else ""
                text = text[: match.start()] + back + spots[-1] + text[match.end() :]
    for match in reversed(list(_THING_BACK.finditer(text))):
        start, _ = _clause_around(text, match.start(), match.end())
        if not start or not _PUTTING.search(text[start : match.start()]):
            continue
        before, spot = text[:start], None
        taken = [_place_said(world, before[: s.start()], s.group("what")) for s in _PLACE_SAID.finditer(before) if s.group("how").lower() in _TAKEN_FROM]
        things = [n for n in mentioned_names(world, match.group("what")) if n in world.objects_by_name]
        if taken and taken[-1] is not None:
            spot = taken[-1]  # "take the milk out of the fridge, ... and put the milk back"
        elif len(things) == 1 and holder_of is not None and holder_of.get(things[0]) in mentioned_names(world, before):
            spot = holder_of[things[0]]  # "if the bread bin is shut, open it and put the sourdough back": it is in there
        if spot is not None:
            inside = "container" in world.categories_of(spot) or world.objects_by_name[spot].states.get("open") is not None
            text = text[: match.end("back")] + f" {'in' if inside else 'on'} the {spot.replace('_', ' ')}" + text[match.end("back") :]
    for match in reversed(list(_BACK_ON_ONE_OF.finditer(text)) if holder_of is not None else []):
        fits = {n for n in mentioned_names(world, match.group("what")) if n in world.objects_by_name and world.objects_by_name[n].receptacle}
        held = {holder_of.get(n) for n in mentioned_names(world, text[: match.start()])} & fits
        if len(fits) > 1 and len(held) == 1:  # "move the pan to the sink, ... put it back on the burner": the one it is on
            text = text[: match.start("what")] + next(iter(held)).replace("_", " ") + text[match.end("what") :]
    for match in reversed(list(_WHERE_THAT_WAS.finditer(text)) if holder_of is not None else []):
        things = [n for n in mentioned_names(world, match.group("what")) if n in world.objects_by_name]
        named = mentioned_names(world, text[: match.start()])
        things = [n for n in things if n in named] if len(things) > 1 else things  # "the book": the one named before
        holder = holder_of.get(things[0]) if len(things) == 1 else None
        if holder in world.objects_by_name and _PUTTING.search(text[: match.start()]):  # "put A on B and C where A was"
            inside = "container" in world.categories_of(holder)
            text = text[: match.start()] + f"{'in' if inside else 'on'} the {holder.replace('_', ' ')}" + text[match.end() :]
    return text


def _place_said(world: World, before: str, words: str) -> Optional[str]:
    """The one receptacle the words after "off", "in" ... name; "off it" is the one fixed
    receptacle the words before name ("if the back ring is on, take the kettle off it")."""
    if re.match(r"it\b", words, re.IGNORECASE):
        words, pickable = before, False
    else:
        words, pickable = " ".join(words.split()[:4]), None
    holders = {
        n for n in mentioned_names(world, words)
        if n in world.objects_by_name and world.objects_by_name[n].receptacle and pickable in (None, world.objects_by_name[n].pickable)
    }
    return next(iter(holders)) if len(holders) == 1 else None


# a bare "out" or "off" that says nothing of where from: "take them out", "lift it off"
BARE_OUT = re.compile(r"\b(?P<how>out|off)\b(?!\s+(?:of|from|the|my|your|its|their|a|an|this|that)\b)", re.IGNORECASE)


def opened_out_spelled_out(world: World, text: str) -> str:
    """"Open the cool box, get the beers out and put them on the table" as "..., get the beers
    out of the cool box and ...": a bare "out" in the clause after one that only opens a thing
    that holds others takes things out of that thing, so no "them" later reaches the box."""
    clauses = split_requests(world, text)
    for opening, clause in zip(clauses, clauses[1:]):
        if verb_states(world, opening) != {("open", False)} or clause not in text:
            continue
        opened = [n for n in mentioned_names(world, opening) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
        bare = BARE_OUT.search(clause)
        if len(opened) != 1 or not bare or bare.group("how").lower() != "out" or opened[0] in mentioned_names(world, clause):
            continue
        text = text.replace(clause, f"{clause[: bare.start()]}out of the {opened[0].replace('_', ' ')}{clause[bare.end() :]}", 1)
    return text


def compound_said_again_spelled_out(world: World, text: str) -> str:
    """"Put the eggs in the saucepan, then stick the pan on the ring" as "... stick the saucepan
    on the ring": a word said after a one-word name that ends with it ("saucepan", "pan") is that
    thing, when the thing is of a category the word's own things share (a saucepan is cookware,
    as a frying pan is; a cupboard is no chopping board) and the words before name none of them."""
    spelled: list[tuple[int, int, str]] = []
    for match in re.finditer(r"\b(?:the|that|this)\s+(?P<word>[a-z]+)\b", text, re.IGNORECASE):
        word, before = match.group("word").lower(), text[: match.start()]
        own = [world.objects_by_name[n] for n in mentioned_names(world, f"the {word}") if n in world.objects_by_name]
        if not own or set(mentioned_names(world, before)) & {o.name for o in own}:
            continue
        categories = {c for o in own for c in world.categories_of(o.name)}
        compounds = {
            n
            for token in set(re.findall(r"[a-z]+", before.lower()))
            if len(token) > len(word) + 2 and token.endswith(word)
            for n in mentioned_names(world, token)
            if n in world.objects_by_name and categories & world.categories_of(n)
        }
        if len(compounds) == 1:
            spelled.append((match.start(), match.end(), f"the {next(iter(compounds)).replace('_', ' ')}"))
    return _with_spans_spelled(text, spelled)


# "give the pan a scrub", "give them a good rinse": the noun is the verb asked
_GIVE_IT_A = re.compile(
    r"\bgive\s+(?P<what>it|them|(?:the|my|your|both|all the)\s+[a-z][a-z' -]*?)\s+an?\s+(?:good\s+|quick\s+|proper\s+|little\s+)?(?P<verb>[a-z]+)\b",
    re.IGNORECASE,
)
# what a thing can be given ("a wash", "a quick wipe"); never "a break", "a go"
_GIVEN_CARE = {"scrub", "wash", "rinse", "clean", "wipe", "polish", "dust", "dry", "stir", "heat", "warm", "chill", "toast", "fry", "boil", "fold", "fill", "cook"}


def given_care_spelled_out(world: World, text: str) -> str:
    """"Give the saucepan a scrub" as "scrub the saucepan", "give them a good wash" as "wash
    them": what a thing is given is the verb asked, for the ways of caring for things only."""
    verbs = _request_verbs(world) & _GIVEN_CARE

    def given(match: re.Match) -> str:
        verb = match.group("verb").lower()
        return f"{verb} {match.group('what')}" if verb in verbs else match.group(0)

    return _GIVE_IT_A.sub(given, text)


def made_spelled_out(world: World, text: str) -> str:
    """"Make toast" as the request for the state of the one thing that makes it ("Toast the
    bread."), from the shared table of things made, wherever a clause asks it ("rinse the mug
    and make me a coffee"); other text comes back as it is."""

    def made(match: re.Match) -> str:
        entry = made_things().get(match.group("what").lower())
        if entry is None:
            return match.group(0)
        state, kind = entry
        things = [o for o in world.objects if o.type == kind and state in o.states]
        skills = [s for s in world.skill_list if s.plannable and any(e.predicate == state and not e.negated for e in s.effect_literals)]
        if len(things) != 1 or not skills:
            return match.group(0)
        verb = skills[0].name.replace("_", " ")
        if match.group("lead").strip() in ("", "."):  # a sentence's first word
            verb = verb[0].upper() + verb[1:]
        return f"{match.group('lead')}{verb} the {things[0].name.replace('_', ' ')}"

    spelled = _MAKE.sub(made, text)
    if spelled != text and spelled.rstrip().endswith("?"):  # "could you make me a coffee?" asks, it does not wonder
        spelled = spelled.rstrip()[:-1] + "."
    return spelled


def _coming_from(part: str, origin: str) -> str:
    """The part with "from ORIGIN" before where its things go: "the mug from the table in the cupboard"."""
    where = _WHERE_TO.search(part) if origin else None
    return f"{part[: where.start()]}from {origin} {part[where.start():]}" if where else part


def _request_verbs(world: World) -> set[str]:
    """Words that start a request: the everyday verbs and the words of the world's skills."""
    verbs = _REQUEST_VERBS | {part for skill in world.skill_list for part in skill.name.split("_")}
    verbs |= _PUTTING_SLANG - {w for o in world.objects for w in [*o.name.split("_"), *o.type.split("_")]}
    return verbs | {alias.split()[0] for skill in world.skill_list for alias in skill.aliases if alias}


# Verbs people ask of things that no skill's state or place says: "dry the mugs", "fold the throw"
_VERBS_NO_SKILL_SAYS = {
    "dry", "fold", "iron", "dust", "polish", "sweep", "mop", "hoover", "vacuum", "plump", "straighten", "sort", "air",
    "water", "feed", "mow", "rake", "weed", "prune", "repot",
}


# "turn the radio down", "turn up the heating": how loud or warm, which no state says
_TURNED_UP_OR_DOWN = re.compile(r"^(?:turn|crank)\s+(?:(?P<first>up|down)\b|(?:it|them|(?:the|my|your)\s+[a-z]+(?:\s+[a-z]+)?)\s+(?P<last>up|down)\b)")


def verb_no_skill_says(world: World, clause: str) -> Optional[str]:
    """The verb a clause begins with when it asks for what no state or place of the world says
    ("dry the mugs", "turn the radio down"), with no place said for the things; else None."""
    words = re.findall(r"[a-z]+", without_conditions(clause).lower())
    while words[:1] and words[0] in ("please", "just", "then", "and", "also", "now"):
        words = words[1:]
    if turned := _TURNED_UP_OR_DOWN.match(" ".join(words)):
        return f"{words[0]} {turned.group('first') or turned.group('last')}"
    if not words or words[0] not in _VERBS_NO_SKILL_SAYS or asked_states(world, clause) - {("in", True)}:
        return None
    return None if re.search(r"\b(?:in|into|on|onto|inside|to|away|back)\b", clause, re.IGNORECASE) else words[0]


def asks_something(world: World, clause: str) -> bool:
    """Whether the clause, its conditions left out, starts with a verb that asks for something
    ("bring that too"), not a remark ("it's cold in here") or a condition alone ("if it is")."""
    words = re.findall(r"[a-z]+", without_conditions(clause))
    while words[:1] and words[0] in ("please", "just", "then", "and", "also", "now"):
        words = words[1:]
    return bool(words) and words[0] in _request_verbs(world)


def split_requests(world: World, text: str) -> list[str]:
    """Every clause of `request_groups`, in order."""
    return [clause for group in request_groups(world, text) for clause in group]


def asked_in_clauses(world: World, text: str) -> frozenset[tuple[str, bool]]:
    """The (state, negated) goals a request's words ask for, read whole and clause by clause:
    "turn the tv off, the lamp on" asks for switched_on through its second clause's verb."""
    found = set(asked_states(world, text))
    for clause in split_requests(world, text):
        found |= asked_states(world, clause)
    return frozenset(found)


# Words that may follow a request's verb ("turn off the lamp and the fan"), words that begin a
# listed thing, and words that end a list and begin what is said of every thing in it.
_PARTICLES = {"off", "on", "up", "out", "down", "away", "back", "over"}
_DETERMINERS = {"the", "a", "an", "my", "your", "our", "his", "her", "their", "this", "that", "these", "those"}
_SWITCH_PARTICLES = {"on", "off"}  # "switch the lamp on and the fan off"
_LIST_ENDS = {
    "in", "into", "on", "onto", "to", "inside", "under", "from", "at", "next", "near", "by", "with",
    "off", "out", "over", "up", "down", "away", "back", "if", "where", "so", "for", "beside", "behind",
}


def _distribute(world: World, clause: str, verbs: set[str]) -> list[str]:
    """'Put the A, the B and the C in the D' -> one clause per listed thing, each with the verb and
    what follows the list. A clause that is not such a list comes back whole."""
    condition = re.match(CONDITION_START + r"[^,]*,\s*", clause, re.IGNORECASE)
    if condition and condition.end() < len(clause):  # "if the dishwasher is open, put A and B in it"
        pieces = _distribute(world, clause[condition.end() :], verbs)
        return [condition.group(0) + pieces[0], *pieces[1:]] if len(pieces) > 1 else [clause]
    tokens = re.findall(r"[A-Za-z0-9'_-]+|,", clause)
    name_words = {w for n in [*world.objects_by_name, *world.places_by_name] for w in n.split("_")}
    name_words |= {w for o in world.objects for w in o.type.split("_")}
    start = 2 if tokens[:1] and tokens[0].lower() == "please" else 1
    if len(tokens) <= start or tokens[start - 1].lower() not in verbs:
        return [clause]  # only a request that starts with its verb is split into its things
    while start < len(tokens) and tokens[start].lower() in _PARTICLES:
        start += 1
    items: list[list[str]] = []
    current: list[str] = []
    after_separator = False
    position = start
    while position < len(tokens):
        word = tokens[position].lower()
        if word in (",", "and"):
            if current:
                items.append(current)
            current, after_separator = [], True
            position += 1
            continue
        if not items and not current and word in ("it", "them"):  # "put it on the table and the blue mug in the sink"
            current.append(tokens[position])
            position += 1
            continue
        if not current and word not in _DETERMINERS and word.rstrip("s") not in name_words and word not in name_words:
            if after_separator:
                return [clause]  # "wash the mug and dry it": not a list of things
            break
        if current and word in _LIST_ENDS:
            break
        current.append(tokens[position])
        after_separator = False
        position += 1
    if current:
        items.append(current)
    verb, rest = " ".join(tokens[:start]), tokens[position:]
    second: list[str] = []
    gap = _gap(world, rest)
    if gap is not None:  # "put the pencil in the case and the case in the bag": the verb is shared
        rest, second = [w for w in rest[:gap] if w != ","], _distribute(world, " ".join([verb, *rest[gap + 1 :]]), verbs)
    tail = " ".join(rest)
    if len(items) < 2 or not all(mentioned_names(world, " ".join(item)) for item in items):
        return [" ".join(part for part in (verb, " ".join(items[0]), tail) if part), *second] if second and items else [clause]
    return [" ".join(part for part in (verb, " ".join(item), tail) if part) for item in items] + second


def _gap(world: World, tail: list[str]) -> Optional[int]:
    """Where, in the words after a request's things, a second request with its verb left out
    starts: "... on the counter, the loaf in the fridge" or "... and the B in the C". The second
    one must name a thing that can be moved before its where-to word. "Switch the lamp on and
    the fan off" shares its verb too: both parts end in their own particle."""
    for i, word in enumerate(tail[:-2]):
        if word.lower() in ("and", ",") and tail[i + 1].lower() in _DETERMINERS:
            second = tail[i + 1 :]
            ends = [w.lower() for w in second if w != ","]
            if i > 0 and tail[0].lower() in _SWITCH_PARTICLES and ends[-1] in _SWITCH_PARTICLES and mentioned_names(world, " ".join(ends[:-1])):
                return i
            where = next((j for j, w in enumerate(second) if w.lower() in ("in", "into", "on", "onto", "to")), None)
            if where is None:
                continue
            things = mentioned_names(world, " ".join(second[:where]))
            if any(n in world.objects_by_name and world.objects_by_name[n].pickable for n in things):
                return i
    return None


# "in the nook... no, on the end table", "my textbook, I mean the chem book": words that take back
# what was just said and say it again; after "..." a plain "no" or "wait" does it too
_TAKEN_BACK = re.compile(
    r"(?:\s*(?:\.{2,}|\u2026)\s*(?:(?:oh\s+)?(?:no\s+)?wait|no|actually|sorry|i mean|scratch that|make that|or rather|rather)"
    r"|\s*,\s*(?:actually|(?:oh\s+)?(?:no\s+)?wait(?=\s*,)|i mean|sorry|scratch that|make that|or rather|no(?=\s*,)))\b"
    r"[\s,]*(?:(?:actually|just|no|i mean)\b[\s,]*)*",
    re.IGNORECASE,
)
_PLACE_WORDS = r"(?:in|into|on|onto|to|inside|under|next to|by|beside|near|behind|on top of)"
_STATE_WORDS = {"on", "off", "up", "down", "open", "closed", "shut", "in", "out"}


class TakenBack(ValueError):
    """A request that takes back part of what it says in a way the words do not settle."""


def corrections_spelled_out(world: World, text: str) -> str:
    """The request as meant where it takes back what it just said: "put the bowl in the nook...
    no, on the end table" puts it on the end table; "put my textbook... actually the chem book,
    in my bag" puts the chem book there; "hang it... actually just bring it to the hall" brings
    it; "turn it down... I mean off" turns it off. What the new words are (a place, a thing, a
    request, a state word) says which words they replace. Raises TakenBack where that is unclear."""
    for _ in range(3):  # "... no, ... actually ..."
        match = _TAKEN_BACK.search(text)
        if match is None:
            return text
        before, rest = text[: match.start()].rstrip(" ,."), text[match.end() :]
        again = re.match(r"[^,.;!?]*", rest).group(0)  # the words said again, up to the next mark
        said, after = again.strip(), rest[len(again) :]
        replaced = _said_again(world, before, said)
        if replaced is None:
            raise TakenBack(f"'{match.group(0).strip(' ,.')}' takes back part of the request, and it is unclear which; say once what is wanted")
        text = replaced + re.sub(rf"^,\s*(?={_PLACE_WORDS}\b)", " ", after)  # "the chem book, in my bag"
    return text


def _said_again(world: World, before: str, said: str) -> Optional[str]:
    """`before` with the words `said` replaces, or None when no part of it is of their kind."""
    words = said.split()
    if not words:
        return None
    first = words[0].lower()
    if re.match(rf"{_PLACE_WORDS}\b", said, re.IGNORECASE):  # a place said again
        places = list(re.finditer(rf"\b{_PLACE_WORDS}\b", before, re.IGNORECASE))
        return f"{before[: places[-1].start()]}{said}" if places else None
    if first in _DETERMINERS:  # a thing said again: the last thing of the same sort (movable or not)
        movable = _names_movable(world, said)
        for phrase in reversed(list(_THING_PHRASE.finditer(before))):
            if any(n in world.objects_by_name for n in mentioned_names(world, phrase.group(0))) and _names_movable(world, phrase.group(0)) == movable:
                return f"{before[: phrase.start()]}{said}{before[phrase.end():]}"
        return None
    if len(words) == 1 and first in _STATE_WORDS and before.split()[-1].lower() in _STATE_WORDS:  # "down... I mean off"
        return f"{before.rsplit(' ', 1)[0]} {said}"
    if first in _request_verbs(world):  # a request said again: the last clause goes
        cut = max((m.end() for m in re.finditer(r",\s*|\s+and\s+|\s+then\s+", before)), default=0)
        if cut:
            return f"{before[:cut]}{said}"
        # the whole request said again: "it" is still the thing it named ("put the milk in the
        # fridge, actually, put it in the freezer")
        thing = next((m.group(0) for m in _THING_PHRASE.finditer(before) if _names_movable(world, m.group(0))), None)
        return re.sub(r"\b(?:it|them)\b", thing, said, count=1) if thing else said
    return None


_THING_PHRASE = re.compile(rf"\b(?:{'|'.join(_DETERMINERS)})\b[^,.;]*?(?=\s+{_PLACE_WORDS}\b|\s+and\b|\s+from\b|\s+out\b|\s+off\b|$)", re.IGNORECASE)


def _names_movable(world: World, words: str) -> bool:
    """Whether the words name a thing that can be picked up."""
    return any(world.objects_by_name[n].pickable for n in mentioned_names(world, words) if n in world.objects_by_name)


# words that stand before a verb that belongs to a condition or names a thing ("if the pan is
# clean", "when you get a chance", "the clean towel"), and words a request may open with
_NOT_A_REQUEST_AFTER = {"is", "are", "was", "were", "be", "been", "s", "isn't", "aren't", "not", "still", "left", "you", "i", "we", "it", "they", "he", "she", "has", "have", "got"}
_OPENERS = {"then", "please", "just", "kindly", "you", "must", "should", "can", "could", "need", "needs", "to", "have", "will", "would"}


_OPENS_WITH_CONDITION = re.compile(r"\s*" + CONDITION_LIMITERS + "(?:" + "|".join(w.replace(" ", r"\s+") for w in CONDITION_WORDS) + r")\b", re.IGNORECASE)


# "Is the oven on?", "Did you wash the mug?", "Why is the radio on?": a question, not a request;
# "could you ...?", "do you mind ...?", "how about ...?", "why don't you ...?" ask for something
_QUESTION = re.compile(
    r"^(?!(?:do|would)\s+you\s+mind\b|how\s+about\b|what\s+about\b|why\s+(?:don['’]?t|not)\b)"
    r"(?:is|are|was|were|did|does|has|have|had|where|why|what|which|who|how|isn['’]?t|aren['’]?t)\b[^.!;]*\?\s*$",
    re.IGNORECASE,
)


def only_asks(text: str) -> bool:
    """Whether the words are only a question about how things are, asking nothing to be done."""
    return bool(_QUESTION.match(text.strip()))


_DENYING = {"don't", "dont", "don’t", "do", "not", "never"}


# "take the cushions out and put them on the bench, unless the parasol is closed"
_CONDITION_SAID_LAST = re.compile(
    r"^(?P<asked>[^.;!?]+?),\s*(?P<condition>" + CONDITION_LIMITERS + r"(?:if|unless|when|as long as|provided)\b[^,.;!?]+)(?P<end>[.!?]?)\s*$", re.IGNORECASE
)


def trailing_condition_spelled_out(world: World, text: str) -> str:
    """"Take the cushions out of the chest and put them on the bench, unless the parasol is
    closed" as "Unless the parasol is closed, take ...": a condition said last, after a comma,
    about a thing no step names (or said with "only"), holds for every step, not only the last one."""
    match = _CONDITION_SAID_LAST.match(text.strip())
    if match is None or len(request_groups(world, match.group("asked"))) < 2:
        return text
    about = mentioned_names(world, match.group("condition"))
    only = re.match(r"(?:but\s+)?only\b", match.group("condition"), re.IGNORECASE)  # "..., but only if the suitcase is open": all of it
    if not about or (about & mentioned_names(world, match.group("asked")) and not only) or re.search(r"\b(?:it|they|them|one)\b", match.group("condition"), re.IGNORECASE):
        return text  # "..., and close the door if it is open": the condition is the last step's
    condition, asked = re.sub(r"^but\s+", "", match.group("condition"), flags=re.IGNORECASE), match.group("asked")
    return f"{condition[0].upper()}{condition[1:]}, {asked[0].lower()}{asked[1:]}{match.group('end')}"


def condition_comma_spelled_out(world: World, text: str) -> str:
    """A condition said without its comma, with it: "if the radio is on turn it off" is "if the
    radio is on, turn it off"; "if the oven is on you must switch it off" is "..., switch it off".
    The request starts at the first verb that asks for something and is no part of the condition."""
    verbs = _request_verbs(world)
    sentences = re.split(r"(?<=[.!?;])\s+", text)
    for number, sentence in enumerate(sentences):
        if _OPENS_WITH_CONDITION.match(sentence) and "," not in sentence:
            sentences[number] = _comma_before_request(sentence, verbs)
            continue
        # "..., and when they're hot put them on the table": a condition that opens a later clause
        for match in reversed(list(_CONDITION_AFTER_AND.finditer(sentence))):
            rest = sentence[match.start("condition") :]
            if "," not in rest:
                sentences[number] = sentence[: match.start("condition")] + _comma_before_request(rest, verbs)
        sentences[number] = _comma_after_trailing_condition(sentences[number], verbs)
    return " ".join(sentences)


_TRAILING_CONDITION = re.compile(r"(?<![,;])\s(?:if|when|unless|once|whenever)\s[^,.;!?]*", re.IGNORECASE)


def _comma_after_trailing_condition(sentence: str, verbs: set[str]) -> str:
    """"turn the radio off if it's on and close the window": the condition ends before "and" and
    a verb that asks for something, so the request after it is no part of the condition."""

    def ended(match: re.Match) -> str:
        words = match.group(0).split(" ")
        for i in range(2, len(words) - 1):
            if words[i].lower() == "and" and words[i + 1].lower() in verbs - _LIST_ENDS and words[i - 1].lower() not in _NOT_A_REQUEST_AFTER:
                return " ".join(words[:i]) + ", " + " ".join(words[i:])
        return match.group(0)

    return _TRAILING_CONDITION.sub(ended, sentence)


_CONDITION_AFTER_AND = re.compile(r"(?:,\s*|\band\s+|\bthen\s+)(?P<condition>(?:if|when|once|unless|whenever)\b)", re.IGNORECASE)


def _comma_before_request(words_said: str, verbs: set[str]) -> str:
    """A condition and its request without the comma between, with it."""
    words = words_said.split(" ")
    for i in range(2, len(words)):
        word, before = words[i].lower().strip(".!?;"), words[i - 1].lower().strip(".!?;")
        if word not in verbs - _LIST_ENDS or before in _NOT_A_REQUEST_AFTER | _DETERMINERS or before.endswith("'s"):
            continue
        kept = i
        while kept > 2 and words[kept - 1].lower() in _DENYING:
            kept -= 1  # "if my phone is on don't turn it off": the "don't" is the request's
        start = kept
        while start > 2 and words[start - 1].lower() in _OPENERS:
            start -= 1  # "you must switch it off": the request is "switch it off"
        if start > 2 and words[start - 1].lower() in _NOT_A_REQUEST_AFTER:
            break  # "when you get a chance": its verb's subject is said, a condition goes on
        return " ".join(words[:start]) + ", " + " ".join(words[kept:])
    return words_said


__all__ = ["DEMONSTRATIVES", "PRONOUNS", "condition_comma_spelled_out", "trailing_condition_spelled_out", "only_asks", "TakenBack", "corrections_spelled_out", "asked_in_clauses", "asks_something", "colon_spelled_out", "done_first_spelled_out", "made_spelled_out", "ones_spelled_out", "opened_out_spelled_out", "pieces_spelled_out", "put_on_spelled_out", "there_spelled_out", "BARE_OUT", "it_after_list_spelled_out", "it_by_state_spelled_out", "it_of_the_condition_spelled_out", "request_groups", "split_requests", "too_spelled_out", "verb_no_skill_says", "wanted_spelled_out"]
