"""Requests to put things away or tidy up: their goal comes from where things are kept, not the model.

"Put the milk away", "tidy up the desk", "clear the nook table", "put the dishes where they
belong": each thing asked about goes to its home (`fleet.homes.home_of`). A request that says
where ("put them away in the upper cupboard") is left to the model. A thing whose home no table
gives is refused with a reason, never guessed.

    python -c "from fleet.world import load_world; from fleet.state import WorldState; \\
        from serve_apps.putting_away import put_away_goal; w = load_world('household'); \\
        print(put_away_goal(w, 'Put the mug away.', WorldState.initial(w), set()))"
"""

from __future__ import annotations

import re

from fleet.errors import FleetError
from fleet.homes import home_of, is_home
from fleet.lexicon import holds_when_said, phrase_end
from fleet.literals import Literal
from fleet.state import WorldState
from fleet.world import World
from serve_apps.clauses import request_groups
from serve_apps.grounding import DISPOSAL_PHRASES, disposal_receptacles
from serve_apps.phrasing import as_described, destinations_in, kept_for, pointed_back, scoped_quantifiers, unclear_references
from serve_apps.vocabulary import mentioned_names, named_in, quantifiers_in

# Phrases that ask for things to go where they are kept; the words of each in order, a few apart.
AWAY_PHRASES = (
    "put away", "put back", "tidy", "clear", "where belongs", "where belong", "where goes",
    "where go", "in place", "back where", "where is kept", "where are kept",
)
# Prepositions that say where things go, and words before one that make it say where they are.
_DESTINATION = {"in", "into", "on", "onto", "to", "inside", "under"}
_SOURCE_BEFORE = {"things", "everything", "stuff", "items", "anything", "that", "which", "is", "are", "lying", "sitting", "left"}
_PRONOUNS = {"it", "them", "they", "those", "these"}
# Words that ask for where a thing is kept, not where it was ("put it back where it belongs")
_HOME_WORDS = {"belong", "belongs", "kept", "keep", "goes", "go", "lives", "live", "away"}


def _disposes(words: list[str]) -> bool:
    """Whether the words ask for something to go in the trash ("throw the potato away", "bin it")."""
    verb = words[1:2] if words[:1] == ["please"] else words[:1]
    several = [phrase for phrase in DISPOSAL_PHRASES if " " in phrase]  # "bin" counts only as the verb
    return verb in (["bin"], ["recycle"]) or any(phrase_end(words, phrase) is not None for phrase in several)


def _names_masked(world: World, clause: str, words: list[str]) -> list[str]:
    """The words with those of each name said whole (back_burner, tidy_tray) put out of the way."""
    masked = list(words)
    for name in named_in(world, clause):
        parts = name.split("_")
        for start in range(len(words) - len(parts) + 1):
            if len(parts) > 1 and words[start : start + len(parts)] == parts:
                masked[start : start + len(parts)] = ["_"] * len(parts)
    return masked


def _some_there(world: World, things: str, place: str, state: WorldState) -> bool:
    """Whether a thing the words name (or one of the kind they say) is in or on the place now."""
    names = {n for n in mentioned_names(world, things) if n in world.objects_by_name}
    names |= {n for q in quantifiers_in(world, things) if q.startswith("all ") for n in world.matching("object", q[4:])}
    there = {n for n in mentioned_names(world, place) if n in world.objects_by_name}
    holders = state.holders()
    return bool(names) and len(there) == 1 and any(holders.get(n) in there for n in names)


def asks_to_put_away(world: World, clause: str, state: WorldState | None = None) -> bool:
    """Whether a clause asks for things to go where they are kept (or in the trash), without saying
    where. With the state, "put away the dishes on the rack" (where some are now) says where they are."""
    words = re.findall(r"[a-z0-9]+", clause.lower())
    phrases = AWAY_PHRASES + tuple(p for p in DISPOSAL_PHRASES if " " in p) if _disposes(words) else AWAY_PHRASES
    spoken = _names_masked(world, clause, words)  # "put it on the back burner" says no "put back"
    ends = {phrase: end for phrase in phrases if (end := phrase_end(spoken, phrase)) is not None}
    if _disposes(words) and not ends:
        ends = {"": 0}  # "bin the potato", "recycle the bottle": the verb itself
    if not ends:
        return False
    # "put the shoes on the rack where they belong" says where before the phrase; "put them away in
    # the cupboard" after it
    trailing = all("where" in phrase or phrase == "in place" for phrase in ends)
    after = 0 if trailing else min(ends.values())
    for i in range(after + 1, len(words)):
        if words[i] in _DESTINATION and words[i - 1] not in _SOURCE_BEFORE:
            # "put away the dishes on the rack": a place right after the things, where they are now
            if state is not None and i > after + 1 and not trailing and _some_there(world, " ".join(words[after + 1 : i]), " ".join(words[i + 1 : i + 5]), state):
                continue
            if mentioned_names(world, " ".join(words[i + 1 : i + 5])) or words[i + 1 : i + 2] in (["it"], ["them"]):
                return False  # "put them away in the upper cupboard", "put the sponge back in it": the request says where
    return True


