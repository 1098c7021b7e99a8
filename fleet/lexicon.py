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
def state_words() -> dict[str, str]:
    """The shared table: word or phrase -> the state it speaks of."""
    with open(STATE_WORDS_FILE) as handle:
        return {str(word): str(state) for word, state in yaml.safe_load(handle)["words"].items()}


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


def _says(words: list[str], phrase: str) -> bool:
    """Whether the request's words say the phrase: its first word inflected, the rest in order."""
    parts = phrase.split()
    starts = [i for i, w in enumerate(words) if w in inflections(parts[0])]
    for start in starts:
        position, found = start, True
        for part in parts[1:]:
            window = words[position + 1 : position + 2 + _GAP]
            if part not in window:
                found = False
                break
            position = position + 1 + window.index(part)
        if found:
            return True
    return False


def lexicon(world: World) -> dict[str, set[tuple[str, bool]]]:
    """Word or phrase -> the (state, negated) goals it asks for, from the world's skills and the table."""
    states = set(world.state_names)
    found: dict[str, set[tuple[str, bool]]] = {}
    for skill in world.skill_list:
        if not skill.plannable:
            continue
        signs = {(e.predicate, e.negated) for e in skill.effect_literals if e.predicate in states}
        if not signs:
            continue
        for phrase in [skill.name.replace("_", " "), *skill.aliases]:
            found.setdefault(phrase, set()).update(signs)
    for state in states:
        found.setdefault(state.replace("_", " "), set()).update({(state, False), (state, True)})
    for phrase, state in state_words().items():
        if state in states:
            found.setdefault(phrase, set()).update({(state, False), (state, True)})
    return found


def asked_states(world: World, text: str) -> frozenset[tuple[str, bool]]:
    """The (state, negated) goals a request's words ask for; where things go is always askable."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return frozenset(sign for phrase, signs in lexicon(world).items() if _says(words, phrase) for sign in signs)


__all__ = ["STATE_WORDS_FILE", "asked_states", "inflections", "lexicon", "state_words"]
