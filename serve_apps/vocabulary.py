"""What a language model may say about a world: JSON schemas built from its live vocabulary."""

from __future__ import annotations

import re
from typing import Any, Optional

from fleet.errors import FleetError
from fleet.goals import expand_goal_literal
from fleet.lexicon import holds_when_said
from fleet.literals import Literal, quantifier
from fleet.world import FLUENT_SIGNATURES, World

# Goal predicates a user may ask for; `free` and `contained` are bookkeeping.
GOAL_PREDICATES = ("robot_at", "at", "in", "holding")
# Where a thing should not be is said by where it should go, except taking it out of a container.
NEGATABLE_RELATIONS = ("in",)


def achievable_signs(world: World) -> set[tuple[str, bool]]:
    """(predicate, negated) pairs some plannable skill can bring about: the goals worth offering."""
    return {
        (effect.predicate, effect.negated)
        for skill in world.skill_list
        if skill.plannable
        for effect in skill.possible_effects
    }


def is_asked(world: World, predicate: str, negated: bool, asked: frozenset[tuple[str, bool]]) -> bool:
    """Whether a request's words (`fleet.lexicon.asked_states`) ask for a goal of this predicate and
    sign: a state only when named, a thing taken out of somewhere only when said; where things go always."""
    if predicate in world.state_names or (predicate in NEGATABLE_RELATIONS and negated):
        return (predicate, negated) in asked
    return True


def _nothing_to_offer(world: World, names: set[str], asked: Optional[frozenset[tuple[str, bool]]]) -> str:
    """Why no goal fits a request: what it names cannot be or do what its words ask."""
    named = ", ".join(sorted(names))
    states = sorted({("not " if negated else "") + state for state, negated in asked or () if state != "in"})
    if states:
        return f"nothing the request names ({named}) can be made {' or '.join(states)} in the {world.name} world"
    fixtures = sorted(n for n in names if n in world.objects_by_name and not world.objects_by_name[n].receptacle and not world.objects_by_name[n].pickable)
    movable = any(world.objects_by_name[n].pickable for n in names if n in world.objects_by_name)
    holds_nothing = f" ({', '.join(fixtures)} cannot hold things)" if fixtures and movable else ""  # where a thing was to go
    return f"nothing the request names ({named}) can be moved or changed as it asks in the {world.name} world{holds_nothing}"


def _movable(world: World, name: str) -> bool:
    """Whether a goal may say where this object (or each one a quantifier covers) should be."""
    found = quantifier(name)
    names = world.matching("object", found[1]) if found else [name]
    return all(world.objects_by_name[n].pickable for n in names if n in world.objects_by_name)


def goal_literals(
    world: World,
    names: Optional[set[str]] = None,
    quantified: frozenset[str] = frozenset(),
    asked: Optional[frozenset[tuple[str, bool]]] = None,
) -> list[str]:
    """Every well-typed goal literal of a world that some skill can bring about, optionally only over `names`.

    Narrowing to the names a request mentions keeps a small model from copying unrelated
    objects; the result is what constrained decoding lets the model choose from. Literals no
    skill could make true (say `not sliced(apple)`) are left out: asking for them is refused
    by the planner anyway. `quantified` arguments the request asks for (`any drawer`, `all
    fruit`, `any robot`, from `quantifiers_in`) stand in argument places as names do. With
    `asked` (from `fleet.lexicon.asked_states`), a state literal is offered only when the
    request's words ask for that state and sign: "put the egg in the fridge" cannot become
    `broken(egg)`.
    """
    by_kind = {
        "robot": [r.name for r in world.robots],
        "place": [p.name for p in world.places],
        "object": [o.name for o in world.objects],
    }
    if names is not None:
        by_kind = {kind: [n for n in values if n in names] for kind, values in by_kind.items()}
    for token in sorted(quantified):
        what = quantifier(token)
        if what is not None:
            by_kind["robot" if what[1] == "robot" else "object"].append(token)
    literals: list[Literal] = []
    # "put the tin on the bar": on the bar_top, not on the floor of the breakfast_bar room
    surfaced = _rooms_meaning_surfaces(world, names) if names is not None else set()
    for predicate in GOAL_PREDICATES:
        kinds = FLUENT_SIGNATURES[predicate]
        for first in by_kind[kinds[0]]:
            if predicate in ("at", "in") and not _movable(world, first):
                continue  # a fridge or a sofa stays where it is
            for second in by_kind[kinds[1]]:
                if predicate == "at" and second in surfaced:
                    continue
                literals.append(Literal(predicate, (first, second)))
    for state in world.state_names:
        for obj in by_kind["object"]:
            literals.append(Literal(state, (obj,)))
    signs = achievable_signs(world)
    valid = []
    for literal in literals:
        try:
            expand_goal_literal(world, literal)
        except ValueError:
            continue  # e.g. a state the object does not carry, or `in` a non-receptacle
        for negated in (False, True):
            if negated and literal.predicate in GOAL_PREDICATES and literal.predicate not in NEGATABLE_RELATIONS:
                continue
            if asked is not None and not is_asked(world, literal.predicate, negated, asked):
                continue
            if (literal.predicate, negated) in signs:
                valid.append(f"not {literal}" if negated else str(literal))
    return valid