def _things(world: World, clause: str, earlier: set[str], state: WorldState) -> tuple[list[str], list[str]]:
    """The movable things a clause names (pronouns reach back to `earlier`), and the areas it names.
    "All the X" is every X, or those the words say ("the clean dishes", "the dishes on the rack")."""
    names = mentioned_names(world, clause)
    scoped = scoped_quantifiers(world, clause, state, going_home=True)
    for quantified in quantifiers_in(world, clause):
        if quantified.startswith("all "):
            names |= scoped[quantified][1] if quantified in scoped else set(world.matching("object", quantified[4:]))
    if set(re.findall(r"[a-z]+", clause.lower())) & _PRONOUNS:
        names |= earlier
    objects = world.objects_by_name
    movable = sorted(n for n in names if n in objects and objects[n].pickable)
    areas = sorted(n for n in names if (n in objects and objects[n].receptacle and not objects[n].pickable) or n in world.places_by_name)
    return movable, areas


def _out_of_place(world: World, state: WorldState, area: str) -> list[str]:
    """Movable things in or on a receptacle, or standing loose at a place, that are kept elsewhere."""
    if area in world.places_by_name:
        loose = {f[1] for f in state.facts if f[0] == "at" and f[2] == area} - {f[1] for f in state.facts if f[0] == "contained"}
        holder_of = {thing: area for thing in loose}
    else:
        holder_of = {thing: area for thing in state.contents().get(area, set())}
    found = []
    for thing, holder in sorted(holder_of.items()):
        if not world.objects_by_name[thing].pickable or home_of(world, thing) is None:
            continue
        if not is_home(world, thing, holder):
            found.append(thing)
    return found


def _homeless_on(world: World, state: WorldState, area: str) -> list[str]:
    """Movable things in or on a receptacle that the world keeps nowhere."""
    inside = state.contents().get(area, set()) if area in world.objects_by_name else set()
    return sorted(t for t in inside if world.objects_by_name[t].pickable and home_of(world, t) is None)


def put_away_goal(world: World, clause: str, state: WorldState, earlier: set[str], ruled_out: frozenset[str] = frozenset()) -> list[str]:
    """The goal of a put-away clause: each thing it names (or each out-of-place thing in the area it
    names) in its home, or in the trash when the clause throws things away. `ruled_out`: things the
    words point away from ("... the fruit bowl ... put the bowl away" is not the cereal bowl).
    Raises FleetError naming what has no home, or when nothing is named, or which of several things
    "the bowl" is when the words do not say."""
    movable, areas = _things(world, clause, earlier, state)
    movable = [thing for thing in movable if thing not in ruled_out]
    unclear = unclear_references(world, clause, set(movable), state)
    if unclear:  # "put the bowl away" with a fruit bowl and a cereal bowl: either would be a guess
        raise FleetError(f"the request does not say which one: {'; '.join(unclear)}; name the one meant")
    words = re.findall(r"[a-z0-9]+", clause.lower())
    if _disposes(words):
        return _trash_goal(world, movable, recycle="recycle" in words)
    cleared: list[str] = []  # "clear the table": what has no home still leaves it
    described = _DESCRIBED.search(clause)  # "clear the dirty things off the table": only those

    def fits(thing: str) -> bool:
        return described is None or bool(as_described(world, state, [thing], described.group("how")))

    if not movable and "clear" in words:
        cleared = [f"not in({thing}, {area})" for area in areas for thing in _homeless_on(world, state, area) if fits(thing)]
    if not movable:
        movable = [thing for area in areas for thing in _out_of_place(world, state, area) if fits(thing)]
        if not movable and cleared:
            return cleared
        if not movable:
            if areas:
                raise FleetError(
                    f"nothing in or on {', '.join(areas)} is out of place (or has a known home); "
                    "say what to put where"
                )
            raise FleetError("the request does not say what to put away or tidy; name the things or where they are")
    homes = {thing: home_of(world, thing) for thing in movable}
    if "back" in words and not _HOME_WORDS & set(words):  # "put the vase back (where it was)": where the world set it, if moved
        homes.update({thing: was for thing in movable if (was := _where_it_was(world, state, thing))})
    homes = {thing: _with_its_kind(world, state, thing, home) for thing, home in homes.items()}
    homeless = [thing for thing, home in homes.items() if home is None]
    if homeless:
        raise FleetError(
            f"the {world.name} world does not say where {', '.join(homeless)} is kept; "
            "say where to put it (or give it kept_in in the world)"
        )
    return [f"in({thing}, {home})" for thing, home in homes.items()] + cleared


