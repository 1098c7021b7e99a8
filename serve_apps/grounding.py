"""Entity linking: which world names a request means, and which words it uses that the world lacks.

Before the model answers, the request is linked to the world: whole names and their words
("the red box", "the counter"), synonyms declared in the world YAML (`aliases`: "refrigerator"
for fridge), and near-misses of those words ("firdge"). What links narrows the names the
grammar lets the model choose from. A word that is neither the world's, nor everyday request
language, nor a near-miss of either is something the world does not have ("the pizza"): the
planner refuses the request with that word instead of forcing it onto the nearest name.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel

from fleet.lexicon import CONDITION_OPENERS, CONDITION_WORDS, holds_when_said, state_words
from fleet.world import World
from serve_apps.vocabulary import mentioned_names, quantifiers_in

# Everyday request language: function words, verbs for moving and changing things, adverbs and
# adjectives that say how or in what state. It holds no names of things on purpose: a noun that
# is not in the world (or its aliases) is what makes a request impossible.
EVERYDAY_WORDS = frozenset(
    """
    a about above across after afterwards again all also am an and another any anyone anything are
    around as asap at away back be before behind below beside between both but by can cannot could
    did do does done down each either else every everything few for from get give go goes going
    got had has have he her here him his how i if in inside into is it its just kindly later let
    lets like may me mine more most much must my near need needs next no nobody none nor not now
    of off on once one onto or other our out outside over own please quick quickly quite rather
    really right same she should so some somebody someone something somewhere soon still such
    than thank thanks that the their them then there these they thing things this those through
    thx to too toward towards under until up upon us very want wants was we well were what when
    where whether which while who whom why will with within without would yes yet you your
    bring take move put place get fetch carry deliver drop leave send set keep hand give park
    wheel haul shift transfer return stow store stash pop toss throw tidy clear empty fill load tuck slip
    unload pick grab lift lower raise hold heat warm cool chill cook make prepare serve use run
    stage ship dispatch collect gather sort pack unpack rid dispose belong belongs kept tidy untidy mess messy
    close shut open unlock lock start stop turn switch power boot activate check inspect examine
    look test clean wash wipe rinse scrub dry slice cut chop dice halve
    done ready needed required wanted urgent urgently now today immediately right away
    dirty clean closed open opened shut sliced whole unsliced on off checked unchecked inspected
    cold hot warm cool full empty small big large heavy little new old other same last
    first second third safe safety round tour sweep job task errand favour favor help moment
    time bit fix sort top still but
    day days way week weekend evening morning afternoon tonight tomorrow minute minutes hour meantime meanwhile
    hang hung lay fold roll push pull slide drag recycle swap exchange replace stack arrange straighten
    organise organize fluff spread cover uncover scramble whisk stir mix pour bake roast
    grill fry boil poach steam toast run over next across along beside inside outside
    stick chuck shove plonk add stand
    except apart never alone don dont doesn didn isn aren wasn won shouldn mustn stuff unless already
    nobody anybody case once only otherwise else sure certain ensure fresh used find locate search touch anyway
    anyone someone somebody left using chance see stay stays remain remains been being
    couple pair several two three four five six dozen half lot lots gone become becomes getting
    hasn haven hadn yet instead bother properly fully completely definitely totally sitting sat lying
    night nights bedtime dinner lunch breakfast kids kid forget remember together
    dear darling love sweetheart mind awfully terribly wonder wondering
    though although actually maybe perhaps probably loud noisy quiet bright dark freezing stuffy smelly
    """.split()
) | {word for phrase in (*CONDITION_WORDS, *CONDITION_OPENERS) for word in phrase.split()}
# Everyday ways to ask for a thing to go in the trash; they imply the world's trash receptacle.
DISPOSAL_PHRASES = ("get rid of", "throw away", "throw out", "dispose of", "bin")
_TRASH_WORDS = {"trash", "garbage", "rubbish", "waste", "recycling"}
# Words after which an everyday word that is also a thing's alias means the thing ("the throw")
_THING_WORDS = {"the", "a", "an", "my", "your", "our", "his", "her", "their", "this", "that", "its"}
# Words that only join a request; left out of the candidate words a fuzzy match may fix.
_SHORT = 3


class Link(BaseModel):
    """One word or phrase of the request and the world word or name it was taken for."""

    said: str
    meant: str
    how: str  # "alias" or "fuzzy"


class Grounding(BaseModel):
    """What a request refers to in a world: its linked names, rewritten text and unknown words."""

    text: str  # the request with aliases and near-misses rewritten to the world's own words
    names: set[str]  # world names the request refers to
    unknown: list[str] = []  # words naming nothing the world has, in order of appearance
    links: list[Link] = []


def _stem_forms(word: str) -> list[str]:
    """The word and the plain forms a plural, -ing or -ed ending may hide ("pallets", "moving")."""
    forms = [word]
    for ending in ("es", "s", "ing", "ed"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            base = word[: -len(ending)]
            forms += [base, base + "e"]
            if len(base) > 2 and base[-1] == base[-2]:
                forms.append(base[:-1])  # running, stopped
    return forms


def _world_words(world: World) -> tuple[frozenset[str], dict[str, str]]:
    """(every word of the world's names, types, kinds, skills and states; alias phrase -> name words)."""
    words: set[str] = set()
    aliases: dict[str, str] = {}
    for thing in list(world.objects) + list(world.places):
        words |= set(thing.name.split("_"))
        words |= set((thing.type if hasattr(thing, "type") else thing.kind).split("_"))
    aliases.update(world.spoken_aliases)  # the world file's own, then the shared type table's
    for robot in world.robots:
        words |= set(robot.name.split("_")) | set(robot.kind.split("_"))
    for skill in world.skill_list:
        words |= set(skill.name.split("_"))
        words |= {w for alias in skill.aliases for w in alias.split()}
    for state in world.state_names:
        words |= set(state.split("_"))
    # the shared table's words for states ("filthy", "raw"): how people say a state, not things
    words |= {w for phrase in [*state_words(), *holds_when_said()] for w in phrase.split()}
    if world.matching("object", "water_source"):
        words.add("water")  # "fill the pot with water" where a tap runs
    return frozenset(words), aliases


def _own_alias_words(world: World) -> set[str]:
    """Words of the aliases the world file gives. The shared table's aliases only link as whole
    phrases: their words alone ("oven" of "microwave oven", "range") would mask what a world lacks
    and attract misspellings ("orange")."""
    return {w for thing in [*world.objects, *world.places] for alias in thing.aliases for w in alias.split()}


def _near_miss(word: str, candidates: list[str]) -> list[str]:
    """The candidate a misspelling most likely meant: two swapped letters, or a close spelling."""
    swapped = [c for c in candidates if len(c) == len(word) and sorted(c) == sorted(word) and sum(a != b for a, b in zip(c, word)) == 2]
    # "plug" is no misspelt "unplug": a prefix that turns a word around is never a typo
    candidates = [c for c in candidates if not any(c == p + word or word == p + c for p in _TURNING_PREFIXES)]
    return swapped[:1] or difflib.get_close_matches(word, candidates, n=1, cutoff=0.8)


_TURNING_PREFIXES = ("un", "dis", "de", "re", "in", "im", "non")


def _known(word: str, world_words: frozenset[str]) -> bool:
    return word.isdigit() or len(word) == 1 or any(f in world_words or f in EVERYDAY_WORDS for f in _stem_forms(word))


def disposal_receptacles(world: World) -> list[str]:
    """Receptacles whose name, type or aliases say they take trash."""
    found = []
    for obj in world.objects:
        words = set(obj.name.split("_")) | set(obj.type.split("_")) | {w for a in obj.aliases for w in a.split()}
        if obj.receptacle and words & _TRASH_WORDS:
            found.append(obj.name)
    return found


def _unknown_phrases(world: World, text: str) -> list[str]:
    """Phrases whose words each exist but name nothing together: "shelf F" where the shelves are
    A to D, "pallet 7", "washing machine" where the only machine makes coffee."""
    names = [n.split("_") for n in [*world.objects_by_name, *world.places_by_name, *world.robots_by_name]]
    name_words = {w for parts in names for w in parts}
    alias_words = _own_alias_words(world)
    # words that some name follows with an identifier (shelf_a, pallet_1, dock_door_a)
    numbered = {parts[i - 1] for parts in names for i in range(1, len(parts)) if len(parts[i]) == 1 or parts[i].isdigit()}
    words = re.findall(r"[a-z0-9]+", text.lower())
    found = []
    # "my glasses" where the world has one glass: a plural cannot mean a single thing
    things = [set(o.name.split("_")) | {o.type} for o in world.objects]
    things += [set(n.split("_")) for n in [*world.places_by_name, *world.robots_by_name]]
    singles = {w for w in name_words if sum(w in thing for thing in things) == 1}
    # a word of another thing or of a kind ("fruit") said before a thing's word, where each thing of
    # that word is called by other words too (washing_up_bowl), asks for a thing the world lacks:
    # "the fruit bowl" is no washing-up bowl
    place_words = {w for n in [*world.places_by_name, *world.robots_by_name] for w in n.split("_")}
    kind_words = {c for o in world.objects for c in world.categories_of(o.name) if "_" not in c}
    kind_words = (kind_words | {w for o in world.objects for w in o.name.split("_")}) - place_words - alias_words
    heads: dict[str, list[list[str]]] = {}
    for obj in world.objects:
        for said in {obj.name.split("_")[-1], obj.type}:
            heads.setdefault(said, []).append(obj.name.split("_"))
    for word in words:
        if word not in name_words | alias_words and any(word == s + end for s in singles for end in ("s", "es")):
            found.append(word)
    for before, word in zip(words, words[1:]):
        if before in numbered and (len(word) == 1 or word.isdigit()) and word != "a":
            if not any(before in parts and parts[parts.index(before) + 1 :][:1] == [word] for parts in names):
                found.append(f"{before} {word}")
        elif (
            before in kind_words and word in heads and all(len(p) > 1 and before not in p for p in heads[word])
            and re.search(rf"\b{before}\s+{word}\b", text, re.IGNORECASE)
        ):
            found.append(f"{before} {word}")  # "the fruit bowl" where the one bowl is the washing-up bowl
        elif (
            before.endswith("ing") and before not in name_words | alias_words | EVERYDAY_WORDS and word in name_words
            and re.search(rf"\b{before}\s+{word}\b", text, re.IGNORECASE)  # "running, switch it off" is two phrases
        ):
            found.append(f"{before} {word}")
    return found


# How a sentence that only tells the robots something about the speaker begins: "I'm done for
# the day.", "We're having guests.", "Thanks!"
_SPEAKER_OPENERS = ("i", "i m", "i ve", "i ll", "i d", "we", "we re", "we ve", "we ll", "thanks", "thank you", "cheers", "sorry", "ok", "okay", "hi", "hello")
_REFERRING = {"it", "them", "they", "those", "these", "everything", "all", "both"}
# Words that make such a sentence a request after all: "I want the blanket", "I'd like a coffee"
_ASKING = {"want", "wants", "need", "needs", "like", "love", "wish", "please", "bring", "get", "give", "fetch", "find", "hand", "put", "take", "make"}


def without_chatter(world: World, text: str) -> str:
    """The request without sentences about the speaker that name nothing the world has and refer
    to nothing ("Could you switch off the lamp? I'm done for the day." asks only the first). A
    request that is all such sentences is kept whole, to be refused for what it names."""
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        words = re.findall(r"[a-z0-9]+", sentence.lower())
        spaced = " " + " ".join(words) + " "
        about_speaker = any(spaced.startswith(f" {opener} ") for opener in _SPEAKER_OPENERS)
        if about_speaker and not (_REFERRING | _ASKING) & set(words) and not mentioned_names(world, sentence) and not quantifiers_in(world, sentence):
            continue
        kept.append(sentence)
    if not kept:
        return text
    # "close the window, it's freezing": a last clause that only says why names nothing either
    last = re.match(r"(?P<ask>.*[^,;\s])\s*(?:,|;|\bbecause\b|\bsince\b|\bas\b)\s*(?:it[’']?s|it is|it was|they[’']?re|they are|that[’']?s|nobody(?:[’']?s)?|no one(?:[’']?s)?|someone(?:[’']?s)?|somebody(?:[’']?s)?|everyone(?:[’']?s)?)\s+(?P<why>[^,;.!?]*)(?P<end>[.!?]?)\s*$", kept[-1], re.IGNORECASE)
    if last and not mentioned_names(world, last.group("why")) and not quantifiers_in(world, last.group("why")):
        kept[-1] = last.group("ask") + (last.group("end") or ".")
    # "turn off the AC, the guest has checked out": a last clause about someone the world does not have
    remark = _REMARK.match(kept[-1])
    if remark and not _is_a_kind(world, remark.group("who").split()[-1]) and not mentioned_names(world, remark.group("why")):
        kept[-1] = remark.group("ask") + (remark.group("end") or ".")
    # "take the butter out so it softens": a last clause that only says what for
    purpose = re.match(r"(?P<ask>.*[^,;\s])\s*,?\s+so(?:\s+that)?\s+(?:it|they|he|she|we|i|you)\b(?P<why>[^,;.!?]*)(?P<end>[.!?]?)\s*$", kept[-1], re.IGNORECASE)
    if purpose and not mentioned_names(world, purpose.group("why")) and not quantifiers_in(world, purpose.group("why")):
        kept[-1] = purpose.group("ask") + (purpose.group("end") or ".")
    return " ".join(kept)


_REMARK = re.compile(
    r"(?P<ask>.*[^,;\s])\s*[,;]\s*(?P<who>(?:the|my|our|your)\s+[a-z]+|[a-z]+)\s*(?:\s(?:is|are|was|were|has|have|had)|[’']s|[’']re)\b"
    r"(?P<why>[^,;.!?]*)(?P<end>[.!?]?)\s*$",
    re.IGNORECASE,
)


def _is_a_kind(world: World, word: str) -> bool:
    """Whether a word names a kind of thing, place or robot of the world (a name's last word, a type, an
    alias), or points at one ("it", "which", "there")."""
    word = word.lower()
    kinds = {o.name.split("_")[-1] for o in world.objects} | {o.type for o in world.objects} | {p.name.split("_")[-1] for p in world.places}
    kinds |= {r.name for r in world.robots} | {"robot", "robots"} | {a.split()[-1] for o in world.objects for a in o.aliases}
    kinds |= {a.split()[-1] for entry in world.type_table.values() for a in entry.aliases}
    return word in kinds or word.rstrip("s") in kinds or word in ("it", "they", "that", "this", "these", "those", "which", "who", "where", "there", "here")


def _has_own_lid(world: World) -> bool:
    """Whether the world has a thing called a lid (a pot lid): then "the lid" is that thing."""
    return any("lid" in (o.name.split("_")[-1], o.type) for o in world.objects)


def _its_door(world: World, before: str, verb: str) -> str:
    """"Open its door" as opening the one thing named before that opens ("put the logs by the
    wood burner and close its door": the wood burner); else "open it"."""
    opening = [n for n in mentioned_names(world, before) if n in world.objects_by_name and "open" in world.objects_by_name[n].states]
    return f"{verb} the {opening[0].replace('_', ' ')}" if len(opening) == 1 else f"{verb} it"


def _door_of_the_last_container(world: World, text: str) -> str:
    """"Put the box in the locker and close the door after": a bare "the door" (or "the lid")
    after words that name one thing that opens and holds things is that thing's door; "the lid"
    too, unless the world has a thing called a lid (a pot lid)."""
    match = re.search(r"\bthe\s+(?P<part>door|lid)s?\b(?!\s+of\b)", text, re.IGNORECASE)
    if not match or (match.group("part").lower() == "lid" and _has_own_lid(world)):
        return text
    before = mentioned_names(world, text[: match.start()])
    lid = match.group("part").lower() == "lid"  # a laptop has a lid and holds nothing
    opening = [n for n in before if n in world.objects_by_name and (world.objects_by_name[n].receptacle or lid) and "open" in world.objects_by_name[n].states]
    if len(opening) != 1:
        return text
    return text[: match.start()] + "the " + opening[0].replace("_", " ") + text[match.end() :]


_LID_ON = re.compile(
    r"\b(?:put|pop|stick|screw|get)\s+(?:the|its|a)\s+lid\s+(?:back\s+)?on(?:to)?(?:\s+(?P<what>it|them|the\s+[a-z][a-z ]*?))?(?=\s*[,.;!?]|\s+(?:and|then)\b|\s*$)",
    re.IGNORECASE,
)
_LID_OFF = re.compile(
    r"\b(?:take|get|pull|screw)\s+(?:the|its)\s+lid\s+off(?:\s+(?:of\s+)?(?P<what>it|them|the\s+[a-z][a-z ]*?))?(?=\s*[,.;!?]|\s+(?:and|then)\b|\s*$)",
    re.IGNORECASE,
)


def _lid_said(world: World, text: str) -> str:
    """"Put the lid on it" closes it and "take the lid off the jar" opens the jar, where the world
    has no thing called a lid of its own."""
    if _has_own_lid(world):
        return text
    text = _LID_ON.sub(lambda m: "close " + (m.group("what") or "it"), text)
    return _LID_OFF.sub(lambda m: "open " + (m.group("what") or "it"), text)


_LIGHT_UP = re.compile(
    r"(?P<before>^|[,.;!?]\s*|\b(?:and|then|please|to|also|just|you)\s+)(?:re)?light(?:\s+up)?\s+(?=(?:the|a|an|my|your|it|them|both|all|some)\b)",
    re.IGNORECASE,
)
_BLOW_OUT = re.compile(r"\b(?:blow|snuff)\s+(?P<what>it|them|the\s+[a-z]+(?:\s+[a-z]+)?)\s+out\b|\b(?:blow|snuff)\s+out\b|\bextinguish\b", re.IGNORECASE)


def lighting_said(text: str) -> str:
    """"Light the candle" switches it on and "blow it out" switches it off: the skills' own words.
    "Light" is the verb only where a request starts and before what it lights ("turn off the
    light the kids left on" lights nothing)."""

    def switched_on(match: re.Match) -> str:
        light = match.group(0)[len(match.group("before")) :]
        return match.group("before") + ("Switch on " if light[0].isupper() else "switch on ")

    def switched_off(match: re.Match) -> str:
        what = match.group("what")
        return "switch off" if not what else f"switch {what} off" if what.lower() in ("it", "them") else f"switch off {what}"

    return _BLOW_OUT.sub(switched_off, _LIGHT_UP.sub(switched_on, text))


def possessives_said(world: World, text: str) -> str:
    """"Jake's bed" as "jakes bed" where the world calls a thing "jakes bed" (or names it
    roommates_bed and the words say "roommate's bed"): a world file writes a possessive in a name
    or alias without its apostrophe. Read before anything else, so every reading finds the thing."""
    phrases = {a for thing in [*world.objects, *world.places] for a in [*thing.aliases, thing.name.replace("_", " ")] if " " in a}
    owners = [p.split() for p in phrases if any(_possessive(w) != re.escape(w) for w in p.split()[:-1])]
    if not owners or not re.search(r"['’]s\b", text):
        return text
    pattern = re.compile(r"\b(?:" + "|".join(r"\s+".join(map(_possessive, words)) for words in sorted(owners, key=len, reverse=True)) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: re.sub(r"['’]s\b", "s", m.group(0)), text)


def _possessive(word: str) -> str:
    """A name's word as a pattern that also matches it said as a possessive: "toms" (of toms_mug)
    is also "tom's", "cows" also "cow's"."""
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return re.escape(word[:-1]) + "['’]?s"
    return re.escape(word)


# "get the coffee maker going", "crack the window open": what people say for switching on and opening
_GOING = re.compile(r"\b(?:get|set)\s+(?P<what>(?:the|my|your)\s+[a-z][a-z ]*?)\s+(?:going|running|started)\b", re.IGNORECASE)
_CRACKED = re.compile(r"\bcrack\s+(?:open\s+(?P<first>(?:the|my|your)\s+[a-z][a-z ]*?)\b(?=\s*(?:[,.;!?]|\band\b|$))|(?P<what>(?:the|my|your)\s+[a-z][a-z ]*?)(?:\s+open)?(?=\s*(?:[,.;!?]|\band\b|$)))", re.IGNORECASE)


def _started_and_cracked_said(world: World, text: str) -> str:
    """"Get the dishwasher going" switches it on; "crack the window (open)" opens it a little,
    where what it names opens and cannot be broken ("crack the eggs" still breaks them)."""

    def started(match: re.Match) -> str:
        things = [world.objects_by_name[n] for n in mentioned_names(world, match.group("what")) if n in world.objects_by_name]
        return f"switch {match.group('what')} on" if any("switched_on" in t.states for t in things) else match.group(0)

    def opened(match: re.Match) -> str:
        what = match.group("first") or match.group("what")
        things = [world.objects_by_name[n] for n in mentioned_names(world, what) if n in world.objects_by_name]
        if things and all("open" in t.states and "broken" not in t.states for t in things):
            return f"open {what}"
        return match.group(0)

    return _CRACKED.sub(opened, _GOING.sub(started, text))


_PART_OF = re.compile(r"\bthe\s+(?:edge|corner|middle|centre|center|far end|near end|end|rim|surface)\s+of\s+(?:the\s+)?", re.IGNORECASE)
_ADD = re.compile(r"\badd\s+(?P<what>(?:the |some |a |an )?[a-z][a-z ]*?)\s*(?=[,.;!?]|\band\b|\bthen\b|$)", re.IGNORECASE)
_INTO = re.compile(r"\b(?:into|in|inside|to)\s+(?:the |my )?(?P<what>[a-z][a-z ]*?)\s*(?=[,.;!?]|\band\b|\bthen\b|$)", re.IGNORECASE)


_BARE_IN = re.compile(
    r"\b(?:put|place|pop|stick|drop|load|tuck|throw)\s+(?:it|them|(?:the|a|an|some|my|your)\s+[a-z]+(?:\s+[a-z]+)?)\s+(?:back\s+)?(?:in|inside)(?P<end>)\s*(?=[,.;!?]|\band\b|\bthen\b|$)",
    re.IGNORECASE,
)
_OPENED = re.compile(r"\bopen\s+(?:up\s+)?(?:the |my )?(?P<what>[a-z][a-z ]*?)\s*(?=[,.;!?]|\band\b|\bthen\b|$)", re.IGNORECASE)


def _receptacle_in(world: World, words: str) -> list[str]:
    return [n for n in mentioned_names(world, words) if n in world.objects_by_name and world.objects_by_name[n].receptacle]


def _added_to_the_last_container(world: World, text: str) -> str:
    """"Load the shirt into the washer, add the detergent": a bare "add the X" goes where the
    words before it last put something; "open the washer, take the shirt out of the basket and
    put it in" ("... put a log in") puts it in what they opened. Each only when that is one receptacle."""
    match = _ADD.search(text)
    if match:
        into = list(_INTO.finditer(text[: match.start()]))
        holders = _receptacle_in(world, into[-1].group("what")) if into else []
        if len(holders) == 1:
            text = text[: match.end()] + " to the " + holders[0].replace("_", " ") + text[match.end() :]
    match = _BARE_IN.search(text)
    if match:
        opened = list(_OPENED.finditer(text[: match.start()]))
        holders = _receptacle_in(world, opened[-1].group("what")) if opened else []
        if len(holders) == 1:
            text = text[: match.end("end")] + " the " + holders[0].replace("_", " ") + text[match.end("end") :]
    return text


_NUMBER_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_ORDINALS = {w: str(i) for i, w in enumerate("zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split())}
_ORDINALS |= {f"{i}{end}": str(i) for i, end in enumerate(["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th", "th"])}


def _numbers_said(world: World, text: str) -> str:
    """Numbered names said in words: "drawer one", "drawer number 2", "cabinet #3" and "the second
    drawer" are drawer 1, drawer 2, cabinet 3 where the world numbers its drawers and cabinets and
    has that one; "the seventh drawer" is left as said."""
    numbers: dict[str, set[str]] = {}  # noun -> the numbers its names carry
    for name in [*world.objects_by_name, *world.places_by_name]:
        parts = name.split("_")
        for noun, tag in zip(parts, parts[1:]):
            if tag.isdigit():
                numbers.setdefault(noun, set()).add(tag)
    for noun, held in numbers.items():

        def after(match: re.Match) -> str:  # "drawer seven" too, so that it is refused as drawer 7
            return f"{match.group('noun')} {_NUMBER_WORDS.get(match.group('n').lower(), match.group('n'))}"

        def before(match: re.Match, held: set[str] = held) -> str:
            number = _ORDINALS[match.group("n").lower()]
            return f"{match.group('noun')} {number}" if number in held else match.group(0)

        words = "|".join(_NUMBER_WORDS)
        text = re.sub(rf"\b(?P<noun>{noun}s?)\s+(?:number\s+|no\.?\s*|#\s*)?(?P<n>{words}|\d+)\b", after, text, flags=re.IGNORECASE)
        text = re.sub(rf"\b(?P<n>{'|'.join(_ORDINALS)})\s+(?P<noun>{noun})\b", before, text, flags=re.IGNORECASE)
    return text


_DETERMINERS = re.compile(
    r"\b(?:the|a|an|my|your|our|his|her|their|this|that|these|those|its|every|each|all|any|both|some|either|another)\b", re.IGNORECASE
)
# words after which a name begins a noun phrase: prepositions, "and", and the verbs that act on things
_LEADING = frozenset(
    """
    on in into onto to from off of at by near under inside beside behind with and or then but also if when
    unless once
    put place take bring move carry turn switch close open shut wash clean rinse wipe fill empty heat
    warm cook fry toast slice cut chop throw toss get grab fetch hand give leave keep set lay hang pop
    stick tidy store stow return load unload pick drop fold start stop run check please
    """.split()
)


def _articles_said(world: World, text: str) -> str:
    """A request said without any article, as some people write ("put teddy bear on recliner and
    picture book on bookcase"), with "the" before each name where a verb, a preposition or "and" leads
    to it, so that its clauses read as they would with articles."""
    if _DETERMINERS.search(text):
        return text
    phrases = {n.replace("_", " ") for n in [*world.objects_by_name, *world.places_by_name]}
    phrases |= {o.type.replace("_", " ") for o in world.objects} | {a for o in world.objects for a in o.aliases}
    pattern = re.compile(r"(?<![\w'])(" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")\b", re.IGNORECASE)

    def the(match: re.Match) -> str:
        before = match.string[: match.start()].split()[-1:]
        leads = not before or before[0][-1] in ",.;:!?" or before[0].lower() in _LEADING
        return f"the {match.group(0)}" if leads else match.group(0)

    return pattern.sub(the, text)


# How some people write in a chat: "put my hoodie n socks in the bag pls", "get it outta here"
_CHAT_WORDS = {
    "n": "and", "u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
    "outta": "out of", "gonna": "going to", "wanna": "want to", "gotta": "have to", "lemme": "let me",
}
_INTERJECTIONS = re.compile(r"(?:^|(?<=[\s,.!?]))(?:omg|lol|ugh|hey|yo)\b[\s,.!?]*(?=\S|$)", re.IGNORECASE)


def _chat_said(world: World, text: str) -> str:
    """Chat shorthand in plain words, where no name of the world is such a word: "n" is "and",
    "u" is "you", "pls" is "please"; "omg" and "lol" say nothing."""
    parts = {part for name in [*world.objects_by_name, *world.places_by_name, *world.robots_by_name] for part in name.split("_")}
    words = {w: said for w, said in _CHAT_WORDS.items() if w not in parts}
    text = re.sub(r"\b(" + "|".join(words) + r")\b", lambda m: words[m.group(0).lower()], text, flags=re.IGNORECASE) if words else text
    return _INTERJECTIONS.sub("", text).strip()


def ground(world: World, text: str) -> Grounding:
    """Link a request to world names: exact words, aliases from the world YAML, then near-misses."""
    world_words, aliases = _world_words(world)
    text = _articles_said(world, _numbers_said(world, _chat_said(world, possessives_said(world, text))))
    links: list[Link] = []
    # One pass over aliases and the names' own phrases, longest first, so "garbage can" wins
    # over "garbage" and "fire extinguisher" stays itself. Punctuation is kept: the planner
    # splits compound requests at commas.
    phrases = dict(aliases) | {words: words for words in set(aliases.values())}
    # a name said whole keeps its words: "the shoe rack" where "shoe" is also the sneakers' alias
    phrases |= {spoken: spoken for n in [*world.objects_by_name, *world.places_by_name] if "_" in n and (spoken := n.replace("_", " ")) not in phrases}
    pattern = re.compile(
        r"\b(" + "|".join(r"\W+".join(map(re.escape, p.split())) for p in sorted(phrases, key=lambda p: -len(p))) + r")\b", re.IGNORECASE
    )

    def rename(match: re.Match) -> str:
        said = " ".join(re.findall(r"[a-z0-9]+", re.sub(r"['’]", "", match.group(0).lower())))
        if phrases[said] == said:  # a name said whole
            return match.group(0)
        before = match.string[: match.start()].split()[-1:]
        if said in EVERYDAY_WORDS and not (before and before[0].lower() in _THING_WORDS):
            return match.group(0)  # "throw the socks in the hamper": a verb here, not the blanket called a throw
        links.append(Link(said=said, meant=phrases[said].replace(" ", "_"), how="alias"))
        return phrases[said]

    if phrases:
        text = pattern.sub(rename, text)
    # "can you ...", "can moss ...": the asking verb, never a tin called a can
    askers = "|".join(["you", "u", "someone", "somebody", "anyone", "anybody", "one of you", *map(re.escape, world.robots_by_name)])
    text = re.sub(rf"\bcan(?=\s+(?:{askers})\b)", lambda m: "Could" if m.group(0)[0].isupper() else "could", text, flags=re.IGNORECASE)
    text = without_chatter(world, text)
    for obj in world.objects:  # "the microwave door", "the wood burner's door": the thing that opens
        if "open" in obj.states:
            for said in {obj.name, obj.name.split("_")[-1], obj.type}:
                spoken = r"\W+".join(said.split("_"))
                text = re.sub(rf"\b({spoken})(?:['’]s)?\W+(?:doors?|lids?)\b", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(open|close|shut|unlock)\s+its\s+(?:door|lid)\b", lambda m: _its_door(world, text[: m.start()], m.group(1)), text, flags=re.IGNORECASE)
    text = _lid_said(world, text)
    text = lighting_said(text)
    text = _started_and_cracked_said(world, text)
    text = _door_of_the_last_container(world, text)
    text = _PART_OF.sub("the ", text)  # "on the edge of the bath": on the bath
    text = _added_to_the_last_container(world, text)
    if world.matching("object", "water_source"):  # "fill the pot with water": filling is with water here
        text = re.sub(r"\s+with water\b", "", text, flags=re.IGNORECASE)
    alias_words = _own_alias_words(world)
    fixable = sorted(w for w in world_words | alias_words if len(w) > _SHORT)
    # "all the fruit", "any drawer", "have a robot hold it": a kind asked for as a whole is known
    kinds = {q.split(" ", 1)[1] for q in quantifiers_in(world, text)}
    world_words = world_words | {w for kind in kinds for w in kind.split("_")}
    unknown: list[str] = []

    def fix(match: re.Match) -> str:
        word = match.group(0).lower()
        if _known(word, world_words):
            return match.group(0)
        close = _near_miss(word, fixable) if len(word) > _SHORT else []
        if close:
            fixed = aliases.get(close[0], close[0])
            links.append(Link(said=word, meant=fixed.replace(" ", "_"), how="fuzzy"))
            return fixed
        if word.isalpha() and len(word) >= _SHORT:
            unknown.append(word)
        return match.group(0)

    rewritten = re.sub(r"[A-Za-z0-9]+", fix, text)
    unknown += [phrase for phrase in _unknown_phrases(world, rewritten) if phrase not in kinds]  # "the dishes" asks for a kind
    names = mentioned_names(world, rewritten)
    spoken = " " + " ".join(re.findall(r"[a-z]+", rewritten.lower())) + " "
    if any(f" {phrase} " in spoken for phrase in DISPOSAL_PHRASES):  # "get rid of the banana"
        names |= set(disposal_receptacles(world))
    return Grounding(text=rewritten, names=names, unknown=list(dict.fromkeys(unknown)), links=links)
