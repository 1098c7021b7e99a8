"""The verb lexicon: which states a request's words ask for (pure, no model)."""

from __future__ import annotations

import pytest

from fleet.lexicon import asked_states, inflections, lexicon
from fleet.world import load_world
from serve_apps.vocabulary import goal_literals, mentioned_names


@pytest.mark.parametrize(
    "text, asked, not_asked",
    [
        ("Put the egg in the fridge.", set(), {("broken", False), ("cooked", False), ("open", False), ("in", True)}),
        ("Slice the apple.", {("sliced", False)}, {("broken", False)}),
        ("Chop the onion and the carrots.", {("sliced", False)}, set()),
        ("Cut the bread.", {("sliced", False)}, set()),
        ("Turn the desk lamp on.", {("switched_on", False)}, set()),
        ("Turn it off if it's on.", {("switched_on", True)}, {("switched_on", False)}),  # "if ..." says when
        ("If the microwave is running, turn it off.", {("switched_on", True)}, {("switched_on", False)}),
        ("Switch every lamp off.", {("switched_on", True)}, {("switched_on", False)}),
        ("Take the milk out of the fridge.", {("in", True)}, {("open", False)}),
        ("Put the butter, the milk and the egg on the nook table.", set(), {("in", True), ("switched_on", False)}),
        ("Close the fridge.", {("open", True)}, {("open", False)}),
        ("The fridge is still open.", {("open", True), ("open", False)}, set()),
        ("Wash the dirty mug.", {("clean", False)}, set()),
        ("Smash the vase.", {("broken", False)}, set()),
        ("Warm up the milk.", {("hot", False)}, {("cooked", False)}),
        ("Fry the egg.", {("cooked", False)}, {("broken", False)}),
    ],
)
def test_words_ask_for_states(text, asked, not_asked):
    from fleet.world import load_world

    world = load_world("galley_kitchen")
    found = asked_states(world, text)
    assert asked <= found and not (not_asked & found), sorted(found)


def test_inflections_cover_regular_and_irregular_forms():
    assert {"slices", "sliced", "slicing"} <= inflections("slice")
    assert {"chopped", "chopping"} <= inflections("chop") and {"fried", "fries"} <= inflections("fry")
    assert {"broke", "broken"} <= inflections("break")


def test_the_lexicon_comes_from_the_worlds_skills(household, warehouse):
    assert ("sliced", False) in lexicon(household)["cut"]  # the slice skill's alias
    assert ("open", True) in lexicon(household)["shut"]
    assert "toast" not in lexicon(warehouse)  # a world without the kitchen skills has no such words


def test_a_request_that_does_not_ask_for_a_state_cannot_get_one(household):
    text = "Put the apple in the fridge."
    offered = goal_literals(household, mentioned_names(household, text), asked=asked_states(household, text))
    assert "in(apple, fridge)" in offered
    assert not [lit for lit in offered if lit.startswith(("sliced", "open", "not open"))]
    every = goal_literals(household, mentioned_names(household, text))
    assert "sliced(apple)" in every  # without the lexicon the model could have said it


def test_the_verb_a_clause_starts_with_asks_for_its_states(household):
    from fleet.lexicon import verb_states

    assert verb_states(household, "Slice the apple") == {("sliced", False)}
    assert ("switched_on", True) in verb_states(household, "please turn off the lamp")
    assert verb_states(household, "Put the apple in the fridge") == frozenset()
    assert verb_states(household, "If the lamp is on, turn it off") == frozenset()  # a condition leads


def test_a_longer_phrase_wins_over_the_shorter_one_it_starts_with():
    from fleet.lexicon import verb_states

    loft = load_world("loft_living_room")
    assert asked_states(loft, "Shut the laptop down.") == {("switched_on", True)}  # switched off, not closed
    assert verb_states(loft, "shut it down") == {("switched_on", True)}
    assert asked_states(loft, "Shut the storage box and shut the laptop down.") == {("open", True), ("switched_on", True)}


def test_should_be_on_asks_for_the_state():
    assert ("switched_on", False) in asked_states(load_world("kids_bedroom"), "The desk lamp should be on.")