def surface_in_room(world: World, name: str, places: set[str]) -> bool:
    """Whether an object is a surface (a fixed receptacle that does not open) standing in one of
    these places and sharing a word of its name: the bar_top of the breakfast_bar room."""
    obj = world.objects_by_name.get(name)
    if obj is None or obj.pickable or not obj.receptacle or "open" in obj.states:
        return False
    return any(obj.location == place and set(name.split("_")) & set(place.split("_")) for place in places)


def _rooms_meaning_surfaces(world: World, names: set[str]) -> set[str]:
    """Places among the names whose named surface is where a thing brought "to" them goes."""
    return {place for place in names if place in world.places_by_name and any(surface_in_room(world, n, {place}) for n in names)}


def _tag(part: str) -> bool:
    """Whether a name's word only tells things of one kind apart: the "2" of drawer_2, the "b" of
    dock_b."""
    return part.isdigit() or len(part) == 1


def _other_number(parts: list[str]) -> list[str]:
    """A name's words with its last word in the other number: fresh_towels as "fresh towel",
    red_box as "red boxes"."""
    *first, last = parts
    if last.endswith("ss") or len(last) < 3 or not last.isalpha():
        return [*first, last + "es" if last.endswith("ss") else last]
    if last.endswith("s"):
        return [*first, last[:-2] if last.endswith(("xes", "ches", "shes")) else last[:-1]]
    return [*first, last + ("es" if last.endswith(("x", "ch", "sh")) else "s")]


def said_in_plural(name: str) -> bool:
    """Whether a thing's name is a plural ("cereal_bowls", "apples"; not "glass")."""
    return re.search(r"[^s]s$", name.split("_")[-1]) is not None


def named_in(world: World, text: str) -> set[str]:
    """Names the request spells out whole ("the red box", "shelf A"); a name inside a longer one
    ("bowl" in "the fruit bowl") does not count unless it also stands alone."""
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    words = set(spaced.split())
    words |= {w[:-1] for w in words if w.endswith("s") and len(w) > 3}
    names = [r.name for r in world.robots] + [p.name for p in world.places] + [o.name for o in world.objects]
    heads: dict[str, set[str]] = {}  # word -> the objects it is the last word or type of
    for obj in world.objects:
        for head in {obj.name.split("_")[-1], obj.type}:
            heads.setdefault(head, set()).add(obj.name)
    found: set[str] = set()
    # names and aliases of several words said whole come first, and their words are spoken for:
    # "the bottom oven ... the roasting tin" says no roasting_oven
    whole = [(name, name.split("_")) for name in names] + [(o.name, a.split()) for o in world.objects for a in o.aliases]
    for name, parts in sorted(whole, key=lambda entry: -len(entry[1])):
        said = [p for p in {f" {' '.join(parts)} ", f" {' '.join(_other_number(parts))} "} if p in spaced]
        if len(parts) > 1 and said:  # "a fresh towel" of fresh_towels, "the red boxes" of red_box
            spaced = spaced.replace(said[0], " ")
            found.add(name)
    for name in sorted(names, key=lambda n: -len(n.split("_"))):
        parts = name.split("_")
        if name in found or not (set(parts) <= words or set(_other_number(parts)) <= words):
            continue
        if len(parts) > 1 and not any(heads.get(part, set()) - {name} for part in parts[:-1]) and all(f" {part} " in spaced for part in parts) and not _tag(parts[-1]):
            # its words said apart; not "the knife ... the block" (a knife and a block), nor "back
            # on the front burner" (the burner's word is the front burner's, said whole), nor
            # "cabinet 1 ... counter 2" (a number or letter tells one apart only beside its noun)
            found.add(name)
        elif f" {name} " in spaced:
            found.add(name)
    # "both pallets", "the boxes": a plural type names every object of that type ("drawers" of
    # "the chest of drawers", said whole above, does not)
    return found | {o.name for o in world.objects if f" {o.type}s " in spaced or f" {o.type}es " in spaced}


