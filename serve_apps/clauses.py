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

from fleet.lexicon import CONDITION_START, CONDITION_WORDS
from fleet.world import World
from serve_apps.vocabulary import mentioned_names

# Words that start a new request inside a sentence ("... and close the fridge"): the world's
# skill names plus everyday verbs for moving things and changing them.
_REQUEST_VERBS = {
    "bring", "take", "move", "put", "get", "leave", "send", "carry", "fetch", "place", "store",
    "shut", "close", "open", "start", "stop", "turn", "switch", "check", "clean", "wash", "wipe",
    "slice", "cut", "inspect", "heat", "make", "drop", "set", "give", "hand", "park", "stage",
    "clear", "tidy", "throw", "toss", "hang", "fold", "return", "fill", "swap", "grab", "pick", "load",
    "unload", "stack", "pour", "cook", "fry", "boil", "bake", "toast", "dry", "rinse", "scrub", "chop",
    "deliver", "collect", "lay", "warm", "chill", "cool", "hide", "stow", "tuck", "pack", "wheel",
    "roll", "push", "pull", "slide",
}
# First words of the conditions that may open a request after "and" ("..., and if the lamp is on, ...")
_CONDITION_FIRST_WORDS = {phrase.split()[0] for phrase in CONDITION_WORDS}
# Words that reach back to the things of the clause before.
PRONOUNS = {"it", "them", "its", "they", "there", "one"}


def request_groups(world: World, text: str) -> list[list[str]]:
    """The requests a mission strings together, each as one clause per thing it lists.

    "Slice the apple, put it in the fridge and close the fridge" is three requests; "put the
    butter, the milk and the egg on the table" is one request of three clauses ("put the butter
    on the table", ...), so a small model answers one thing at a time and none is dropped.
    """
    verbs = _REQUEST_VERBS | {part for skill in world.skill_list for part in skill.name.split("_")}
    verbs |= {alias.split()[0] for skill in world.skill_list for alias in skill.aliases if alias}
    parts = [p for p in re.split(r";|\bthen\b|(?<=[.!?])\s+", text) if p.strip()]
    clauses: list[str] = []
    for part in parts:
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
    clauses = [c.strip(" .?!,") for c in clauses if c.strip(" .?!,")]
    joined: list[str] = []
    for clause in clauses:  # "if the lamp is on, turn it off": the condition stays with its request
        if joined and re.match(CONDITION_START, joined[-1], re.IGNORECASE) and "," not in joined[-1]:
            joined[-1] = f"{joined[-1]}, {clause}"
        else:
            joined.append(clause)
    return [_distribute(world, clause, verbs) for clause in joined]


def split_requests(world: World, text: str) -> list[str]:
    """Every clause of `request_groups`, in order."""
    return [clause for group in request_groups(world, text) for clause in group]


# Words that may follow a request's verb ("turn off the lamp and the fan"), words that begin a
# listed thing, and words that end a list and begin what is said of every thing in it.
_PARTICLES = {"off", "on", "up", "out", "down", "away", "back", "over"}
_DETERMINERS = {"the", "a", "an", "my", "your", "our", "his", "her", "their", "this", "that", "these", "those"}
_LIST_ENDS = {
    "in", "into", "on", "onto", "to", "inside", "under", "from", "at", "next", "near", "by", "with",
    "off", "out", "over", "up", "down", "away", "back", "if", "where", "so", "for", "beside", "behind",
}


def _distribute(world: World, clause: str, verbs: set[str]) -> list[str]:
    """'Put the A, the B and the C in the D' -> one clause per listed thing, each with the verb and
    what follows the list. A clause that is not such a list comes back whole."""
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
        rest, second = [w for w in rest[:gap] if w != ","], [" ".join([verb, *rest[gap + 1 :]])]
    tail = " ".join(rest)
    if len(items) < 2 or not all(mentioned_names(world, " ".join(item)) for item in items):
        return [" ".join(part for part in (verb, " ".join(items[0]), tail) if part), *second] if second and items else [clause]
    return [" ".join(part for part in (verb, " ".join(item), tail) if part) for item in items] + second


def _gap(world: World, tail: list[str]) -> Optional[int]:
    """Where, in the words after a request's things, a second request with its verb left out
    starts: "... on the counter, the loaf in the fridge" or "... and the B in the C". The second
    one must name a thing that can be moved before its where-to word."""
    for i, word in enumerate(tail[:-2]):
        if word.lower() in ("and", ",") and tail[i + 1].lower() in _DETERMINERS:
            second = tail[i + 1 :]
            where = next((j for j, w in enumerate(second) if w.lower() in ("in", "into", "on", "onto", "to")), None)
            if where is None:
                continue
            things = mentioned_names(world, " ".join(second[:where]))
            if any(n in world.objects_by_name and world.objects_by_name[n].pickable for n in things):
                return i
    return None


__all__ = ["PRONOUNS", "request_groups", "split_requests"]
