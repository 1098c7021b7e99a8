"""The language planner: mission text to a validated plan, with bounded retries and clear refusals.

Mode `goal` (default): the request is linked to world names (`serve_apps.grounding`; words the
world lacks get it refused), then the model writes the goal as literals, constrained to the world's live
vocabulary; Fast Downward plans it from the fleet's current belief; the plan is validated. A
failure goes back to the model with the reason, a bounded number of times, then the mission is
refused with that reason. Mode `direct`: the model writes the steps itself (constrained to
existing skills and names) together with its goal; the steps are validated, and if they do not
check out the goal is planned classically instead (repair).

`LanguagePlanner` is plain asyncio code around a `generate` coroutine, so it runs inside the
Serve deployment (`serve_apps.deployment`) and, for the CLI, in-process on a local backend.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from typing import Any, Awaitable, Callable, Optional, Sequence

from pydantic import BaseModel

from fleet.config import PlanMode, PlannerConfig
from fleet.errors import FleetError
from fleet.goals import parse_goal
from fleet.lexicon import IRREVERSIBLE_STATES, asked_states, verb_states, without_conditions
from fleet.literals import Literal, parse_literal
from fleet.models import Exemplar
from fleet.plan import Plan, done_by
from fleet.state import WorldState
from fleet.validate import PlanValidationError, check_plan
from fleet.world import World
from serve_apps.clauses import (
    DEMONSTRATIVES,
    PRONOUNS,
    TakenBack,
    asked_in_clauses,
    asks_something,
    colon_spelled_out,
    given_care_spelled_out,
    compound_said_again_spelled_out,
    condition_comma_spelled_out,
    only_asks,
    corrections_spelled_out,
    done_first_spelled_out,
    made_spelled_out,
    ones_spelled_out,
    opened_out_spelled_out,
    pieces_spelled_out,
    put_on_spelled_out,
    there_spelled_out,
    verb_no_skill_says,
    it_after_list_spelled_out,
    it_by_state_spelled_out,
    it_of_the_condition_spelled_out,
    request_groups,
    too_spelled_out,
    trailing_condition_spelled_out,
    wanted_spelled_out,
)
from serve_apps.conditions import condition_places, told_alone, told_as_condition, unchecked_conditions, unmet_conditions
from serve_apps.goal_checks import (
    AgainstVerbs,
    AlreadyHolds,
    LeftOut,
    Misplaced,
    StateLeftOut,
    against_verbs,
    already_so,
    check_consistent,
    filled_by_nothing,
    in_what_it_stands_by,
    left_where_it_is,
    misplaced,
    off_the_wrong_one,
    missing_from,
    moved_instead,
    moved_from_only,
    not_the_one_meant,
    moved_unasked,
    sent_elsewhere,
    split_between,
    sent_with_another,
    more_than_one,
    poured_whole,
    states_left_out,
    states_not_given,
    states_out_of_reach,
    things_asked_about,
)
from serve_apps.grounding import disposal_receptacles, ground, lighting_said, possessives_said
from serve_apps.llm import GenerationRequest, GenerationResult
from serve_apps.phrasing import (
    came_from,
    carried_contents,
    doer_named,
    each_of_them,
    destination_located,
    destinations_in,
    emptied,
    tools_named,
    everything_changed,
    kept_as_is,
    left_alone,
    located_by,
    narrowed,
    origins_in,
    not_where_said,
    only_locating,
    passed_over,
    pieces_of,
    pointed_back,
    rooms_sent_to,
    reaches_back_to,
    scoped_quantifiers,
    unclear_references,
    worked_at,
)
from serve_apps.putting_away import put_away_parts
from serve_apps.tuning import ModelCard, tuned_messages
from serve_apps.vocabulary import (
    direct_schema,
    goal_literals,
    goal_schema,
    is_asked,
    mentioned_names,
    quantifiers_in,
    said_in_plural,
)

# Fast Downward through unified-planning keeps process-wide state: one problem at a time.
_CLASSICAL_LOCK = threading.Lock()


class PlanRequest(BaseModel):
    """What the planner needs: the text, the world, what the fleet believes now, and examples."""

    text: str
    world: World
    facts: Optional[list[tuple[str, ...]]] = None  # None: the world's initial state
    mode: Optional[PlanMode] = None  # None: the configured mode
    grounding: Optional[bool] = None  # None: as configured
    exemplars: list[Exemplar] = []
    tidy: bool = True  # the plan restores the world's tidy states the goal does not mention


class PlanAttempt(BaseModel):
    """One answer of the model and what became of it."""

    answer: str
    tokens: int
    mean_logprob: Optional[float] = None
    error: Optional[str] = None  # None: this answer was accepted


class PlanResponse(BaseModel):
    """A validated plan with the goal it reaches, or a refusal with the reason."""

    ok: bool
    goal: list[str] = []
    plan: Optional[Plan] = None
    reason: Optional[str] = None  # why the mission was refused
    already_holds: list[str] = []  # refused because this goal is true already: there is nothing to do
    left_undone: list[str] = []  # steps no skill of the world does, left out of the plan ("dry it with the tea towel")
    mode: PlanMode = PlanMode.GOAL
    repaired: bool = False  # direct mode: the model's steps failed and the goal was planned instead
    attempts: list[PlanAttempt] = []
    model: str = ""
    model_version: Optional[int] = None  # the fine-tuned checkpoint's version, None for a base model
    engine: Optional[str] = None  # the inference engine that ran the model: openvino, transformers, openai
    seconds: float = 0.0

    @property
    def tokens(self) -> int:
        return sum(a.tokens for a in self.attempts)


Generate = Callable[[GenerationRequest], Awaitable[GenerationResult]]

_PREDICATES = (
    "at(thing, place): the thing is at that place. in(thing, container): the thing is inside the "
    "container. holding(robot, thing): the robot holds it. robot_at(robot, place): the robot is there."
)


def _describe_things(world: World, names: set[str]) -> str:
    """One line per mentioned thing: what it is and the states it can take."""
    lines = []
    for obj in world.objects:
        if obj.name in names:
            extra = ", container" if obj.receptacle else ""
            states = f"; states: {', '.join(obj.states)}" if obj.states else ""
            lines.append(f"- {obj.name}: {_words(obj.type)}{extra}{states}")
    lines += [f"- {p.name}: a place ({p.kind})" for p in world.places if p.name in names]
    lines += [f"- {r.name}: a robot ({r.kind})" for r in world.robots if r.name in names]
    return "\n".join(lines)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _says_any(text: str, phrases: set[str]) -> bool:
    spaced = " " + " ".join(re.findall(r"[a-z]+", text.lower())) + " "
    return any(f" {phrase} " in spaced for phrase in phrases)


def _skill_exemplars(world: World, avoid: set[str], count: int, text: str = "") -> list[Exemplar]:
    """Worked examples made from the world's own skills and things, away from the request's names.

    Each skill that sets one state of one object gives "<skill words> the <object>." with that
    state as the goal; putting a thing in a container or at a place gives the relational ones.
    Examples of the skills the request's words name ("close the fridge": close) come last,
    nearest the question; the rest is a spread over the kinds, with one joined pair so the model
    sees that one request can ask for several things.
    """
    singles: list[tuple[set[str], Exemplar]] = []  # (phrases that ask for it, example)
    free = [o for o in world.objects if o.name not in avoid]
    movable = [o for o in free if o.pickable and not o.receptacle]
    containers = [o for o in free if o.receptacle]
    places = [p for p in world.places if p.name not in avoid and not p.requires]
    if movable and places:
        thing, place = movable[0], places[-1]
        singles.append(({"bring", "take", "move", "put", "leave", "place"}, Exemplar(text=f"Bring the {_words(thing.name)} to the {_words(place.name)}", goal=[f"at({thing.name}, {place.name})"])))
    if movable and containers:
        thing, box = movable[-1], containers[-1]
        singles.append(({"put", "store"}, Exemplar(text=f"Put the {_words(thing.name)} in the {_words(box.name)}", goal=[f"in({thing.name}, {box.name})"])))
    used: set[str] = set()
    for skill in world.skill_list:
        objects = [p for p, spec in skill.parameters.items() if spec.kind == "object"]
        states = [e for e in skill.effect_literals if e.predicate in world.state_names]
        # one state set on one object; other object parameters are tools (a knife, a sponge)
        if not skill.plannable or len(states) != 1 or len(states[0].args) != 1 or states[0].args[0] not in objects:
            continue
        phrases = {skill.name.replace("_", " "), *skill.aliases}
        everything = world.param_domain(skill, states[0].args[0])
        domain = [o for o in everything if o not in avoid and o not in used]
        if not domain and _says_any(text, phrases):
            domain = everything  # the request asks for this skill: show it even on its own objects
        if domain:
            used.add(domain[0])
            literal = Literal(states[0].predicate, (domain[0],), states[0].negated)
            example = Exemplar(text=f"{_words(skill.name).capitalize()} the {_words(domain[0])}", goal=[str(literal)])
            singles.append((phrases, example))
    if count <= 0 or not singles:
        return []
    named = [e for phrases, e in singles if _says_any(text, phrases)][: count - 1]
    others = [e for _, e in singles if e not in named]
    step = max(1, len(others) // count)
    spread = others[::step][: max(1, count - 1 - len(named))]
    rest = [e for e in others if e not in spread]
    chosen = spread
    if len(chosen) + len(named) < count and rest:
        first, second = rest[-1], spread[0]
        chosen.append(Exemplar(text=f"{first.text} and {second.text[0].lower()}{second.text[1:]}", goal=first.goal + second.goal))
    return [Exemplar(text=e.text + ".", goal=e.goal) for e in chosen + named]


_FILLER = {"the", "a", "an", "to", "and", "it", "of", "in", "on", "please", "me", "you", "can", "could"}


def _content_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower())) - _FILLER


def _similarity(a: str, b: str) -> float:
    wa, wb = _content_words(a), _content_words(b)
    return len(wa & wb) / max(1, len(wa | wb))


def choose_exemplars(world: World, text: str, memory: list[Exemplar], names: set[str], count: int) -> list[Exemplar]:
    """The remembered missions most like this one, topped up with examples made from the world."""
    chosen = [e for e in sorted(memory, key=lambda e: -_similarity(e.text, text)) if _similarity(e.text, text) > 0][:count]
    return chosen + _skill_exemplars(world, names, count - len(chosen), text)


def merge_goals(goals: list[list[str]]) -> list[str]:
    """Join the goals of consecutive requests; a later place for the same thing, or the opposite
    of an earlier state, replaces the earlier one."""
    merged: list[Literal] = []
    for goal in goals:
        for literal in (parse_literal(g) for g in goal):
            if literal.predicate in ("at", "in") and not literal.negated:
                merged = [m for m in merged if not (m.predicate in ("at", "in") and not m.negated and m.args[0] == literal.args[0])]
            # "open the wardrobe, put the towel in it and close it again": it ends closed
            merged = [m for m in merged if not (m.atom == literal.atom and m.negated != literal.negated)]
            if literal not in merged:
                merged.append(literal)
    return [str(m) for m in merged]


def goal_messages(
    world: World, text: str, names: set[str], exemplars: list[Exemplar], quantified: frozenset[str] = frozenset()
) -> list[dict[str, str]]:
    """The chat that asks the model for a goal: instructions, examples, then the request."""
    states = ", ".join(world.state_names)
    system = (
        f"You control robots in the {world.name} world. Turn the user's request into the list of "
        f"conditions that must be true when the job is done, as JSON: {{\"goal\": [...]}}. "
        f"{_PREDICATES} A state name such as {states} applies to one thing, e.g. open(x); "
        "put 'not ' in front for a condition that must be false (closed is 'not open'). "
        "List only what the request asks for."
    )
    if quantified:  # said only when the request asks for "any" or "all" of a kind
        system += (
            " An argument may be 'any TYPE' (one of them will do) or 'all TYPE' (every one of them): "
            + ", ".join(sorted(quantified)) + "."
        )
    described = _describe_things(world, names)
    if described:
        system += "\nThings in this request:\n" + described
    messages = [{"role": "system", "content": system}]
    for example in exemplars:
        messages.append({"role": "user", "content": example.text})
        messages.append({"role": "assistant", "content": json.dumps({"goal": example.goal})})
    messages.append({"role": "user", "content": text})
    return messages


def direct_messages(world: World, text: str, names: set[str]) -> list[dict[str, str]]:
    """The chat that asks the model for the steps of a plan and the goal they reach."""
    skills = "\n".join(
        f"- {s.name}({', '.join(p for p, spec in s.parameters.items() if spec.kind != 'robot')}): {s.description}"
        for s in world.skill_list
        if s.plannable and s.name != "navigate"
    )
    system = (
        f"You control robots in the {world.name} world. Write the steps that do the user's request, "
        "in order, and the goal they reach, as JSON: {\"goal\": [...], \"subtasks\": [{\"id\": \"s1\", "
        "\"skill\": ..., \"args\": {...}, \"dependencies\": [...]}]}. Robots are chosen for you and drive "
        f"to each step by themselves. Skills:\n{skills}\n{_PREDICATES}"
    )
    described = _describe_things(world, names)
    if described:
        system += "\nThings in this request:\n" + described
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


class LanguagePlanner:
    """Turns mission text into a validated plan; `generate` is the (batched) model call."""

    def __init__(self, config: PlannerConfig, generate: Generate, card: Optional[ModelCard] = None, engine: Optional[str] = None):
        self.config = config
        self.generate = generate
        self.card = card  # set for a fine-tuned checkpoint: its version goes into every response
        self.engine = engine  # the backend's registry name, reported with every response
        self.tuned = config.prompt == "tuned" or (config.prompt == "auto" and card is not None)

    async def plan(self, request: PlanRequest) -> PlanResponse:
        """Plan a text mission; every failure ends in a refusal with a reason, never an exception."""
        started = time.monotonic()
        mode = request.mode or self.config.mode
        response = PlanResponse(
            ok=False, mode=mode, model=self.config.llm.model, model_version=self.card.version if self.card else None, engine=self.engine
        )
        try:
            await self._plan(request, mode, response)
        except FleetError as err:
            response.ok, response.reason = False, str(err)
            if isinstance(err, AlreadyHolds):
                response.already_holds = sorted(err.literals)
        response.seconds = time.monotonic() - started
        return response

    def _check_text(self, text: str) -> str:
        text = text.strip()
        if not text:
            raise FleetError("the mission text is empty; say what the robots should do")
        if len(text) > self.config.max_text_chars:
            raise FleetError(
                f"the mission text is {len(text)} characters long; the limit is {self.config.max_text_chars}"
            )
        return text

    async def _plan(self, request: PlanRequest, mode: PlanMode, response: PlanResponse) -> None:
        world = request.world
        text = re.sub(r"\s+[-–—]+\s+", ", ", self._check_text(request.text))  # "the jeans are dirty - in the basket with them"
        if only_asks(text):  # "is the oven on?" asks nothing to be done: never switch it on
            raise FleetError(f"'{text.strip()}' is a question, not a request; say what the robots should do")
        text = possessives_said(world, text)  # "Jake's bed" where the world calls it "jakes bed"
        try:
            text = corrections_spelled_out(world, text)  # "in the nook... no, on the end table"
        except TakenBack as err:
            raise FleetError(str(err)) from None
        text = lighting_said(text)  # "light the ring": switch it on, before any word is read as a lamp
        text = condition_comma_spelled_out(world, text)  # "if the radio is on turn it off"
        text = trailing_condition_spelled_out(world, text)  # "take them out and ..., unless the parasol is closed": all of it
        text = colon_spelled_out(world, text)  # "turn everything off: the TV and the lamp"
        text = wanted_spelled_out(text)  # "I need the milk in the fridge": put it there
        text = done_first_spelled_out(world, text)  # "when you've boiled the kettle, ...": boil it first
        text = made_spelled_out(world, text)  # "make toast": toast the bread
        text = given_care_spelled_out(world, text)  # "give the pan a scrub": scrub it
        text = too_spelled_out(text)  # "put the pear in the bin, and the banana too"
        text = ones_spelled_out(world, text)  # "... and hang a fresh one on the rail": the fresh towel
        text = pieces_spelled_out(world, text)  # "if there's shortbread in the tin, put a piece out": the shortbread
        text = put_on_spelled_out(world, text)  # "put both lamps on": switch them on
        text = compound_said_again_spelled_out(world, text)  # "put the eggs in the saucepan, then the pan on the ring": the saucepan
        text = opened_out_spelled_out(world, text)  # "open the cool box, get the beers out": out of the cool box
        state = WorldState(world, request.facts) if request.facts is not None else WorldState.initial(world)
        text = there_spelled_out(world, text, state.holders())  # "take the pot off the ring and put the pan there": on the ring
        text = it_of_the_condition_spelled_out(world, text)  # "if the juice is in there, bring it to the table": the juice
        text = it_after_list_spelled_out(world, text)  # "put A and B in the dish and put it in the oven": the dish
        text = it_by_state_spelled_out(world, text)  # "put the egg in the pan, fill it ...": the pan, which fills
        names: Optional[set[str]] = None  # None: the whole vocabulary
        left_out_names: frozenset[str] = frozenset()  # what the request says to leave alone
        asked: Optional[frozenset[tuple[str, bool]]] = None  # None: every state may be asked for
        required: set[str] = set()
        quantified = quantifiers_in(world, text)
        grounded = self.config.grounding if request.grounding is None else request.grounding
        untouched: set[str] = set()  # what no step of the plan may use ("don't open the fridge")
        forbidden: set[str] = set()  # what no goal may hold ("fill the kettle but don't switch it on")
        unchecked: list[str] = []  # conditions no state can check ("if the milk is old")
        doer, text = doer_named(request.world, text)  # "have moss take the cheese ...": moss does each step or none
        if grounded:
            grounding = ground(world, text)
            if grounding.unknown:
                raise FleetError(
                    f"the {world.name} world has nothing called {', '.join(repr(w) for w in grounding.unknown)}; "
                    "name objects, places and robots it has (fleet describe-world lists them)"
                )
            located_there = destination_located(world, grounding.text, state)  # "in the lunchbox in the pantry": the one there
            alone = left_alone(world, located_there)  # "but not the green one", "don't open the fridge"
            # "if the mug is dirty, ..." checked now; "the fridge is open, close it" is such an "if"
            text, dropped = unmet_conditions(world, told_as_condition(told_alone(alone.text)), state)
            unchecked = unchecked_conditions(world, text)
            if dropped and not text.strip():
                raise FleetError("nothing to do: " + "; ".join(dropped))
            if dropped and re.search(r"\bfirst\W*$", text, re.IGNORECASE):  # "if it's off, turn it on first"
                raise FleetError(f"'{text.strip()}' comes first, before what the other condition asks ({'; '.join(dropped)}); say the whole order")
            elsewhere = not_where_said(world, text, state)
            if elsewhere:  # "grab a beer out of the fridge" where no beer is in it: the words are wrong about the world
                raise FleetError("; ".join(elsewhere))
            # a condition's "if it is on the table" is where a thing is, never where it goes
            # "the orange or the banana": one is meant, the other is no goal either
            left_out_names = frozenset(alone.spared | alone.untouched | condition_places(world, text) | passed_over(world, text))
            untouched, forbidden = alone.untouched, alone.forbidden
            names = (ground(world, text).names if dropped or located_there != grounding.text else grounding.names) - left_out_names
            if self.config.lexicon:
                asked = asked_in_clauses(world, text)  # the states its words ask for, and only those
            required = (things_asked_about(world, text) | quantified) - left_out_names
            if doer is not None and (asked is None or re.match(r"(?:hold|keep hold of)\b", text, re.IGNORECASE)):
                names = names | {doer}  # "have pip hold the butter": the robot is part of the goal
            # "wash the dishes" names a kind, "turn everything off" what the verb changes, not a thing
            if not names and not quantified and not scoped_quantifiers(world, text, state):
                raise FleetError(
                    f"the request names nothing the {world.name} world has (no object, place or robot of it "
                    "is mentioned); name what the robots should act on"
                )
        limit = self.config.max_goal_literals
        fixed: list[str] = []  # goal literals read from the words themselves, not asked of the model
        near: set[str] = set()  # where the things that only locate stand ("next to the hand soap")
        origins: set[str] = set()  # where things come from, in a request that says where they go
        if names is not None:
            carried, text = carried_contents(world, text, state)  # "the box with the blanket in it"
            pieces, text = pieces_of(world, text)  # "a slice of bread": sliced(bread)
            worked, text = worked_at(world, text, state)  # "slice the cheese on the counter": it ends there
            kept, text = kept_as_is(world, text)  # "leave the night light on"
            empty, text = emptied(world, text, state)  # "take everything out of the school bag"
            changed, text = everything_changed(world, text, state)  # "turn everything off"
            away, rest = put_away_parts(world, text, state)  # "put the milk away", "tidy the desk"
            fixed = [lit for lit in dict.fromkeys(carried + pieces + worked + kept + empty + changed + away) if not set(parse_literal(lit).args) & set(left_out_names)]
            if fixed and not without_conditions(rest).strip(" .,;!?"):  # nothing left for the model to answer ("if X is on, make sure Y is on")
                answer = GenerationResult(text=json.dumps({"goal": fixed}), new_tokens=0, finished=True)
                response.attempts.append(PlanAttempt(answer=answer.text, tokens=0))
                goal, plan, _ = await self._accept(world, state, answer, PlanMode.GOAL, set(), request.tidy, doer=doer)
                _check_untouched(plan, untouched)
                _check_forbidden(goal, forbidden)
                _check_undoable(world, goal, unchecked)
                response.ok, response.goal, response.plan = True, [str(g) for g in goal], plan
                return
            if fixed and mode == PlanMode.DIRECT:
                raise FleetError("direct mode plans the whole request itself; use goal mode for this one")
            if fixed:  # the model answers the rest of the request
                text, names = rest, ground(world, rest).names
                asked = asked_in_clauses(world, text) if self.config.lexicon else None
                quantified = quantifiers_in(world, text)
            located, near = located_by(world, text, state)
            # "beside the keys" only says where: the plural there asks for no keys to move
            # and "put it on the table with the cups" moves no cup: the cups said there are those that locate
            quantified = frozenset(q for q in quantified if not (located and set(world.matching("object", q.split(" ", 1)[1])) & located))
            origins = came_from(world, text)  # "off the coffee table onto the bar cart": no goal of its own
            origins |= tools_named(world, text)  # "slice the bread with the knife": the plan's tool, no goal
            names = (narrowed(world, text, names, state) | near) - _unoffered(origins, asked) - only_locating(world, text, located)
            names -= _only_in_conditions(world, text)  # "turn off the fan when the radio is on": the radio is no answer
            required = (things_asked_about(world, text, names) | quantified) - located - origins - _only_in_conditions(world, text)
            required |= _all_pointed_back(world, text) & names  # "if the lamp and the fan are on, turn both off"
            required |= rooms_sent_to(world, text) & names  # "... and bring it to the hallway"
            names, quantified, required = _within_scope(world, text, state, names, quantified, required)
            names, required = names - left_out_names, required - left_out_names  # no goal speaks of them
            # "wash the mugs but not the green one": `all mug` would wash it too; the others are named one by one
            spoils = {q for q in quantified if q.startswith("all ") and set(world.matching("object", q[4:])) & left_out_names}
            quantified, required = quantified - spoils, required - spoils
            unclear = unclear_references(world, text, names, state)
            if unclear:  # any pick would be a guess: "the mug" with a red and a green one
                raise FleetError(f"the request does not say which one: {'; '.join(unclear)}; name the one meant")
            if asked is not None:  # "warm up the milk" where milk cannot be hot: no answer would do
                unreachable = states_out_of_reach(world, text, goal_literals(world, names, quantified, asked))
                if unreachable:
                    raise FleetError("; ".join(unreachable))

        def schema_for(excluded: frozenset[str]) -> dict[str, Any]:
            if mode == PlanMode.DIRECT:
                return direct_schema(world, names, limit, self.config.max_steps, excluded, quantified, asked)
            return goal_schema(world, names, limit, excluded, quantified, asked)

        if mode == PlanMode.DIRECT:
            messages = direct_messages(world, text, names or set())
            max_tokens = 48 + 40 * self.config.max_steps
        elif self.tuned:  # the model learned the goals of whole requests, pronouns included
            messages = tuned_messages(world, text, names)
            max_tokens = 24 + 16 * limit
        else:
            exemplars = choose_exemplars(world, text, request.exemplars, names or set(), self.config.exemplars)
            messages = goal_messages(world, text, names or set(), exemplars, quantified)
            max_tokens = 24 + 16 * limit
        excluded: set[str] = set(forbidden)  # never offered: "... but don't switch it on"
        schema = schema_for(frozenset(excluded))
        # a small model answers one clause at a time better (a tuned one too); that needs linked names
        split = mode == PlanMode.GOAL and names is not None
        groups = request_groups(world, text) if split else [[text]]
        clauses = [clause for group in groups for clause in group]
        last_error = "no answer"
        left_out: Optional[LeftOut] = None
        done_by_verbs: Optional[AlreadyHolds] = None
        for number in range(self.config.max_attempts):
            if len(clauses) > 1 and (number == 0 or (excluded and left_out is None)):  # one request at a time
                result = await self._answer_in_parts(
                    world, groups, request.exemplars, asked is not None, state, origins, left_out_names, frozenset(excluded)
                )
            elif left_out is not None and mode == PlanMode.GOAL:  # ask about what the answer left out
                result = await self._complete(world, messages[:-2], names or set(), left_out, asked, quantified)
            else:
                result = await self._generate(GenerationRequest(messages=messages, schema_=schema, max_new_tokens=max_tokens))
            attempt = PlanAttempt(answer=result.text, tokens=result.new_tokens, mean_logprob=result.mean_logprob)
            response.attempts.append(attempt)
            try:
                goal, plan, repaired = await self._accept(
                    world, state, result, mode, required, request.tidy, asked, fixed, text, doer
                )
            except DoerCannot:
                raise  # no other answer changes what the named robot can do
            except FleetError as err:
                attempt.error = last_error = str(err)
                left_out = err if isinstance(err, LeftOut) else None
                done_by_verbs = err if isinstance(err, AlreadyHolds) and err.by_verbs else None
                messages = messages + [
                    {"role": "assistant", "content": result.text},
                    {"role": "user", "content": f"That answer does not work: {last_error}. Answer the request again."},
                ]
                if isinstance(err, (AlreadyHolds, Misplaced, AgainstVerbs, OffMenu)):  # a greedy model would say it again: take it off the menu
                    excluded |= err.literals
                    try:
                        schema = schema_for(frozenset(excluded))
                    except FleetError:
                        if isinstance(err, AlreadyHolds):  # nothing else fits the words: it is done already
                            raise err from None
                        raise
                continue
            _check_untouched(plan, untouched)
            _check_forbidden(goal, forbidden)
            _check_undoable(world, goal, unchecked)
            response.ok, response.goal, response.plan, response.repaired = True, [str(g) for g in goal], plan, repaired
            response.left_undone = [clause for clause in clauses if verb_no_skill_says(world, clause)]
            return
        if done_by_verbs is not None:  # the last answer came back to what the verbs ask, and it holds
            raise done_by_verbs
        raise FleetError(f"the planner could not make a valid plan in {self.config.max_attempts} attempt(s): {last_error}")

    async def _answer_in_parts(
        self,
        world: World,
        groups: list[list[str]],
        memory: list[Exemplar],
        narrow_states: bool = True,
        state: Optional[WorldState] = None,
        origins: frozenset[str] | set[str] = frozenset(),
        leave_alone: frozenset[str] = frozenset(),
        excluded: frozenset[str] = frozenset(),
    ) -> GenerationResult:
        """Ask for each clause of a compound mission separately (batched together), then join the goals.

        A pronoun ("put it in the fridge") reaches back to the names of the request before.
        """
        asks = []
        previous: set[str] = set()
        clauses: list[tuple[str, set[str]]] = []
        earlier: list[str] = []  # the previous request's clauses
        for group in groups:
            named: set[str] = set()
            for clause in group:
                names = mentioned_names(world, clause)
                if state is not None:
                    located, near = located_by(world, clause, state)
                    names = (narrowed(world, clause, names, state) | near) - only_locating(world, clause, located)
                names -= _unoffered(origins, asked_states(world, clause) if narrow_states else None) | leave_alone
                if state is not None and narrow_states and ("in", True) in asked_states(world, clause):
                    holders = {f[2] for f in state.facts if f[0] == "in" and f[1] in names}
                    said_from = origins_in(world, clause)  # "take the eggs out of the fridge": not the egg box they are in
                    if not holders & names and (not said_from or holders & said_from):
                        names |= holders  # "take out the milk": out of where it is
                each = each_of_them(world, clause, earlier, previous - names)
                if each:  # "... and put them away": one clause per thing
                    clauses += [(one, names | {thing}) for one, thing in each]
                    named |= names | {thing for _, thing in each}
                    continue
                words = set(re.findall(r"[a-z]+", clause.lower()))
                if words & PRONOUNS or (not names and words & DEMONSTRATIVES):  # "... bring that too"
                    # "the keys on the rack and the shoes next to it"; "open the cupboard, ... close it again"
                    names |= reaches_back_to(world, clause, earlier, previous, [c for c, _ in clauses]) | named
                names -= pointed_back(world, clause, names, previous | named, [c for c, _ in clauses])  # "... and turn that burner on": the one named before
                named |= names  # a thing of a condition stays for a later "it" ("if it is, shut it")
                clauses.append((clause, names - _only_in_conditions(world, clause)))  # but is no answer here
            previous, earlier = (named, group) if named else (previous, earlier)
        unanswerable: list[FleetError] = []
        for number, (clause, names) in enumerate(clauses):
            pointing = set(re.findall(r"[a-z]+", without_conditions(clause))) & (PRONOUNS | DEMONSTRATIVES) - {"there", "one"}
            if not names and pointing and asks_something(world, clause) and not re.match(r"\s*leave\b", clause, re.IGNORECASE):
                # dropping it would leave it undone: "..., and if the wine is in the fridge, bring that too"
                raise FleetError(f"'{clause}' does not say what '{sorted(pointing)[0]}' is; name it")
            if not names:
                continue  # "do a safety round": nothing to act on by itself
            verb = verb_no_skill_says(world, clause)
            if verb and not names & {n for other, others in clauses if other != clause for n in others}:
                # "take the tea towel, dry the mugs and hang it up": nothing else is asked of the
                # mugs, and moving them somewhere would be a step nobody asked for
                raise FleetError(f"'{clause}' asks what nothing in the {world.name} world can do ({verb}); leave it out or say where things go")
            if verb:  # "wash the pan, ..., then dry it with the tea towel": the rest is done, the towel stays
                continue
            quantified = quantifiers_in(world, clause)
            asked = asked_states(world, clause) if narrow_states else None
            limit = 2
            if state is not None:  # "every light in the lounge": one literal for each light there
                names, quantified, scoped = _within_scope(world, clause, state, names, quantified, set())
                names = names - leave_alone
                limit = max(limit, len(scoped))
            try:
                schema = goal_schema(world, names, limit, excluded, quantified, asked)
            except FleetError as err:  # "get the clock out of the drawer, put it on the table": the next clause says it
                # "take the pump off the driveway and hang it on the pegboard": where it goes says it all
                taken_to_a_later_place = asked == {("in", True)} and any(destinations_in(world, later) for later, _ in clauses[number + 1 :])
                if excluded and _answerable(world, names, limit, quantified, asked) and not taken_to_a_later_place:
                    # every answer it had was refused before: dropping the clause would leave it undone
                    raise FleetError(f"no answer left for '{clause}': {err}") from None
                unanswerable.append(err)
                continue
            if self.tuned:  # the short prompt it was trained on, one clause at a time too
                messages = tuned_messages(world, clause, names)
            else:
                exemplars = choose_exemplars(world, clause, memory, names, self.config.exemplars)
                messages = goal_messages(world, clause, names, exemplars, quantified)
            asks.append(
                GenerationRequest(
                    messages=messages,
                    schema_=schema,
                    max_new_tokens=24 + 16 * limit,
                )
            )
        if not asks and unanswerable:
            raise unanswerable[0]
        results = await asyncio.gather(*(self.generate(ask) for ask in asks))
        offered = [literal for ask in asks for literal in _menu(ask.schema_) or []]  # what any clause could say
        return _joined([], [_on_menu(result, offered) for result in results])

    async def _generate(self, request: GenerationRequest) -> GenerationResult:
        """The model's answer, any goal literal its schema did not offer noted: a decoder that
        lets one through (OpenVINO GenAI 2026.4's structured output does, now and then) never
        gets it acted on; the answer is refused and asked again."""
        return _on_menu(await self.generate(request), _menu(request.schema_))

    async def _complete(
        self,
        world: World,
        messages: list[dict[str, str]],
        names: set[str],
        left_out: "LeftOut",
        asked: Optional[frozenset[tuple[str, bool]]] = None,
        quantified: frozenset[str] = frozenset(),
    ) -> GenerationResult:
        """Keep the goal so far and ask, for each thing it left out, what the request wants of it."""
        results = []
        for thing in left_out.missing:
            wanted = left_out.states.get(thing)  # only the state the words ask of it, when that is what is left out
            about = [
                lit
                for lit in goal_literals(world, names, quantified, asked)
                if thing in (parsed := parse_literal(lit)).args and (wanted is None or parsed.predicate in wanted)
            ]
            if not about:
                continue
            schema = {
                "type": "object",
                "properties": {"goal": {"type": "array", "items": {"enum": about}, "minItems": 1, "maxItems": 1}},
                "required": ["goal"],
                "additionalProperties": False,
            }
            results.append(await self._generate(GenerationRequest(messages=messages, schema_=schema, max_new_tokens=40)))
        return _joined([left_out.goal], results)

    async def _accept(
        self,
        world: World,
        state: WorldState,
        result: GenerationResult,
        mode: PlanMode,
        required: set[str],
        tidy: bool = True,
        asked: Optional[frozenset[tuple[str, bool]]] = None,
        fixed: Sequence[str] = (),
        text: str = "",
        doer: Optional[str] = None,
    ) -> tuple[list[Literal], Plan, bool]:
        """Parse, check and plan one answer; raise FleetError saying what is wrong with it."""
        if doer is not None:  # plan as usual, then give every step to the robot the request names
            goal, plan, repaired = await self._accept(world, state, result, mode, required, tidy, asked, fixed, text)
            return goal, _done_by(world, plan, goal, state, doer), repaired
        if not result.finished:
            goal_text = _goal_prefix(result.text)
            if mode == PlanMode.DIRECT and goal_text is not None:
                # the goal comes first and is whole: repair by planning it classically
                whole = result.model_copy(update={"text": goal_text, "finished": True})
                goal, plan, _ = await self._accept(world, state, whole, PlanMode.GOAL, required, tidy, asked)
                return goal, plan, True
            raise FleetError("the model's answer was cut off before it was complete")
        if result.mean_logprob is not None and result.mean_logprob < self.config.min_mean_logprob:
            raise FleetError(
                f"the model is guessing (mean token log-probability {result.mean_logprob:.1f}, "
                f"below {self.config.min_mean_logprob:g})"
            )
        try:
            answer = json.loads(result.text)
        except json.JSONDecodeError as err:
            raise FleetError(f"the model's answer is not valid JSON ({err.msg})") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("goal"), list):
            raise FleetError("the model's answer has no goal list")
        said = list(dict.fromkeys(parse_goal(world, [str(item) for item in answer["goal"]])))  # drop repeats
        unasked = [str(g) for g in said if asked is not None and not is_asked(world, g.predicate, g.negated, asked) and str(g) not in fixed]
        backwards = misplaced(world, text, said)
        if backwards:  # "put the case in the bag" answered in(bag, case)
            raise Misplaced(backwards)
        stayed = left_where_it_is(world, text, said, state)
        if stayed:  # "if the pan is on the hob, take it off" answered in(frying_pan, hob)
            raise Misplaced(stayed, "it is there now, and the words take it away")
        elsewhere = off_the_wrong_one(world, said, state)
        if elsewhere:  # "take the skillet off the burner" answered with the burner it is not on
            raise Misplaced(elsewhere, "it is not there now but on another of that kind")
        instead = moved_instead(world, text, said)
        if instead:  # "... put it in the cupboard with the white mug" answered with the white mug moved
            raise Misplaced(instead, "the words move something else there")
        beside = in_what_it_stands_by(world, text, said)
        if beside:  # "put the bowl next to the water bowl" answered in(food_bowl, water_bowl)
            raise Misplaced(beside, "the words put things beside it, not in it")
        taken_from = moved_from_only(world, text, said)
        if taken_from:  # "take the eggs out of the carton and put them in the pot" answered with the carton moved
            raise Misplaced(taken_from, "the words only take things out of it or off it")
        other_one = not_the_one_meant(world, text, said)
        if other_one:  # "... out of the drinks fridge and close the fridge" answered with the other fridge
            raise Misplaced(other_one, "the words point back to another of its kind")
        goal = said + ([g for g in parse_goal(world, list(fixed)) if g not in said] if fixed else [])
        check_consistent(goal)
        astray = sent_elsewhere(world, text, said)
        if astray:  # "take the bin to dock A" answered at(bin, shelf_a)
            raise Misplaced(astray, "none of the places its words send things to")
        split = split_between(world, text, said)
        if split:  # "put them in the drawer" answered with the fork in one drawer and the spoon in another
            raise Misplaced(split, "the words send them to one place")
        borrowed = sent_with_another(world, text, said)
        if borrowed:  # "... to the hamper and bring the towels from the cupboard" answered in(towels, hamper)
            raise Misplaced(borrowed, "that place is where another part of the request sends other things")
        unfilled = filled_by_nothing(world, text, said)
        if unfilled:  # "pour some milk into the jug" answered with nothing in the jug
            raise FleetError(f"the words put something into {', '.join(u.replace('_', ' ') for u in unfilled)}, and the answer puts nothing there")
        poured = poured_whole(world, text, said)
        if poured:  # "boil the kettle and pour it into the pot" answered in(kettle, soup_pot)
            raise Misplaced(poured, "what is poured goes in, not the thing it is poured from")
        moved = moved_unasked(world, text, said)
        if moved:  # "switch off the lamp by the bed" answered with the lamp carried there
            raise Misplaced(moved, "it asks only for states, and moves nothing")
        if unasked:  # a backend that ignores the schema: never act on a state nobody asked about
            raise FleetError(f"the request does not ask for {', '.join(unasked)}")
        missing = missing_from(world, required, goal)
        unstated = states_not_given(world, text, goal, required) if asked is not None and not missing else {}
        if all(state.holds(literal) for literal in goal) and not missing and not unstated:
            raise AlreadyHolds({str(g) for g in goal})
        if missing:  # a small model often stops after the first thing asked for ("make sure the
            # fridge is closed and the radio off" answered with the fridge, closed already)
            raise LeftOut([str(g) for g in goal], missing)
        too_many = more_than_one(world, quantifiers_in(world, text), goal) if text else None
        if too_many:  # "put one of the plates on the table" answered with both plates
            raise FleetError(too_many)
        unmade = states_left_out(world, text, goal) if asked is not None else []
        kept_so = {clause: already_so(world, clause, state) for clause in unmade}  # "... and close the fridge", closed now
        kept = [literal for clause in unmade for literal in kept_so[clause] if literal not in goal]
        # the verb wins over an answer that says its opposite: "open the door" (open now) answered "not open(door)"
        opposed = [Literal(k.predicate, k.args, not k.negated) for k in kept]
        goal = [literal for literal in goal if literal not in opposed] + kept
        unmade = [clause for clause in unmade if not kept_so[clause]]
        if unmade:  # "heat the bread in the microwave" answered with where it goes only
            raise StateLeftOut(unmade)
        unstated = states_not_given(world, text, goal, required) if unstated else {}  # what `kept` gave counts
        if unstated:  # "wash the spoon and the bowl" answered with the spoon clean alone
            raise LeftOut([str(g) for g in goal], sorted(unstated), unstated)
        # what was read from the words themselves ("leave it on") is what they ask
        opposite = [lit for lit in against_verbs(world, text, goal) if lit not in fixed] if asked is not None else []
        if opposite:  # "turn the lamp on and the fan off" answered with the fan on
            raise AgainstVerbs(opposite)
        if all(state.holds(literal) for literal in goal):  # what the verbs ask holds already
            raise AlreadyHolds({str(g) for g in goal}, by_verbs=True)
        if result.off_menu:  # the decoder let through what the request's words rule out
            raise OffMenu(result.off_menu)
        if mode == PlanMode.DIRECT:
            try:
                plan = Plan.model_validate({"goal": [str(g) for g in goal], "subtasks": answer.get("subtasks", [])})
                return goal, check_plan(world, plan, goal, state), False
            except (PlanValidationError, ValueError):
                pass  # repair: plan the model's goal classically instead
            return goal, await self._plan_goal(world, goal, state, tidy), True
        return goal, await self._plan_goal(world, goal, state, tidy), False

    async def _plan_goal(self, world: World, goal: list[Literal], state: WorldState, tidy: bool = True) -> Plan:
        from fleet.planning import plan_goal

        def solve() -> Plan:
            with _CLASSICAL_LOCK:
                try:
                    return plan_goal(world, goal, state, self.config.planning_timeout_s, tidy=tidy)
                except FleetError:
                    raise
                except Exception as err:  # noqa: BLE001 - one request's failure must not end the replica's others
                    raise FleetError(f"the classical planner failed on {', '.join(map(str, goal))}: {err!r}") from err

        return await asyncio.to_thread(solve)


def _answerable(world: World, names: set[str], limit: int, quantified: frozenset[str], asked: Optional[frozenset[tuple[str, bool]]]) -> bool:
    """Whether a clause has any goal literal to answer with, before any were taken off the menu."""
    try:
        goal_schema(world, names, limit, frozenset(), quantified, asked)
    except FleetError:
        return False
    return True


def _joined(goals: list[list[str]], results: list[GenerationResult]) -> GenerationResult:
    """One answer made of several: their goals merged in order, the least sure one's score.

    An answer that does not parse is returned as it is, so the check says what is wrong with it.
    """
    goals = list(goals)
    for result in results:
        try:
            goals.append([str(g) for g in json.loads(result.text)["goal"]])
        except (json.JSONDecodeError, KeyError, TypeError):
            return result
    scores = [r.mean_logprob for r in results if r.mean_logprob is not None]
    return GenerationResult(
        text=json.dumps({"goal": merge_goals(goals)}),
        new_tokens=sum(r.new_tokens for r in results),
        mean_logprob=min(scores) if scores else None,
        finished=all(r.finished for r in results),
        off_menu=[literal for r in results for literal in r.off_menu],
    )


def _goal_prefix(text: str) -> Optional[str]:
    """`{"goal": [...]}` from the start of an answer cut off later, or None."""
    match = re.match(r'\{"goal": (\[[^\]]*\])', text)
    return '{"goal": %s}' % match.group(1) if match else None


def _menu(schema: dict[str, Any]) -> Optional[list[str]]:
    """The goal literals a schema offers, or None where it lists none."""
    return schema.get("properties", {}).get("goal", {}).get("items", {}).get("enum")


def _on_menu(result: GenerationResult, offered: Optional[list[str]]) -> GenerationResult:
    """The answer with the goal literals not `offered` noted as `off_menu` (an answer that is no
    JSON is judged later, as garbage)."""
    try:
        answer = json.loads(result.text)
    except ValueError:
        return result
    if offered is None or not isinstance(answer, dict) or not isinstance(answer.get("goal"), list):
        return result
    off_menu = [str(literal) for literal in answer["goal"] if literal not in offered]
    return result.model_copy(update={"off_menu": off_menu}) if off_menu else result


def _only_in_conditions(world: World, text: str) -> set[str]:
    """Things named only in a condition, with no "it" (or "that", "one") in what is asked to point
    back at them: "when the kettle is boiling, switch off the radio" asks nothing of the kettle;
    "if the bagels are on the table, toast one" toasts them; "if the knife is clean, slice the
    apple with it" asks nothing of the knife, the tool."""
    asked = without_conditions(text)
    if verb_states(world, asked):  # "slice the apple with it": a tool; "into the basket with them" moves them
        asked = re.sub(r"\b(?:with|using)\s+(?:it|them)\b", " ", asked)
    only = mentioned_names(world, text) - mentioned_names(world, asked)
    if re.search(r"\b(?:it|that|this|one|some|both)\b", asked):
        return set()
    if re.search(r"\b(?:them|they|those|these)\b", asked):
        # "unless the parasol is open, take the cushions out and put them on the bench": "them" is no one parasol
        alone = len(only) == 1 and not said_in_plural(next(iter(only))) and mentioned_names(world, asked)
        return only if alone else set()
    return only


def _all_pointed_back(world: World, text: str) -> set[str]:
    """Things of a condition that "both" or "them" in what is asked stands for, each with a state
    the verb changes: "if the light and the burner are on, turn both off" asks about both."""
    asked = without_conditions(text)
    if asked == text or not re.search(r"\b(?:both|them|they|all of them|each of them)\b", asked, re.IGNORECASE):
        return set()
    signs = verb_states(world, asked)
    return {
        name
        for name in mentioned_names(world, text) - mentioned_names(world, asked)
        if name in world.objects_by_name and any(state in world.objects_by_name[name].states for state, _ in signs)
    }


def _unoffered(origins: set[str] | frozenset[str], asked: Optional[frozenset[tuple[str, bool]]]) -> set[str]:
    """Where things come from, taken off the menu unless the words ask to take something out
    ("get the knife out of the drawer and leave it on the counter" may say `not in(knife, drawer)`)."""
    return set() if asked is not None and ("in", True) in asked else set(origins)


def _within_scope(
    world: World, text: str, state: WorldState, names: set[str], quantified: frozenset[str], required: set[str]
) -> tuple[set[str], frozenset[str], set[str]]:
    """(names, quantifiers, required things) with each `all KIND` the words limit to a place
    replaced by the things of that kind there: "turn on every light in the lounge"."""
    scoped = scoped_quantifiers(world, text, state)
    if not scoped:
        return names, quantified, required
    for where, inside in scoped.values():
        if not inside:  # "the dirty dishes" where every dish is clean
            raise FleetError(f"nothing in the {world.name} world fits '{where}': none is as the words say, or none would change")
    meant = {name for _, inside in scoped.values() for name in inside}
    others = {n for q in scoped if q != "everything" for n in world.matching("object", q.split(" ", 1)[1])} - meant
    others |= {where for where, _ in scoped.values() if where in world.objects_by_name or where in world.places_by_name}  # the place only says which ones
    return (names | meant) - others, quantified - set(scoped), ((required - set(scoped)) | meant) - others


def _check_untouched(plan: Plan, untouched: set[str]) -> None:
    """Refuse a plan with a step that uses what the request says to leave alone."""
    for subtask in plan.subtasks:
        used = sorted(set(subtask.args.values()) & untouched)
        if used:
            raise FleetError(f"the plan needs {subtask.describe()}, which uses {', '.join(used)}; the request says to leave it alone")


def _check_forbidden(goal: list[Literal], forbidden: set[str]) -> None:
    """Refuse a goal that holds what the request says not to do ("don't switch it on")."""
    held = sorted(str(g) for g in goal if str(g) in forbidden)
    if held:
        raise FleetError(f"the goal holds {', '.join(held)}, which the request says not to do")


def _check_undoable(world: World, goal: list[Literal], unchecked: list[str]) -> None:
    """Refuse what cannot be undone (a state no skill reverses, a thing thrown away) on a condition
    the world cannot check: "if the milk is old, throw it away" might throw away good milk."""
    if not unchecked:
        return
    bins = set(disposal_receptacles(world))
    final = [str(g) for g in goal if not g.negated and (g.predicate in IRREVERSIBLE_STATES or (g.predicate == "in" and g.args[1] in bins))]
    if final:
        raise FleetError(
            f"the {world.name} world cannot tell whether {unchecked[0]}, and {', '.join(final)} cannot be undone; "
            "say it without the condition if it holds"
        )


class OffMenu(FleetError):
    """The answer holds goal literals its schema did not offer."""

    def __init__(self, literals: list[str]):
        self.literals = set(literals)
        super().__init__(f"the model answered {', '.join(literals)}, which is not among the answers the request's words allow")


class DoerCannot(FleetError):
    """The robot the request names to do it cannot do every step."""


def _done_by(world: World, plan: Plan, goal: list[Literal], state: WorldState, robot: str) -> Plan:
    """The plan with its steps given to the robot the request names; DoerCannot says why not."""
    kind = world.kind_of(robot)
    needed = {c for subtask in plan.subtasks for role in subtask.roles for c in role.capabilities}
    lacking = sorted(needed - set(kind.capabilities))
    if lacking:
        raise DoerCannot(f"the request asks {robot} to do it, but {robot} ({world.robots_by_name[robot].kind}) lacks {', '.join(lacking)}")
    try:
        return check_plan(world, done_by(world, plan, robot), goal, state)
    except PlanValidationError as err:
        raise DoerCannot(f"the request asks {robot} to do it, but {robot} cannot: {err}") from None


def plan_text_locally(text: str, world: World, config: PlannerConfig, mode: Optional[PlanMode] = None) -> PlanResponse:
    """Plan one text mission in this process, without Ray (the CLI's `plan --mission`)."""
    from serve_apps.llm import make_backend, read_card

    backends: list[Any] = []  # loaded on the first model call: refusals before it cost nothing

    async def generate(request: GenerationRequest) -> GenerationResult:
        if not backends:
            backends.append(make_backend(config.llm))
        return (await asyncio.to_thread(backends[0].generate_json, [request]))[0]

    planner = LanguagePlanner(config, generate, read_card(config.llm.model))
    return asyncio.run(planner.plan(PlanRequest(text=text, world=world, mode=mode)))


def response_json(response: PlanResponse) -> dict[str, Any]:
    """What `plan --mission --json` prints: the outcome, the goal, the plan and each attempt."""
    return {
        "ok": response.ok,
        "reason": response.reason,
        "mode": response.mode.value,
        "repaired": response.repaired,
        "goal": response.goal,
        "left_undone": response.left_undone,
        "plan": response.plan.to_json_dict() if response.plan else None,
        "attempts": [a.model_dump() for a in response.attempts],
        "tokens": response.tokens,
        "seconds": round(response.seconds, 3),
        "model": response.model,
        "model_version": response.model_version,
        "engine": response.engine,
    }