def _said_together(name: str, words: set[str], spaced: str) -> bool:
    """Whether the words of a name that the request says stand side by side in it ("dock b" of
    loading_dock_b), or only one of them is said."""
    said = [part for part in name.split("_") if part in words]
    return len(said) < 2 or f" {' '.join(said)} " in spaced


def mentioned_names(world: World, text: str) -> set[str]:
    """World names a request refers to, matching whole words of the name or its type.

    "the red box" finds red_box; "the fridge" finds the object of type fridge; robots and
    places match the same way. A word that only part of a name carries ("the counter" for
    kitchen_counter, "dock B" for loading_dock_b) finds the names sharing the most words with
    the request. Used to narrow the vocabulary, never to decide the goal.
    """
    tokens = re.findall(r"[a-z0-9]+|[,;:.!?]", text.lower())  # punctuation kept: a verb may follow it
    words = {token for token in tokens if token[0].isalnum()}
    things = [(r.name, r.kind) for r in world.robots] + [(p.name, p.kind) for p in world.places]
    things += [(o.name, o.type) for o in world.objects]
    spoken = {part for name, kind in things for part in [*name.split("_"), kind]}
    # "pallets" names pallet_1; "keys" that name house_keys do not also name the key_bowl
    words |= {w[:-1] for w in words if w.endswith("s") and len(w) > 3 and w not in spoken}
    found = named_in(world, text)
    robot_named = any(r.name in found or r.name in words for r in world.robots) or "robot" in words  # robots go to rooms
    # the words of a name said whole are spoken for there only: "the table runner on the table"
    # still says "table" once more; a name whose words stand apart covers them everywhere
    rest = " " + " ".join(token for token in tokens if token[0].isalnum()) + " "
    covered: set[str] = set()
    for name in sorted(found, key=lambda n: -len(n.split("_"))):
        said = [p for p in (f" {name.replace('_', ' ')} ", f" {' '.join(_other_number(name.split('_')))} ") if p in rest]
        if "_" in name and said:
            rest = rest.replace(said[0], " ")
        else:
            covered |= set(name.split("_"))
        # "the pot noodle" (an alias said whole) says no pot
        for alias in sorted(world.objects_by_name[name].aliases if name in world.objects_by_name else [], key=lambda a: -len(a)):
            if " " in alias and f" {alias} " in rest:
                rest = rest.replace(f" {alias} ", " ")
    words = {w for w in words if f" {w} " in rest or (w + "s") in words and f" {w}s " in rest}
    # "put a log in" where the world has logs and a log basket: the thing called in the plural,
    # when nothing is called or typed by the word itself ("the glass" is no pair of glasses)
    heads = {part for name, kind in things for part in (name.split("_")[-1], kind)}
    for obj in world.objects:
        singular = next((obj.name[: -len(end)] for end in ("es", "s") if "_" not in obj.name and obj.name.endswith(end) and obj.name[: -len(end)] in words), None)
        if singular and singular not in heads:
            words.add(obj.name)
            covered.add(singular)
    covered |= {part[:-1] for part in covered if part.endswith("s")}  # "games table" says no "game"
    phrases = {" ".join(name.split("_")) for name, _ in things if "_" in name} | {kind.replace("_", " ") for _, kind in things}
    phrases |= {alias for entry in world.type_table.values() for alias in entry.aliases} | {a for o in world.objects for a in o.aliases}
    for word in words - covered - _said_otherwise(world, tokens, found) - qualifiers(rest, spoken, phrases):
        if len(word) < 3 or not word.isalpha():
            continue  # "a", "b", "2" only narrow a match, they do not make one
        # a thing of the word's type shares that word too: "the bread" is the loaf of type bread
        # a name's words count together only when said together: "put the knife back in the
        # block" is a knife and a block, not the knife_block twice
        partial = {
            name: max(len(set(name.split("_")) & words) if _said_together(name, words, rest) else 1, int(word == kind))
            for name, kind in things
            if word in name.split("_") or word == kind
        }
        if partial:
            best = max(partial.values())
            chosen = {name for name, shared in partial.items() if shared == best}
            # "the wine" is the red_wine rather than the wine_glass: a name's last word is what it
            # is; else its type ("the bread" is the loaf rather than the bread_knife)
            headed = {name for name in chosen if name.split("_")[-1] == word}
            # "the fridge" where the refrigerator and the freezer are both of type fridge: the one
            # whose own name is a word for the kind
            kind_words = set(world.type_table[word].aliases) if word in world.type_table else set()
            headed = headed or {name for name in chosen if name.split("_")[-1] in kind_words or name.replace("_", " ") in kind_words}
            headed = headed or {name for name, kind in things if name in chosen and kind == word}
            # "the bar" where the breakfast_bar room has the bar_top in it: the surface, where things
            # go; the room too when a robot is named, which goes to rooms
            surfaces = {name for name in chosen if surface_in_room(world, name, headed)}
            if surfaces:
                headed = (headed if robot_named else headed - {p for p in headed if p in world.places_by_name}) | surfaces
            found |= headed if headed and len(chosen) > 1 else chosen
    # "the counter top" (the type's words, or what a shared alias of it is spelled as): each of that type
    found |= {name for name, kind in things if "_" in kind and f" {kind.replace('_', ' ')} " in rest}
    # "on the island", "to the island" where the island room has the island_top in it: the
    # surface, as above; a surface that only shares a word is meant where a room cannot be, "on"
    # it ("take the towel to the shower room" is the room, not its shower_shelf)
    said = " ".join(tokens)
    rooms = {
        p
        for p in found
        if p in world.places_by_name
        and (re.search(rf"\b(?:on|onto) (?:the )?{p.replace('_', ' ')}\b", said) or any(o.name.startswith(p + "_") and surface_in_room(world, o.name, {p}) for o in world.objects))
    }
    surfaces = {o.name for o in world.objects if o.name not in found and surface_in_room(world, o.name, rooms)}
    if surfaces and not robot_named:
        found = found - {p for p in rooms if any(surface_in_room(world, s, {p}) for s in surfaces)} | surfaces
    return found - _modifiers(text, found)


