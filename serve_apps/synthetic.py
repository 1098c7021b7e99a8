"""Synthetic training data for the planner: natural requests paired with their goals, from a world.

Goals are sampled from the world's own objects, receptacles, places, robots and the states its
skills set; each is rendered as a request a person might type: polite or terse, goal-first
("I need the milk at the dining table"), several things at once, pronouns ("put it in the
fridge and close it"), ellipsis ("switch on the tv and the lamp"), implied goals ("the fridge is
open" asks to close it; "heat the milk in the microwave"), synonyms from the world YAML,
misspellings and distractor mentions ("from the kitchen counter"). Seeded, so a (world, config)
pair always gives the same examples.

    from serve_apps.synthetic import SyntheticConfig, generate
    examples = generate(load_world("household"), SyntheticConfig(size=2000, seed=0))

`paraphrase` asks another model (any configured backend, say a large one on a server) to
reword requests; rewordings that still name exactly the goal's things are kept.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from fleet.literals import Literal, parse_literal
from fleet.world import World
from serve_apps.grounding import DISPOSAL_PHRASES, disposal_receptacles, ground
from serve_apps.vocabulary import goal_literals

# How people say a state holds or not, for goals implied by describing the problem
# ("the fridge is open" -> close it). States not listed here are only asked for by skill words.
STATE_ADJECTIVES: dict[str, tuple[str, str]] = {
    "open": ("open", "closed"),
    "switched_on": ("on", "off"),
    "clean": ("clean", "dirty"),
    "sliced": ("sliced", "whole"),
    "inspected": ("checked", "unchecked"),
}
_MOVE_VERBS = ["bring", "take", "move", "carry", "get", "deliver", "send", "fetch"]
_PUT_VERBS = ["put", "place", "store", "stow", "drop", "leave"]
_POLITE = ["Please {r}.", "Could you {r}?", "Can someone {r}?", "I need you to {r}.", "{R}, please.", "Would you {r}?", "{R}, thanks."]
_PLAIN = ["{R}.", "{R}", "{R}!", "Now {r}."]


_VERBS_FIRST = set(_MOVE_VERBS + _PUT_VERBS) | {"throw", "toss", "take", "heat", "warm", "send", "get"}


class SyntheticConfig(BaseModel):
    """How many examples to make and how often each kind of difficulty appears."""

    model_config = ConfigDict(extra="forbid")

    size: int = Field(default=2000, ge=1)
    seed: int = 0
    max_tasks: int = Field(default=3, ge=1)  # things asked for in one request
    polite_rate: float = Field(default=0.4, ge=0, le=1)
    terse_rate: float = Field(default=0.15, ge=0, le=1)  # articles dropped
    alias_rate: float = Field(default=0.3, ge=0, le=1)  # a synonym from the world YAML instead of the name
    misspell_rate: float = Field(default=0.08, ge=0, le=1)  # per name word of five letters or more
    distractor_rate: float = Field(default=0.25, ge=0, le=1)  # mention where a thing starts out


class Example(BaseModel):
    """One training pair: a request and the goal it asks for."""

    text: str
    goal: list[str]
    world: str
    source: str = "synthetic"  # synthetic, paraphrase, mission


@dataclass
class _Task:
    """One thing asked for: its literals and the words that ask for it (with {x}: the object)."""

    literals: list[str]
    subject: str  # the object the words are about (pronouns refer to it)
    template: str  # e.g. "slice {x}", "bring {x} to the kitchen"
    second: Optional[str] = None  # a second thing the request names (receptacle), pronoun-able


class _Renderer:
    """Names, references and noise for one world and one random stream."""

    def __init__(self, world: World, config: SyntheticConfig, rng: random.Random):
        self.world, self.config, self.rng = world, config, rng
        types = [o.type for o in world.objects]
        words = [w for thing in [*world.objects, *world.places] for w in thing.name.split("_")]
        # a type names its object only when nothing else is of it or has it in its name
        self.unique_types = {t for t in types if types.count(t) == 1 and words.count(t) <= 1}

    def words(self, name: str) -> str:
        return name.replace("_", " ")

    def ref(self, name: str, article: bool = True) -> str:
        """How a request refers to a thing: its name, an alias, or its type when that is unique."""
        thing = self.world.objects_by_name.get(name) or self.world.places_by_name.get(name)
        said = self.words(name)
        roll = self.rng.random()
        if thing is not None and thing.aliases and roll < self.config.alias_rate:
            said = self.rng.choice(thing.aliases)
        elif name in self.world.objects_by_name and roll < self.config.alias_rate + 0.1:
            kind = self.world.objects_by_name[name].type
            if kind in self.unique_types and kind != name:
                said = self.words(kind)
        said = " ".join(self.misspell(w) for w in said.split())
        if name in self.world.robots_by_name or not article:
            return said
        return said if self.rng.random() < self.config.terse_rate else f"the {said}"

    def misspell(self, word: str) -> str:
        if len(word) < 5 or self.rng.random() >= self.config.misspell_rate:
            return word
        i = self.rng.randrange(1, len(word) - 1)
        edit = self.rng.choice(["drop", "swap", "double"])
        if edit == "drop":
            return word[:i] + word[i + 1 :]
        if edit == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:i] + word[i] + word[i:]

    def origin(self, name: str) -> str:
        """A distractor: where the object starts out ("from the drawer")."""
        location = self.world.objects_by_name[name].location
        if location in self.world.robots_by_name or self.rng.random() >= self.config.distractor_rate:
            return ""
        if location in self.world.objects_by_name:
            word = self.rng.choice(["out of", "in"])
        else:
            word = self.rng.choice(["from", "on", "at"])
        return f" {word} {self.ref(location)}"

    def on(self) -> str:
        """A preposition for a place ("leave it on the counter")."""
        return self.rng.choice(["at", "on", "in"])


def _state_tasks(world: World, valid: set[str]) -> list[tuple[list[str], str, str]]:
    """(verbs, literal, object) for every skill that sets one state of one object."""
    found = []
    for skill in world.skill_list:
        objects = [p for p, spec in skill.parameters.items() if spec.kind == "object"]
        states = [e for e in skill.effect_literals if e.predicate in world.state_names]
        if not skill.plannable or len(states) != 1 or len(states[0].args) != 1 or states[0].args[0] not in objects:
            continue
        verbs = [skill.name.replace("_", " "), *skill.aliases]
        for obj in world.param_domain(skill, states[0].args[0]):
            literal = str(Literal(states[0].predicate, (obj,), states[0].negated))
            if literal in valid:
                found.append((verbs, literal, obj))
    return found


def _sample_task(world: World, valid: set[str], r: _Renderer) -> _Task:
    """One goal unit with its words; the kinds are weighted towards moving and changing things."""
    rng = r.rng
    movable = [o.name for o in world.objects if o.pickable]
    receptacles = [o.name for o in world.objects if o.receptacle]
    places = [p.name for p in world.places if p.kind != "charger"]
    while True:
        kind = rng.choice(["state", "state", "at", "at", "in", "out", "heat", "dispose", "robot"])
        if kind == "state":
            options = _state_tasks(world, valid)
            if not options:
                continue
            verbs, literal, obj = rng.choice(options)
            parsed = parse_literal(literal)
            adjectives = STATE_ADJECTIVES.get(parsed.predicate)
            if adjectives and rng.random() < 0.15:  # implied: say what is wrong
                now, wanted = (adjectives[0], adjectives[1]) if parsed.negated else (adjectives[1], adjectives[0])
                phrase = rng.choice([f"{{X}} is {now}, fix it", f"{{X}} is still {now}", f"{{X}} is {now} but should be {wanted}"])
                return _Task([literal], obj, phrase)
            target = world.objects_by_name[obj]
            if target.pickable and rng.random() < 0.25:  # "slice the cheese on the counter": do it there
                place = rng.choice(places)
                there = f"at({obj}, {place})"
                if there in valid and world.place_of_object(obj) != place:
                    return _Task([literal, there], obj, f"{rng.choice(verbs)} {{x}} {r.on()} {r.ref(place)}")
            return _Task([literal], obj, f"{rng.choice(verbs)} {{x}}")
        if kind == "dispose" and movable:
            bins = disposal_receptacles(world)
            if not bins:
                continue
            obj, bin_ = rng.choice(movable), rng.choice(bins)
            literal = f"in({obj}, {bin_})"
            if literal not in valid or world.objects_by_name[obj].location == bin_:
                continue
            return _Task([literal], obj, f"{rng.choice(DISPOSAL_PHRASES)} {{x}}")
        if kind == "at" and movable:
            obj, place = rng.choice(movable), rng.choice(places)
            literal = f"at({obj}, {place})"
            if literal not in valid or world.place_of_object(obj) == place:
                continue
            phrase = rng.choice(
                [
                    f"{rng.choice(_MOVE_VERBS)} {{x}}{{origin}} to {{p}}",
                    f"{rng.choice(_PUT_VERBS)} {{x}}{{origin}} {r.on()} {{p}}",
                    f"{{X}} should be at {{p}}",
                    f"I need {{x}} at {{p}}",
                    f"{{x}} to {{p}}",
                ]
            )
            return _Task([literal], obj, phrase.replace("{p}", r.ref(place)))
        if kind == "in" and movable and receptacles:
            obj, box = rng.choice(movable), rng.choice(receptacles)
            literal = f"in({obj}, {box})"
            if literal not in valid or world.objects_by_name[obj].location == box:
                continue
            verb = rng.choice(_PUT_VERBS + ["throw", "toss"])
            phrase = rng.choice([f"{verb} {{x}}{{origin}} in {{b}}", f"{verb} {{x}} into {{b}}", f"{{X}} goes in {{b}}"])
            return _Task([literal], obj, phrase, second=box)
        if kind == "out":
            inside = [o for o in movable if world.objects_by_name[o].location in receptacles]
            if not inside:
                continue
            obj = rng.choice(inside)
            box = world.objects_by_name[obj].location
            place = rng.choice(places)
            out = f"not in({obj}, {box})"
            if out not in valid:
                continue
            if f"at({obj}, {place})" in valid and rng.random() < 0.6:
                return _Task([f"at({obj}, {place})", out], obj, f"{rng.choice(['get', 'take'])} {{x}} out of {{b}} and {rng.choice(_PUT_VERBS)} it {r.on()} {r.ref(place)}", second=box)
            return _Task([out], obj, f"take {{x}} out of {{b}}", second=box)
        if kind == "heat" and movable:
            ovens = [b for b in receptacles if "switched_on" in world.objects_by_name[b].states]
            if not ovens:
                continue
            obj, oven = rng.choice(movable), rng.choice(ovens)
            literals = [f"in({obj}, {oven})", f"switched_on({oven})"]
            if not set(literals) <= valid:
                continue
            verb = rng.choice(["heat", "warm up", "heat up"])
            return _Task(literals, obj, f"{verb} {{x}} in {{b}}", second=oven)
        if kind == "robot":
            robot, place = rng.choice(world.robots).name, rng.choice(places)
            literal = f"robot_at({robot}, {place})"
            if literal not in valid:
                continue
            return _Task([literal], robot, f"send {{x}} to {r.ref(place)}")


def _render(task: _Task, r: _Renderer, pronoun: bool) -> str:
    subject = "it" if pronoun else r.ref(task.subject)
    text = task.template.replace("{origin}", r.origin(task.subject) if not pronoun and task.subject in r.world.objects_by_name else "")
    text = text.replace("{x}", subject).replace("{X}", subject)
    if task.second is not None:
        text = text.replace("{b}", r.ref(task.second))
    return text


def _join(parts: list[str], rng: random.Random) -> str:
    if len(parts) == 1:
        return parts[0]
    glue = rng.choice([" and ", ", then ", " and then ", ", "])
    return ", ".join(parts[:-2] + [glue.join(parts[-2:])]) if glue != ", " else ", ".join(parts[:-1]) + " and " + parts[-1]


def _request(world: World, valid: set[str], r: _Renderer) -> Example:
    rng = r.rng
    count = rng.choices(range(1, r.config.max_tasks + 1), weights=[5, 3, 1][: r.config.max_tasks])[0]
    first = _sample_task(world, valid, r)
    tasks = [first]
    if count > 1 and rng.random() < 0.35:  # ellipsis: one verb, two things
        options = [t for t in _state_tasks(world, valid) if t[2] != first.subject and first.template.endswith("{x}")]
        same_verb = [t for t in options if first.template == f"{t[0][0]} {{x}}" or any(first.template == f"{v} {{x}}" for v in t[0])]
        same_verb = [t for t in same_verb if parse_literal(t[1]).predicate == parse_literal(first.literals[0]).predicate]
        if same_verb:
            _, literal, other = rng.choice(same_verb)
            text = first.template.replace("{x}", f"{r.ref(first.subject)} and {r.ref(other)}")
            return _finish(world, text, first.literals + [literal], r)
    while len(tasks) < count:
        task = _sample_task(world, valid, r)
        if any(set(task.literals) & set(t.literals) for t in tasks):
            continue
        tasks.append(task)
    # pronouns: a task about the thing the previous one named becomes "it"
    parts = []
    for i, task in enumerate(tasks):
        previous = tasks[i - 1] if i else None
        refers_back = previous is not None and task.subject in (previous.subject, previous.second) and "{X}" not in task.template
        if previous is not None and not refers_back and rng.random() < 0.5 and previous.second is not None:
            # steer towards "put X in the R and close it": a state task on the receptacle just named
            options = [t for t in _state_tasks(world, valid) if t[2] == previous.second and t[1] not in previous.literals]
            if options:
                verbs, literal, obj = rng.choice(options)
                task = tasks[i] = _Task([literal], obj, f"{rng.choice(verbs)} {{x}}")
                refers_back = True
        parts.append(_render(task, r, pronoun=refers_back and rng.random() < 0.8))
    literals = list(dict.fromkeys(lit for t in tasks for lit in t.literals))
    return _finish(world, _join(parts, rng), literals, r)


def _finish(world: World, text: str, goal: list[str], r: _Renderer) -> Example:
    rng = r.rng
    # "Could you ..." only fits a request that starts with its verb, not "the fridge is open"
    starts_with_verb = text.split()[0].lower() in _VERBS_FIRST | _skill_verbs(world)
    polite = _POLITE if starts_with_verb else ["{R}, please.", "{R}, thanks."]
    wrapper = rng.choice(polite if rng.random() < r.config.polite_rate else _PLAIN)
    lower = text[0].lower() + text[1:] if not text.startswith("I ") else text
    text = wrapper.replace("{r}", lower).replace("{R}", text[0].upper() + text[1:])
    return Example(text=text, goal=goal, world=world.name)


def _skill_verbs(world: World) -> set[str]:
    return {v.split()[0] for verbs, _, _ in _state_tasks(world, set(goal_literals(world))) for v in verbs}


def generate(world: World, config: SyntheticConfig = SyntheticConfig()) -> list[Example]:
    """`config.size` distinct requests with their goals, from the world's own vocabulary."""
    rng = random.Random(f"{world.name}:{config.seed}")
    valid = set(goal_literals(world))
    renderer = _Renderer(world, config, rng)
    examples: dict[str, Example] = {}
    tries = 0
    while len(examples) < config.size and tries < config.size * 20:
        tries += 1
        example = _request(world, valid, renderer)
        if _consistent(example.goal):
            examples.setdefault(example.text.lower(), example)
    return list(examples.values())


