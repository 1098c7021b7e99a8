"""Vocabulary schemas: only literals that exist and are well typed can be chosen."""

from __future__ import annotations

from fleet.goals import parse_goal
from serve_apps.vocabulary import goal_literals, goal_schema, mentioned_names


def test_every_literal_offered_is_a_valid_goal(household):
    literals = goal_literals(household)
    assert "sliced(apple)" in literals and "not open(fridge)" in literals and "in(apple, fridge)" in literals
    assert "open(apple)" not in literals and "in(apple, knife)" not in literals  # no such state / not a receptacle
    assert "not sliced(apple)" not in literals  # no skill un-slices
    assert "not at(apple, kitchen)" not in literals and "not in(knife, drawer)" in literals  # say where it goes instead
    parse_goal(household, literals)  # raises on any invalid one


def test_narrowing_to_mentioned_names(household):
    names = mentioned_names(household, "Slice the apple, put it in the fridge and close the fridge.")
    assert names == {"apple", "fridge"}
    assert set(goal_literals(household, names)) == {
        "sliced(apple)", "in(apple, fridge)", "not in(apple, fridge)", "open(fridge)", "not open(fridge)",
    } | {lit for lit in goal_literals(household, names) if lit.startswith("at(")}


def test_schema_falls_back_to_everything_when_nothing_is_mentioned(warehouse):
    schema = goal_schema(warehouse, set())
    assert len(schema["properties"]["goal"]["items"]["enum"]) == len(goal_literals(warehouse))