# Words that say where or how as often as they name part of a thing ("put the milk back", the
# back_burner), and words that follow a verb ("switch off the fan", not the light_switch)
_ADVERBS = {"back", "front", "left", "right", "top", "side", "up", "down", "out", "over", "away", "next", "last", "first"}
_AFTER_VERB = {"on", "off", "up", "down", "out", "it", "them", "the", "a", "an", "all", "every", "each", "this", "that", "my", "your"}
_COPULAS = {"is", "are", "s", "was", "were", "be", "been", "still", "not", "too", "very", "really", "getting"}
_AFTER_ADJECTIVE = {"and", "or", "but", "then", "now", "already", "again", "yet", "enough", "too", "still", "if", "when"}
_BEFORE_NOUN = {"the", "a", "an", "my", "your", "our", "this", "that", "its", "their", "each", "every", "any", "one", "some"}


def _heads(world: World) -> set[str]:
    """The words that say what a thing is: the last word of each name, each type's words."""
    things = [*world.objects_by_name, *world.places_by_name, *(r.name for r in world.robots)]
    return {name.split("_")[-1] for name in things} | {part for o in world.objects for part in o.type.split("_")}


def _said_otherwise(world: World, sequence: list[str], found: set[str]) -> set[str]:
    """Words of the request that name no part of a thing where they stand: an adverb not after
    "the" ("put the milk back"), or a word used as the verb ("switch off the fan", "if it is
    running, switch it off"). The sequence keeps the request's punctuation."""
    whole = {part for name in found for part in name.split("_")}
    heads = _heads(world)
    other = set()
    for i, word in enumerate(sequence):
        before = sequence[i - 1] if i else ""
        after = sequence[i + 1] if i + 1 < len(sequence) else ""
        if word in whole or not word[0].isalnum():
            continue
        if word in _ADVERBS and before not in _BEFORE_NOUN:
            other.add(word)
        elif (i == 0 or before in ("and", "please", "then", ",", ";", ":", ".", "!", "?")) and after in _AFTER_VERB:
            other.add(word)
        elif before in _COPULAS and (not after or not after[0].isalnum() or after in _AFTER_ADJECTIVE) and word not in heads:
            other.add(word)  # "if the stew is hot", "if the wellies are muddy": how it is, not the hot tap or the muddy socks
    # a word counts when any of its uses names a thing
    named_somewhere = {w for i, w in enumerate(sequence) if w in other and (i and sequence[i - 1] in _BEFORE_NOUN)}
    return other - named_somewhere


def _noun(word: str, nouns: set[str]) -> bool:
    return word in nouns or any(word == noun + end for noun in nouns for end in ("s", "es"))