def _consistent(goal: list[str]) -> bool:
    """No thing asked to be in two places (at or in), and no fact asked for both ways."""
    where: dict[str, str] = {}
    atoms: dict[tuple, bool] = {}
    for literal in map(parse_literal, goal):
        if atoms.setdefault(literal.atom, literal.negated) != literal.negated:
            return False
        if literal.predicate in ("at", "in", "robot_at") and not literal.negated:
            key = literal.args[0]  # one place for each thing: at and in included
            if where.setdefault(key, literal.args[1]) != literal.args[1]:
                return False
    return True


def paraphrase(world: World, examples: list[Example], generate_json, per_example: int = 1) -> list[Example]:
    """Rewordings of `examples` by another model; kept only if they still name the goal's things.

    `generate_json` is a backend's batch call (`Backend.generate_json`), so any configured
    model can teach: a large one behind the `openai` backend, or a local one.
    """
    from serve_apps.llm import GenerationRequest

    schema = {"type": "object", "properties": {"text": {"type": "string", "maxLength": 200}}, "required": ["text"]}
    requests = [
        GenerationRequest(
            messages=[
                {"role": "system", "content": "Reword the request the way a different person would say it. Keep every thing it names. Answer as JSON: {\"text\": ...}"},
                {"role": "user", "content": example.text},
            ],
            schema=schema,
            max_new_tokens=80,
        )
        for example in examples
        for _ in range(per_example)
    ]
    kept = []
    for example, result in zip([e for e in examples for _ in range(per_example)], generate_json(requests)):
        try:
            text = str(json.loads(result.text)["text"]).strip()
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
        grounding = ground(world, text)
        wanted = {arg for literal in map(parse_literal, example.goal) for arg in literal.args if arg in world.objects_by_name}
        if text and not grounding.unknown and wanted <= grounding.names and text.lower() != example.text.lower():
            kept.append(Example(text=text, goal=example.goal, world=world.name, source="paraphrase"))
    return kept
