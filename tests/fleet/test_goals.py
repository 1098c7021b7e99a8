"""Goal literals: the syntax users type and the checks against a world's vocabulary."""

from __future__ import annotations

import pytest

from fleet.errors import GoalError
from fleet.goals import parse_goal
from fleet.literals import Literal, parse_condition, parse_literal, AnyOf


def test_literal_forms():
    assert parse_literal("in(apple, fridge)") == Literal("in", ("apple", "fridge"))
    assert parse_literal("  not open( fridge )") == Literal("open", ("fridge",), negated=True)
    assert str(parse_literal("not open(fridge)")) == "not open(fridge)"


@pytest.mark.parametrize("text", ["in(apple fridge", "In(apple, fridge)", "in(apple, Fridge)", "open fridge", "", "not(open(x))"])
def test_bad_syntax_is_rejected(text):
    with pytest.raises(GoalError, match="cannot parse"):
        parse_literal(text)


def test_conditions_nest():
    cond = parse_condition({"any": ["open(r)", {"all": ["not has_state(r, open)", "free(x)"]}]})
    assert isinstance(cond, AnyOf) and len(cond.options) == 2
    with pytest.raises(GoalError):
        parse_condition({"either": ["open(r)"]})


def test_goal_from_json_text_and_list(household):
    assert parse_goal(household, '["sliced(apple)", "not open(fridge)"]') == parse_goal(
        household, ["sliced(apple)", "not open(fridge)"]
    )
    assert parse_goal(household, "sliced(apple)") == [Literal("sliced", ("apple",))]


@pytest.mark.parametrize(
    "goal, message",
    [
        (["floating(apple)"], "unknown predicate 'floating'"),
        (["in(apple, spaceship)"], "no object named 'spaceship'"),
        (["in(kitchen, fridge)"], "'kitchen' is a place, but in expects a object"),
        (["open(apple)"], "apple has no state 'open'"),
        (["in(apple, knife)"], "'knife' is not a receptacle"),
        (["in(fridge, fridge)"], "nothing can be inside itself"),
        (["can_reach(rosie, kitchen)"], "fixed by the world"),
        (["at(apple)"], "takes 2 argument"),
        ('["sliced(apple)",', "not valid JSON"),
        ([], "non-empty list"),
    ],
)
def test_goal_errors_say_what_is_wrong(household, goal, message):
    with pytest.raises(GoalError, match=message):
        parse_goal(household, goal)
