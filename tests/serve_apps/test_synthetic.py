"""Synthetic training data: valid goals from any world's vocabulary, phrased with the promised variety."""

from __future__ import annotations

import json
import re

import pytest
import xgrammar
from xgrammar.testing import _is_grammar_accept_string

from fleet.goals import parse_goal
from fleet.literals import parse_literal
from fleet.world import World
from serve_apps.grounding import ground
from serve_apps.synthetic import SyntheticConfig, generate, paraphrase
from serve_apps.llm import GenerationResult
from serve_apps.tuning import goal_answer
from serve_apps.vocabulary import goal_schema


@pytest.fixture(scope="module")
def household_examples(household):
    return generate(household, SyntheticConfig(size=600, seed=3))


def test_seeded_sized_and_distinct(household):
    first = generate(household, SyntheticConfig(size=50, seed=1))
    assert first == generate(household, SyntheticConfig(size=50, seed=1))
    assert first != generate(household, SyntheticConfig(size=50, seed=2))
    assert len(first) == 50 and len({e.text.lower() for e in first}) == 50


def test_every_goal_is_valid_and_consistent(household, household_examples):
    for example in household_examples:
        goal = parse_goal(household, example.goal)  # raises on anything the world lacks
        placed = [(g.args[0]) for g in goal if g.predicate in ("at", "in") and not g.negated]
        assert len(placed) == len(set(placed)), example


def test_requests_link_to_every_thing_their_goal_names(household, household_examples):
    unlinked = []
    for example in household_examples:
        grounding = ground(household, example.text)
        args = {a for literal in map(parse_literal, example.goal) for a in literal.args}
        if grounding.unknown or not args <= grounding.names:
            unlinked.append(example.text)
    assert len(unlinked) <= len(household_examples) // 100, unlinked  # a misspelling can land on a real word


def test_the_promised_kinds_of_wording_all_appear(household, household_examples):
    texts = [e.text for e in household_examples]
    aliases = {a for o in household.objects for a in o.aliases}
    names = {w for o in household.objects for w in o.name.split("_")}
    assert any(re.search(r"\bit\b", t) for t in texts)  # pronouns
    assert any(len(e.goal) >= 3 for e in household_examples)  # several things at once
    assert any(" is still " in t or "should be" in t for t in texts)  # implied goals
    assert any(any(a in t.lower() for a in aliases) for t in texts)  # synonyms
    assert any(t.startswith(("Could you", "Please", "Can someone")) for t in texts)  # polite
    assert any(" from " in t or " out of " in t for t in texts)  # distractor mentions
    words = {w for t in texts for w in re.findall(r"[a-z]+", t.lower())} - names
    assert any(ground(household, w).links for w in sorted(words))  # a word that is no name still finds its thing
    heated = [e for e in household_examples if "switched_on(microwave)" in e.goal and any(g.startswith("in(") for g in e.goal)]
    assert heated  # "heat the milk in the microwave": two literals from one verb


def test_any_world_not_just_the_bundled_ones(household_data):
    data = household_data
    data["name"] = "garage"
    data["objects"] = [
        {"name": "toolbox", "type": "box", "location": "kitchen", "receptacle": True, "pickable": False, "states": {"open": False}},
        {"name": "wrench", "type": "tool", "location": "toolbox"},
        {"name": "garage_lamp", "type": "lamp", "location": "hallway", "pickable": False, "states": {"switched_on": False}},
    ]
    world = World.model_validate(data)
    examples = generate(world, SyntheticConfig(size=40, seed=0))
    assert len(examples) == 40
    used = {a for e in examples for literal in map(parse_literal, e.goal) for a in literal.args}
    assert {"toolbox", "wrench", "garage_lamp"} <= used


def test_answers_are_what_constrained_decoding_writes(household, household_examples):
    compiled = {}
    for example in household_examples[:40]:
        schema = json.dumps(goal_schema(household, max_literals=4))
        compiled.setdefault(schema, xgrammar.Grammar.from_json_schema(schema, any_whitespace=False))
        if len(example.goal) <= 4:
            assert _is_grammar_accept_string(compiled[schema], goal_answer(example.goal)), example


def test_paraphrases_are_kept_only_when_they_name_the_same_things(household):
    examples = generate(household, SyntheticConfig(size=3, seed=0))
    replies = iter(
        [
            json.dumps({"text": "Could you please " + examples[0].text[0].lower() + examples[0].text[1:]}),
            json.dumps({"text": "Bring the pizza over here"}),  # names something else: dropped
            "not json",  # garbage from the model: dropped
        ]
    )

    def generate_json(requests):
        assert all(r.messages[-1]["role"] == "user" for r in requests)
        return [GenerationResult(text=next(replies), new_tokens=5) for _ in requests]

    kept = paraphrase(household, examples, generate_json)
    assert [(k.goal, k.source) for k in kept] == [(examples[0].goal, "paraphrase")]


def test_a_configured_paraphraser_adds_its_rewordings_to_the_training_split(household, monkeypatch):
    from fleet.config import LLMConfig, PlannerTrainingConfig
    from serve_apps import llm, tuning

    class Rewords(llm.Backend):
        """Stands in for a large served model in this unit test: prefixes every request."""

        def generate_json(self, requests):
            return [GenerationResult(text=json.dumps({"text": "Please " + r.messages[-1]["content"]}), new_tokens=4) for r in requests]

    monkeypatch.setitem(llm.BACKENDS._classes, "rewords", Rewords)
    config = PlannerTrainingConfig(
        worlds=["household"], examples_per_world=20, held_out_per_world=5,
        paraphraser=LLMConfig(backend="rewords"), paraphrase_share=0.5,
    )
    train, held = tuning.split_examples(household, config, [])
    reworded = [e for e in train if e.source == "paraphrase"]
    assert len(train) == 20 + len(reworded) and 0 < len(reworded) <= 10
    assert all(e.text.startswith("Please ") for e in reworded) and all(e.source == "synthetic" for e in held)
