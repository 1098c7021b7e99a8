"""Which goal predicates a request's words ask for: the verb lexicon of the skills and states.

A skill's name and aliases ("slice", "cut", "chop"; "switch on", "turn on") ask for the states
its unconditional effects set or clear; the shared table `fleet/data/state_words.yaml` adds
words that speak of a state without a verb ("the fridge is still open", "the dirty mug").
Inflections count ("sliced", "chopping", "broke"). A phrase matches when its words come in
order, a few words apart at most ("turn the lamp on").

    python -c "from fleet.world import load_world; from fleet.lexicon import asked_states; \\
        print(asked_states(load_world('household'), 'Put the egg in the fridge.'))"
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Optional

import yaml

from fleet.world import World

STATE_WORDS_FILE = Path(__file__).parent / "data" / "state_words.yaml"
_GAP = 3  # words that may stand between the words of a phrase ("turn the desk lamp on")
_IRREGULAR = {
    "break": ["broke", "broken"],
    "take": ["took", "taken"],
    "bring": ["brought"],
    "throw": ["threw", "thrown"],
    "hold": ["held"],
    "make": ["made"],
    "leave": ["left"],
    "get": ["got", "gotten"],
    "lay": ["laid"],
    "hang": ["hung"],
    "shut": ["shut"],
    "cut": ["cut"],
    "put": ["put"],
    "set": ["set"],
}


@functools.lru_cache(maxsize=1)
def state_words() -> dict[str, list[tuple[str, bool]]]:
    """The shared table: word or phrase -> the (state, negated) goals it speaks of; a state named
    without "not" may be asked for either way."""
    with open(STATE_WORDS_FILE) as handle:
        table = yaml.safe_load(handle)["words"]
    found: dict[str, list[tuple[str, bool]]] = {}
    for word, said in table.items():
        for entry in said if isinstance(said, list) else [said]:
            negated = str(entry).startswith("not ")
            state = str(entry).removeprefix("not ")
            found.setdefault(str(word), []).extend([(state, True)] if negated else [(state, False), (state, True)])
    return found


@functools.lru_cache(maxsize=1)
def holds_when_said() -> dict[str, tuple[str, bool]]:
    """Adjective -> (state, value) it says holds ("dirty" -> clean, False), from the shared table."""
    with open(STATE_WORDS_FILE) as handle:
        table = yaml.safe_load(handle).get("holds_when_said", {})
    return {str(word): (str(said).removeprefix("not "), not str(said).startswith("not ")) for word, said in table.items()}


def denied_states(text: str) -> frozenset[tuple[str, bool]]:
    """The (state, negated) goals a state word said with "not" asks for: "make certain the faucet
    is not running" asks for not switched_on, "the mug isn't dirty" for clean."""
    said = holds_when_said()
    words = "|".join(re.escape(w) for w in sorted(said, key=len, reverse=True))
    denied = re.finditer(
        rf"\b(?:not|isn['’]?t|aren['’]?t|wasn['’]?t|never|no longer)\s+(?:(?:left|still|kept|switched|turned|to|be|being|been)\s+)*(?P<how>{words})\b(?!\s+(?:the|a|an|my|your|top|of|to|it)\b)",  # "not on the table" says where
        text,
        re.IGNORECASE,
    )
    return frozenset((said[m.group("how").lower()][0], said[m.group("how").lower()][1]) for m in denied)


@functools.lru_cache(maxsize=1)
def made_things() -> dict[str, tuple[str, str]]:
    """Thing made -> (state, object type) that makes it ("toast" -> toasted bread), from the shared table."""
    with open(STATE_WORDS_FILE) as handle:
        table = yaml.safe_load(handle).get("made", {})
    return {str(word): (str(entry["state"]), str(entry["type"])) for word, entry in table.items()}


def inflections(word: str) -> set[str]:
    """A verb's or adjective's common forms: cut, cuts, cutting; slice, sliced, slicing; fry, fried."""
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing", *_IRREGULAR.get(word, [])}
    if word.endswith("e"):
        forms.add(word[:-1] + "ing")
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # chop, chopped; cut, cutting
    return forms


def phrase_span(words: list[str], phrase: str, start_at: int = 0) -> Optional[tuple[int, int]]:
    """Where the phrase stands (first and last word) when the request's words say it (its first
    word inflected, the rest in order, a few words apart at most), else None."""
    parts = phrase.split()
    for start in range(start_at, len(words)):
        if words[start] not in inflections(parts[0]):
            continue
        position = start
        for part in parts[1:]:
            window = words[position + 1 : position + 2 + _GAP]
            window = window[: window.index(",")] if "," in window else window  # a phrase ends at a comma
            if part not in window:
                break
            position = position + 1 + window.index(part)
        else:
            return start, position
    return None


