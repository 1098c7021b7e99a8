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

from fleet.state import WorldState
from fleet.world import World
from serve_apps.vocabulary import mentioned_names

_WITH_INSIDE = re.compile(
    r"\s*\bwith (?:the |a |an |its |their )?(?P<inside>[a-z][a-z ]*?) (?:in|on|inside|on top of) (?:it|them)\b",
    re.IGNORECASE,
)
_LOCATOR = re.compile(r"\b(?:next to|beside|by|near|close to|alongside) (?:the |a |an )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)
# "bring the caddy to the toilet": a fixture that holds nothing says where, as a locator does
_TOWARDS = re.compile(r"\b(?:to|towards) (?:the |a |an )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)


def _one_movable(world: World, words: str) -> str | None:
    """The single movable object some words name, else None."""
    found = [n for n in mentioned_names(world, words) if n in world.objects_by_name and world.objects_by_name[n].pickable]
    return found[0] if len(found) == 1 else None


def carried_contents(world: World, text: str) -> tuple[list[str], str]:
    """(`in(thing, container)` for each "CONTAINER with THING in it", the text without those phrases)."""
    fixed: list[str] = []
    while (match := _WITH_INSIDE.search(text)) is not None:
        inside = _one_movable(world, match.group("inside"))
        before = " ".join(text[: match.start()].split()[-4:])
        holders = [n for n in mentioned_names(world, before) if n in world.objects_by_name and world.objects_by_name[n].receptacle]
        if inside is None or len(holders) != 1 or holders[0] == inside:
            break  # not a phrase read here: the model gets the words as they are
        fixed.append(f"in({inside}, {holders[0]})")
        text = text[: match.start()] + text[match.end() :]
    return fixed, text


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
    return located, places


_FROM = re.compile(r"\b(?:from|off|out of) (?:the |a |an )?(?P<what>[a-z][a-z ]*)", re.IGNORECASE)
# adjectives that pick one of several things of a kind by its state: (word, state, value)
_STATE_ADJECTIVES = (("dirty", "clean", False), ("filthy", "clean", False), ("empty", "filled", False), ("full", "filled", True))


def narrowed(world: World, text: str, names: set[str], state: WorldState) -> set[str]:
    """Names left when the words pick among things of one kind: "the mug from the nook table" is
    the one there, "the dirty plate" the one that is not clean. Nothing is dropped unless some
    thing of the kind fits."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    origins = {n for m in _FROM.finditer(text) for n in mentioned_names(world, " ".join(m.group("what").split()[:3]))}
    holder_of = {f[1]: f[2] for f in state.facts if f[0] == "in"}
    by_type: dict[str, list[str]] = {}
    for name in names:
        if name in world.objects_by_name:
            by_type.setdefault(world.objects_by_name[name].type, []).append(name)
    kept = set(names)
    for group in (g for g in by_type.values() if len(g) > 1):
        fits = [n for n in group if holder_of.get(n) in origins or state.object_place(n) in origins]
        for word, state_name, value in _STATE_ADJECTIVES:
            if word in words:
                pool = [n for n in (fits or group) if state_name in world.objects_by_name[n].states]
                fits = [n for n in pool if ((state_name, n) in state.facts) == value] or fits
        if fits:
            kept -= set(group) - set(fits)
    return kept


__all__ = ["carried_contents", "located_by", "narrowed"]