def qualifiers(spaced: str, nouns: set[str], phrases: set[str]) -> set[str]:
    """Nouns that only say which thing the noun after them is, wherever they are said: "both desk
    drawers" speaks of drawers, not of the desk. Two words that make one known phrase ("coffee
    table", "wine glasses") stay a phrase; a letter or number after a noun ("dock B") names it."""
    tokens = spaced.split()
    single = {n for n in nouns if " " not in n}
    pairs = {tuple(p.split()[:2]) for p in phrases if " " in p}
    qualifying, naming = set(), set()
    for word, after in zip(tokens, [*tokens[1:], ""]):
        if not _noun(word, single):
            continue
        # "put the knife back in the block": an adverb after it says where, not which knife
        if len(after) > 2 and _noun(after, single) and after not in _ADVERBS and not any(word == first and after.startswith(second) for first, second in pairs):
            qualifying.add(word)
        else:
            naming.add(word)
    return qualifying - naming


def _modifiers(text: str, found: set[str]) -> set[str]:
    """Names that only qualify the word after them: in "the shower room shelf" shower_room says
    which shelf (shower_shelf) and is not a thing of its own."""
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    dropped = set()
    for name in found:
        parts = name.split("_")
        for other in found - {name}:
            head, rest = other.split("_")[-1], other.split("_")[:-1]
            if rest and set(rest) <= set(parts) and head not in parts and f" {' '.join(parts)} {head} " in spaced:
                if f" {' '.join(parts)} " not in spaced.replace(f" {' '.join(parts)} {head} ", " "):
                    dropped.add(name)
    return dropped


# Words before a type or category that ask for one of them, or for every one.
_ANY_WORDS = ("any", "either", "a", "an", "some", "one of the")
_ALL_WORDS = ("all", "all the", "all of the", "every", "each", "each of the", "both", "both the")


_STATE_ADJECTIVE_WORDS = "|".join(re.escape(w) for w in sorted(holds_when_said(), key=len, reverse=True) if w not in ("on", "off"))


def quantifiers_in(world: World, text: str) -> frozenset[str]:
    """Quantified goal arguments a request asks for: "put it in any drawer" gives `any drawer`,
    "close all the cupboards" `all cabinet`, "have a robot hold it" `any robot`.

    Type and category words come from the shared object type table (with its aliases), and
    only those that cover something in this world count.
    """
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    for name in sorted((n for n in [*world.objects_by_name, *world.places_by_name] if "_" in n), key=len, reverse=True):
        spaced = spaced.replace(f" {name.replace('_', ' ')} ", " ")  # "the fruit bowl" speaks of no fruit
    # "the dirty dishes" names the kind as "the dishes" does (which of them is phrasing's business)
    spaced = re.sub(rf" (the|all the|all|every) (?:{_STATE_ADJECTIVE_WORDS}) (?=[a-z])", r" \1 ", spaced)
    words: dict[str, str] = {"robot": "robot"}  # spoken word -> type or category
    categories: set[str] = set()
    # a type's own word first: "cups" are the cups, not what a mug's alias calls them
    words |= {name.replace("_", " "): name for name in world.type_table if world.matching("object", name)}
    for name, entry in world.type_table.items():
        if world.matching("object", name):
            for word in entry.aliases:
                words.setdefault(word, name)
        for category in entry.categories:
            if world.matching("object", category):
                words.setdefault(category.replace("_", " "), category)
                categories.add(category)
    for word in qualifiers(spaced, set(words), set(words)):  # "both desk drawers": drawers
        spaced = re.sub(rf" {word} (?=[a-z])", " ", spaced)
    found: set[str] = set()
    plural: set[str] = set()  # kinds named by a plural or a category word, not by "all" or "every"
    for word, what in words.items():
        forms = {word, word + "s", word + "es", word[:-1] + "ies" if word.endswith("y") else word}
        for form in forms:
            if f" {form} " not in spaced or (form != word and form in world.objects_by_name):
                continue  # "the eggs" where one thing is called eggs names that thing
            if _after(spaced, _ANY_WORDS, form):
                found.add(f"any {what}")
            # "the cutlery", "the fruit": a category word names its whole kind; so does a type
            # said only in the plural that several things have ("the clothes")
            collective = form != word or (what in categories and what not in world.type_table)
            collective = collective or (word.endswith("s") and len(world.matching("object", what)) > 1)
            if _after(spaced, _ALL_WORDS, form):
                found.add(f"all {what}")
            elif collective and f" the {form} " in spaced and not _said_before(world, text, form, what):
                plural.add(f"all {what}")
    # "one of the drawers": the plural is the set to choose from
    found |= {token for token in plural if f"any {token[4:]}" not in found}
    return frozenset(found)