# "the dirty things", "the clean stuff": things as an adjective of the shared table says
_DESCRIBED = re.compile(rf"\bthe (?P<how>{'|'.join(sorted(holds_when_said(), key=len, reverse=True))}) (?:things|stuff|items)\b", re.IGNORECASE)


def _with_its_kind(world: World, state: WorldState, thing: str, home: str | None) -> str | None:
    """`any drawer` as the one drawer where things of the thing's type are kept now ("put the pens
    away": in the drawer the red pen is in); else the one whose name says its type or category (the
    pan cupboard, the cutlery drawer); else the one called by the kind's own word ("any fridge"
    where the refrigerator and the freezer are both fridges); else the one where things of its
    categories are (the spoon with the forks); as it was where none of these picks one."""
    if home is None or not home.startswith("any "):
        return home
    kind, candidates = world.objects_by_name[thing].type, world.matching("object", home[4:])

    def holding(fits) -> set[str]:
        return {h for h in candidates if any(fits(o) and o.name != thing and state.holds(Literal("in", (o.name, h))) for o in world.objects)}

    words = {home[4:], *(world.type_table[home[4:]].aliases if home[4:] in world.type_table else [])}
    categories = set(world.categories_of(thing)) - {"food", "container"}  # too wide to say which one
    for picked in (
        holding(lambda o: o.type == kind),
        set(kept_for(world, candidates, {thing})),  # the pan_cupboard, the cutlery_drawer
        {h for h in candidates if h.split("_")[-1] in words or h.replace("_", " ") in words},
        holding(lambda o: bool(categories & set(world.categories_of(o.name)))),
    ):
        if len(picked) == 1:
            return picked.pop()
    return home


def _where_it_was(world: World, state: WorldState, thing: str) -> str | None:
    """The receptacle the world file sets a thing in, when the thing is somewhere else now."""
    was = world.objects_by_name[thing].location
    receptacle = was in world.objects_by_name and world.objects_by_name[was].receptacle
    return was if receptacle and not state.holds(Literal("in", (thing, was))) else None


def put_away_parts(world: World, text: str, state: WorldState) -> tuple[list[str], str]:
    """The goal of the request's put-away clauses (from where things are kept) and the rest of it.

    A pronoun in a put-away clause ("wash the mug and put it away") means the movable things of
    the clause before.
    """
    fixed: list[str] = []
    rest: list[str] = []
    earlier: set[str] = set()
    groups = request_groups(world, text)
    clauses = [clause for group in groups for clause in group]
    following = clauses[1:] + [""]
    for group in groups:
        for clause in group:
            before = clauses[: len(clauses) - len(following)]
            after = following.pop(0)
            if re.search(r"\b(?:it|them)\b", after) and destinations_in(world, after):
                rest.append(clause)  # "clear the dirty things off the bar and put them in the sink" says where
            elif asks_to_put_away(world, clause, state):
                ruled_out = pointed_back(world, clause, mentioned_names(world, clause), {n for c in before for n in named_in(world, c)}, before)
                fixed += [lit for lit in put_away_goal(world, clause, state, earlier, frozenset(ruled_out)) if lit not in fixed]
            else:
                rest.append(clause)
        named = {n for c in group for n in mentioned_names(world, c) if n in world.objects_by_name and world.objects_by_name[n].pickable}
        earlier = named or earlier
    return fixed, ", then ".join(rest) + ("." if rest else "")


def _trash_goal(world: World, movable: list[str], recycle: bool = False) -> list[str]:
    """Each named thing in the world's trash receptacle (a recycling one first, when asked to recycle)."""
    bins = [b for b in disposal_receptacles(world) if b not in movable]
    bins.sort(key=lambda b: not (recycle and "recycling" in b))
    if not bins:
        raise FleetError(f"the {world.name} world has no bin or trash can to throw things into")
    if not movable:
        raise FleetError("the request does not say what to throw away; name the things")
    return [f"in({thing}, {bins[0]})" for thing in movable]


__all__ = ["AWAY_PHRASES", "asks_to_put_away", "put_away_goal", "put_away_parts"]