def phrase_end(words: list[str], phrase: str) -> Optional[int]:
    """Where the phrase's last word stands when the request's words say it, else None."""
    span = phrase_span(words, phrase)
    return span[1] if span else None


_ARTICLE_WORDS = {"the", "a", "an", "my", "your", "our", "its", "their", "this", "that"}
# Words that, said alone before "the ...", say where a thing comes from: "off the back ring" takes
# the kettle off it, it switches nothing off
_FROM_WORDS = {"off", "out"}


def spoken(words: list[str], phrases: dict[str, set[tuple[str, bool]]], first_word_only: bool = False) -> set[tuple[str, bool]]:
    """The signs of the phrases the words say (only those that start at the first word, if asked).
    Where a longer phrase starts at the same word as a shorter one, the longer one is meant: "shut
    the laptop down" switches it off, it does not close it. Of two as long, the one said closer
    together: "switch off the lamp on the desk" switches it off."""
    spans: dict[tuple[int, int], set[str]] = {}
    for phrase in phrases:
        start = 0
        while (span := phrase_span(words, phrase, start)) is not None and not (first_word_only and span[0] > 0):
            # "switch off the lamp on the desk": an "on" before "the" starts where, it ends no verb
            after = words[span[1] + 1] if span[1] + 1 < len(words) else ""
            if not (span[1] > span[0] + 1 and after in _ARTICLE_WORDS):
                spans.setdefault(span, set()).add(phrase)
            start = span[0] + 1
    furthest: dict[int, int] = {}  # start -> end of the phrase meant there
    for start, end in sorted(spans, key=lambda span: (max(len(p.split()) for p in spans[span]), -span[1])):
        furthest[start] = end
    # the "off" of "turn the lamp off" belongs to that phrase; it does not also take a thing off somewhere
    closing = {end for start, end in spans if end > start and end == furthest[start]}

    def from_where(start: int, end: int) -> bool:
        return start == end and words[start] in _FROM_WORDS and start + 1 < len(words) and words[start + 1] in _ARTICLE_WORDS

    return {
        sign
        for (start, end), found in spans.items()
        if end == furthest[start] and not (start == end and start in closing)
        for phrase in found
        for sign in phrases[phrase]
        if sign[0] == "in" or not from_where(start, end)
    }


def _skill_phrases(world: World) -> dict[str, set[tuple[str, bool]]]:
    """Each plannable skill's name and aliases -> the (state, negated) goals its unconditional effects set."""
    states = set(world.state_names)
    found: dict[str, set[tuple[str, bool]]] = {}
    for skill in world.skill_list:
        signs = {(e.predicate, e.negated) for e in skill.effect_literals if e.predicate in states} if skill.plannable else set()
        for phrase in [skill.name.replace("_", " "), *skill.aliases] if signs else []:
            found.setdefault(phrase, set()).update(signs)
    return found


def lexicon(world: World) -> dict[str, set[tuple[str, bool]]]:
    """Word or phrase -> the (state, negated) goals it asks for, from the world's skills and the table."""
    states = set(world.state_names)
    found = _skill_phrases(world)
    for state in states:
        found.setdefault(state.replace("_", " "), set()).update({(state, False), (state, True)})
    for phrase, signs in state_words().items():
        known = {sign for sign in signs if sign[0] in states or sign[0] == "in"}
        if known:
            found.setdefault(phrase, set()).update(known)
    return found


def verb_states(world: World, clause: str) -> frozenset[tuple[str, bool]]:
    """The (state, negated) goals the verb a clause starts with asks for, from the world's skills:
    "heat up the soup" asks for hot, "switch off the fan" for not switched_on. Empty when the
    clause does not start with such a verb ("put ...", "if ...")."""
    words = re.findall(r"[a-z0-9]+", clause.lower())
    while words[:1] and words[0] in _BEFORE_THE_VERB:  # "please", "just switch off the TV"
        words = words[1:]
    return frozenset(spoken(words, _skill_phrases(world), first_word_only=True))


_BEFORE_THE_VERB = {"please", "just", "also", "and", "then", "now", "simply", "kindly", "so"}