def _said_before(world: World, text: str, word: str, kind: str) -> bool:
    """Whether a singular "the light" points back to one thing of its kind the words named
    before: "if the big light is off, ... switch the light on" is the big light, not every light."""
    spaced = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    at = spaced.find(f" the {word} ")
    if word.endswith("s") or at <= 0:
        return False
    return bool(mentioned_names(world, spaced[:at]) & set(world.matching("object", kind)))


def _after(spaced: str, determiners: tuple[str, ...], form: str) -> bool:
    """Whether a word follows one of the determiners, directly or as the second of a pair
    ("every cupboard and drawer")."""
    pattern = rf" (?:{'|'.join(map(re.escape, determiners))}) (?:[a-z]+ (?:and|or) )?{re.escape(form)} "
    return re.search(pattern, spaced) is not None


def _goal_array(
    world: World,
    names: Optional[set[str]],
    max_literals: int,
    excluded: frozenset[str] = frozenset(),
    quantified: frozenset[str] = frozenset(),
    asked: Optional[frozenset[tuple[str, bool]]] = None,
) -> dict[str, Any]:
    choices = [c for c in goal_literals(world, names, quantified, asked) if c not in excluded]
    if not choices and names:  # never fall back to things the request did not name
        raise FleetError(_nothing_to_offer(world, names, asked))
    if not choices and names is not None:  # every name was only where, when or what to leave alone
        raise FleetError("the request leaves nothing to act on: what it names only says when, where or what to leave alone; say what to change")
    if not choices:  # read without grounding: the whole vocabulary
        choices = [c for c in goal_literals(world, asked=asked) if c not in excluded]
    return {"type": "array", "items": {"enum": choices}, "minItems": 1, "maxItems": max_literals}


def goal_schema(
    world: World,
    names: Optional[set[str]] = None,
    max_literals: int = 4,
    excluded: frozenset[str] = frozenset(),
    quantified: frozenset[str] = frozenset(),
    asked: Optional[frozenset[tuple[str, bool]]] = None,
) -> dict[str, Any]:
    """JSON schema of `{"goal": [literal, ...]}` whose literals exist in the world (minus `excluded`)."""
    return {
        "type": "object",
        "properties": {"goal": _goal_array(world, names, max_literals, excluded, quantified, asked)},
        "required": ["goal"],
        "additionalProperties": False,
    }


def direct_schema(
    world: World,
    names: Optional[set[str]] = None,
    max_literals: int = 4,
    max_steps: int = 8,
    excluded: frozenset[str] = frozenset(),
    quantified: frozenset[str] = frozenset(),
    asked: Optional[frozenset[tuple[str, bool]]] = None,
) -> dict[str, Any]:
    """JSON schema of a goal plus the steps that reach it: existing skills with well-typed arguments.

    Robots are left out (roles are bound at dispatch) and so is navigate (robots travel to each
    step). Object arguments range over every fitting object, since tools such as a knife are
    rarely named in the request.
    """
    ids = [f"s{i + 1}" for i in range(max_steps)]
    steps = []
    for skill in world.skill_list:
        if not skill.plannable or skill.name == "navigate":
            continue
        params = [p for p, spec in skill.parameters.items() if spec.kind != "robot"]
        domains = {p: world.param_domain(skill, p) for p in params}
        if any(not d for d in domains.values()):
            continue  # this world has nothing the skill could act on
        steps.append(
            {
                "type": "object",
                "properties": {
                    "id": {"enum": ids},
                    "skill": {"const": skill.name},
                    "args": {
                        "type": "object",
                        "properties": {p: {"enum": d} for p, d in domains.items()},
                        "required": params,
                        "additionalProperties": False,
                    },
                    "dependencies": {"type": "array", "items": {"enum": ids}, "maxItems": 3},
                },
                "required": ["id", "skill", "args", "dependencies"],
                "additionalProperties": False,
            }
        )
    return {
        "type": "object",
        "properties": {
            "goal": _goal_array(world, names, max_literals, excluded, quantified, asked),
            "subtasks": {"type": "array", "items": {"anyOf": steps}, "minItems": 1, "maxItems": max_steps},
        },
        "required": ["goal", "subtasks"],
        "additionalProperties": False,
    }
