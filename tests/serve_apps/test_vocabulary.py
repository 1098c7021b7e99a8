"""Vocabulary schemas: only literals that exist and are well typed can be chosen."""

from __future__ import annotations

import pytest

from fleet.goals import parse_goal
from fleet.world import load_world
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


def test_schema_offers_everything_only_to_a_request_read_without_names(warehouse):
    from fleet.errors import FleetError

    schema = goal_schema(warehouse, None)
    assert len(schema["properties"]["goal"]["items"]["enum"]) == len(goal_literals(warehouse))
    # a request whose every name was only when or where ("if the radio is on turn it off") gets no menu of everything
    with pytest.raises(FleetError, match="nothing to act on"):
        goal_schema(warehouse, set())


def test_any_and_all_come_from_the_requests_words():
    from fleet.world import load_world
    from serve_apps.vocabulary import quantifiers_in

    galley = load_world("galley_kitchen")
    assert quantifiers_in(galley, "Put the spoon in any drawer.") == {"any drawer"}
    assert quantifiers_in(galley, "Put the spoon in either drawer.") == {"any drawer"}
    assert quantifiers_in(galley, "Close every cupboard and drawer.") == {"all cabinet", "all drawer"}
    assert quantifiers_in(galley, "Close the cupboards.") == {"all cabinet"}
    assert quantifiers_in(galley, "Have a robot hold the spoon.") == {"any robot"}
    assert quantifiers_in(galley, "Put the spoon in the cutlery drawer.") == frozenset()
    assert quantifiers_in(galley, "Put all the fruit in the fridge.") == frozenset()  # no fruit in this kitchen
    city = load_world("city_kitchen")
    assert quantifiers_in(city, "Put all the fruit in the fridge.") == {"all fruit"}
    assert quantifiers_in(city, "Put the fruit in the fridge.") == {"all fruit"}  # a category names its kind
    assert quantifiers_in(city, "Put the banana in the fruit bowl.") == frozenset()  # a name, not the fruit
    assert quantifiers_in(galley, "Put the cutlery in the cutlery drawer.") == {"all cutlery"}


def test_quantified_literals_are_offered_only_when_asked_and_all_are_valid():
    from fleet.world import load_world
    from serve_apps.vocabulary import quantifiers_in

    galley = load_world("galley_kitchen")
    text = "Put the spoon in any drawer and close every cupboard."
    quantified = quantifiers_in(galley, text)
    offered = goal_schema(galley, mentioned_names(galley, text), quantified=quantified)["properties"]["goal"]["items"]["enum"]
    assert {"in(spoon, any drawer)", "not open(all cabinet)"} <= set(offered)
    assert not [lit for lit in goal_literals(galley, mentioned_names(galley, text)) if "any " in lit or "all " in lit]
    parse_goal(galley, offered)  # every one is a goal the world can state


def test_a_word_that_says_how_or_is_the_verb_names_no_part_of_a_thing():
    galley, loft, powder = load_world("galley_kitchen"), load_world("loft_living_room"), load_world("powder_room")
    assert mentioned_names(galley, "Put the milk back in the fridge.") == {"milk", "fridge"}  # not the back burner
    assert "back_burner" in mentioned_names(galley, "Put the pan on the back one.")
    assert mentioned_names(loft, "Put the wallet and keys in the desk drawer.") == {"wallet", "house_keys", "desk_drawer"}
    assert mentioned_names(powder, "Switch off the fan.") == {"extractor"}  # not the light switch
    assert mentioned_names(powder, "Flip the switch.") == {"light_switch"}


def test_a_verb_after_a_comma_names_no_thing():
    powder = load_world("powder_room")  # "switch" is a word of the light switch
    assert mentioned_names(powder, "If the extractor is running, switch it off.") == {"extractor"}
    assert mentioned_names(powder, "Press the switch") == {"light_switch"}