# Words that open a condition: what follows says when to act, not what to bring about. Those of
# CONDITION_OPENERS only at the start ("should the fridge be open, shut it"; "once ...").
CONDITION_WORDS = ("if", "when", "whenever", "unless", "in case", "provided", "providing", "assuming", "supposing", "as long as")
CONDITION_OPENERS = ("should", "once")
_CONDITION_ALTERNATIVES = "|".join(w.replace(" ", r"\s+") for w in CONDITION_WORDS)
CONDITION_LIMITERS = r"(?:(?:but\s+)?(?:only|just)\s+)?"  # "only if the fridge is open, close it"
CONDITION_START = rf"(?:\b{CONDITION_LIMITERS}(?:{_CONDITION_ALTERNATIVES})\b|^\s*(?:{'|'.join(CONDITION_OPENERS)})\b)"


def without_conditions(text: str) -> str:
    """The request without its "if ..." parts, which say when to act rather than what to bring about."""
    return re.sub(CONDITION_START + r"[^,.;]*(?:[,.;]|$)", " ", text.lower(), flags=re.MULTILINE)


IRREVERSIBLE_STATES = ("broken", "sliced", "cooked", "toasted")  # states no skill undoes
_ARTICLES = r"(?:the|a|an|this|that|my|your|our|its|their)"  # "the open drawer" describes it
_DESCRIBING = rf"(?:{_ARTICLES[3:-1]}|(?:that|which) (?:is|are|was|were|s)(?: still)?)"  # "the mug that is cold"


def described_states(text: str) -> set[tuple[str, bool]]:
    """(state, value) pairs the words give as what a thing is like, not as what to make it:
    "the open drawer", "the mug that is cold", "the unwashed plate". An adjective of the shared
    table counts after an article or "that is"; "open the drawer" asks, it does not describe."""
    spaced = " " + " ".join(re.findall(r"[a-z]+", text.lower())) + " "
    return {holds_when_said()[found.group(1)] for found in _describing_pattern().finditer(spaced)}


@functools.lru_cache(maxsize=1)
def _describing_pattern() -> re.Pattern:
    """" the open ", " that is cold ": a table adjective where it describes (compiled once)."""
    adjectives = "|".join(re.escape(w) for w in sorted(holds_when_said(), key=len, reverse=True) if w not in ("on", "off"))
    return re.compile(rf"(?<= ){_DESCRIBING} ({adjectives})(?= )")


@functools.lru_cache(maxsize=1)
def _article_adjective_pattern() -> re.Pattern:
    """" the dirty ": a reversible state's adjective after an article (compiled once)."""
    adjectives = "|".join(re.escape(w) for w, (state, _) in holds_when_said().items() if w not in ("on", "off") and state not in IRREVERSIBLE_STATES)
    return re.compile(rf" ({_ARTICLES}) (?:{adjectives})(?= )")


def asked_states(world: World, text: str) -> frozenset[tuple[str, bool]]:
    """The (state, negated) goals a request's words ask for; ("in", True) when it asks to take a
    thing out of or off somewhere. Where things go is always askable."""
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+|,", without_conditions(text))) + " "  # "shut, the monitor off" is no "shut off"
    for name in sorted((n for n in [*world.objects_by_name, *world.places_by_name] if "_" in n), key=len, reverse=True):
        spaced = spaced.replace(f" {name.replace('_', ' ')} ", " ")  # "the cleaning caddy" asks nothing to be clean
    # "the dirty mug" says which mug, it asks nothing of it: "put the dirty mug in the sink". A
    # state no skill undoes is still asked ("put a sliced apple in the fridge" wants it sliced).
    spaced = _article_adjective_pattern().sub(r" \1", spaced)
    spaced = re.sub(r" out (?=(?:on|onto|in|into) )", " ", spaced)  # "lay the pyjamas out on the chair" puts them there
    words = spaced.split()
    signs = spoken(words, lexicon(world))
    if {"onto", "into"} & set(words):  # "off the table onto the cart": where it goes says it all
        signs.discard(("in", True))
    return frozenset(signs)


__all__ = ["CONDITION_LIMITERS", "CONDITION_OPENERS", "CONDITION_START", "CONDITION_WORDS", "IRREVERSIBLE_STATES", "STATE_WORDS_FILE", "asked_states", "denied_states", "described_states", "holds_when_said", "inflections", "lexicon", "made_things", "phrase_end", "phrase_span", "spoken", "state_words", "verb_states", "without_conditions"]
