"""A request's conditions read against the world now (no model)."""

from __future__ import annotations

from fleet.literals import parse_literal
from fleet.state import WorldState
from fleet.world import load_world
from serve_apps.conditions import condition_fact, condition_places, conditioned, unmet_conditions
from tests.serve_apps.test_planner import Scripted, goal, plan


def test_a_condition_is_read_as_one_fact_about_a_named_thing():
    galley = load_world("galley_kitchen")
    split = conditioned("Put the milk back in the fridge if it is on the nook table.")
    assert (split.request, split.condition, split.negated) == ("Put the milk back in the fridge", "it is on the nook table", False)
    assert condition_fact(galley, split.condition, split.request) == parse_literal("in(milk, nook_table)")
    assert condition_fact(galley, "the red mug is dirty", "wash it") == parse_literal("not clean(red_mug)")
    assert condition_fact(galley, "it's open", "Close the fridge") == parse_literal("open(fridge)")
    assert conditioned("Unless the fridge is open, open it").negated
    assert condition_fact(galley, "you have time", "wash the mug") is None  # not one fact: left to the words


def test_requests_whose_condition_does_not_hold_are_dropped_with_the_reason():
    galley = load_world("galley_kitchen")
    state = WorldState.initial(galley)  # the fridge is closed, the milk is in it
    kept, dropped = unmet_conditions(galley, "If the fridge is open, close it. Put the bread on the nook table.", state)
    assert kept == "Put the bread on the nook table" and "open(fridge) is not so" in dropped[0]
    opened = state.with_facts([parse_literal("open(fridge)")])
    assert unmet_conditions(galley, "If the fridge is open, close it.", opened) == ("If the fridge is open, close it.", [])
    refused = plan(galley, "Put the milk back in the fridge if it is on the nook table.", Scripted(goal("in(milk, nook_table)")))
    assert not refused.ok and refused.reason.startswith("nothing to do") and not refused.attempts


def test_where_a_condition_says_a_thing_is_is_not_where_the_goal_puts_it():
    loft = load_world("loft_living_room")  # the laptop is on the sofa
    assert condition_places(loft, "When the laptop is on the sofa, move it to the desk.") == {"sofa"}
    model = Scripted(goal("in(laptop, desk)"))
    response = plan(loft, "When the laptop is on the sofa, move it to the desk.", model)
    assert response.ok and response.goal == ["in(laptop, desk)"]
    assert not any("sofa" in lit for lit in model.requests[0].schema_["properties"]["goal"]["items"]["enum"])


def test_a_condition_about_where_a_thing_is_still_lets_the_request_take_it_out():
    kids = load_world("kids_bedroom")  # the water bottle is in the school bag
    assert condition_places(kids, "If the water bottle is in the school bag, take it out.") == set()
    model = Scripted(goal("not in(water_bottle, school_bag)"))
    response = plan(kids, "If the water bottle is in the school bag, take it out.", model)
    assert response.ok and response.goal == ["not in(water_bottle, school_bag)"]


def test_otherwise_leave_it_asks_for_nothing_more():
    loft = load_world("loft_living_room")  # the remote control is on the sofa
    model = Scripted(goal("in(remote_control, tv_stand)"))
    response = plan(loft, "If the remote is on the sofa, put it on the tv stand, otherwise leave it.", model)
    assert response.ok and response.goal == ["in(remote_control, tv_stand)"]


def test_every_condition_word_opens_a_condition_and_a_denied_one_is_read_the_other_way():
    media = load_world("media_room")  # the floor lamp is on, the reading lamp off
    state = WorldState.initial(media)
    for text in ("Provided the floor lamp is off, switch it on.", "Assuming that the floor lamp is off, switch it on.",
                 "Switch the floor lamp on as long as it is off.", "If the floor lamp isn't on, switch it on."):
        kept, dropped = unmet_conditions(media, text, state)
        assert not kept and dropped, text  # the lamp is on: nothing to do
    assert condition_fact(media, "the reading lamp is not on", "turn it on") == parse_literal("not switched_on(reading_lamp)")
    assert condition_fact(media, "the dice are not on the games table", "move them") == parse_literal("not in(dice, games_table)")
    response = plan(media, "If the floor lamp isn't off, switch it off.", Scripted(goal("not switched_on(floor_lamp)")))
    assert response.ok and response.goal == ["not switched_on(floor_lamp)"]  # it is on: the condition holds


def test_a_condition_first_does_not_make_the_answer_look_backwards():
    galley = load_world("galley_kitchen")  # the fridge is closed
    response = plan(galley, "Unless the fridge is open, put the tomato in it.", Scripted(goal("in(tomato, fridge)")))
    assert response.ok and response.goal == ["in(tomato, fridge)"]


def test_a_state_told_or_asked_about_first_is_a_condition():
    from serve_apps.conditions import told_as_condition

    assert told_as_condition("The fridge is open. Close it.") == "If the fridge is open, close it."
    assert told_as_condition("I left the microwave open, can you shut it?") == "If the microwave is open, shut it?"
    assert told_as_condition("Is the kettle on? If so, turn it off.") == "If the kettle is on, turn it off."
    assert told_as_condition("The milk was left out, bring it here.") == "The milk was left out, bring it here."  # says no where
    assert told_as_condition("The milk is mine, bring it here.") == "The milk is mine, bring it here."  # not a state word
    galley = load_world("galley_kitchen")  # the fridge is closed: nothing to do, and never open(fridge)
    refused = plan(galley, "The fridge is open. Close it.", Scripted(goal("open(fridge)")))
    assert not refused.ok and refused.reason.startswith("nothing to do") and not refused.attempts


def test_a_condition_on_a_state_the_thing_does_not_have_now_drops_the_request():
    galley = load_world("galley_kitchen")  # the egg is whole
    kept, dropped = unmet_conditions(galley, "If the egg is broken, put it in the bin.", WorldState.initial(galley))
    assert not kept and "broken(egg) is not so" in dropped[0]


def test_only_if_and_a_question_answered_no_are_conditions():
    from serve_apps.conditions import told_as_condition

    assert conditioned("Only if the fridge is open, close it.").condition == "the fridge is open"
    assert conditioned("Close the fridge, but only if it is open.").request == "Close the fridge"
    assert told_as_condition("Is the standing lamp off? If not, turn it off.") == "If the standing lamp is not off, turn it off."
    assert told_as_condition("Check whether the microwave is open and close it if so.") == "If the microwave is open, close it"
    assert told_as_condition("Check if the lamp is on and, if so, switch it off") == "If the lamp is on, switch it off"
    assert told_as_condition("See if the milk is on the counter; if it is, put it away.") == "If the milk is on the counter, put it away"
    assert told_as_condition("Check whether the milk and the butter are cold") == "Check whether the milk and the butter are cold"
    galley = load_world("galley_kitchen")  # the fridge is closed
    kept, dropped = unmet_conditions(galley, "Only if the fridge is open, close it.", WorldState.initial(galley))
    assert not kept and "open(fridge) is not so" in dropped[0]


def test_a_condition_after_and_opens_a_request_of_its_own():
    kids = load_world("kids_bedroom")  # the desk lamp is off
    kept, dropped = unmet_conditions(kids, "Put the dirty socks in the hamper, and if the desk lamp is on, switch it off.", WorldState.initial(kids))
    assert kept == "Put the dirty socks in the hamper" and "switched_on(desk_lamp) is not so" in dropped[0]


def test_otherwise_applies_when_the_condition_before_does_not():
    galley = load_world("galley_kitchen")  # the red mug is dirty
    state = WorldState.initial(galley)
    text = "If the red mug is clean, put it in the upper cupboard, otherwise wash it."
    assert unmet_conditions(galley, text, state)[0] == "wash the red mug"  # "it" spelled out: the request naming it is gone
    cleaned = state.with_facts([parse_literal("clean(red_mug)")])
    kept, dropped = unmet_conditions(galley, text, cleaned)
    assert kept == "If the red mug is clean, put it in the upper cupboard" and "otherwise wash it" in dropped[0]
    # two conditions on one thing: the second's "it" is the red mug
    kept, dropped = unmet_conditions(galley, "If the red mug is clean, put it in the upper cupboard; if it's dirty, wash it.", state)
    assert kept == "if the red mug's dirty, wash the red mug" and "clean(red_mug) is not so" in dropped[0]


def test_a_condition_tells_where_a_thing_is_only_by_a_receptacle():
    loft = load_world("loft_living_room")  # "floor" is a word of the floor lamp, which holds nothing
    assert condition_fact(loft, "the throw pillow is on the floor", "put it on the sofa") is None
    eggs = condition_fact(load_world("studio_apartment"), "the eggs are not in the mini fridge", "put them in")
    kept, dropped = unmet_conditions(load_world("studio_apartment"), "If the eggs are not in the mini fridge, put them in.", WorldState.initial(load_world("studio_apartment")))
    assert eggs == parse_literal("not in(eggs, mini_fridge)") and dropped[0].endswith("and now in(eggs, mini_fridge)")


def test_where_a_thing_is_told_to_be_is_a_condition_and_asks_for_nothing():
    from serve_apps.conditions import told_as_condition

    assert told_as_condition("The egg was left on the left counter; put it back where it belongs.") == (
        "If the egg is on the left counter, put it back where it belongs."
    )
    assert told_as_condition("I left the keys on the sofa, put them in the bowl.") == "If the keys are on the sofa, put them in the bowl."
    assert told_as_condition("The mugs are still sitting in the sink. Wash them.") == "If the mugs are in the sink, wash them."
    galley = load_world("galley_kitchen")  # the egg is in the fridge, not on the nook table
    kept, dropped = unmet_conditions(galley, told_as_condition("The egg is on the nook table. Put it in the fridge."), WorldState.initial(galley))
    assert len(dropped) == 1 and "in(egg, nook_table) is not so" in dropped[0]
    # told where it is, the request is planned from the table of homes: never the model's in(egg, left_counter)
    moved = galley.model_copy(deep=True)
    moved.objects_by_name["egg"].location = "left_counter"
    response = plan(moved, "The egg was left on the left counter; put it back where it belongs.", Scripted(goal("in(egg, left_counter)")))
    assert response.ok and response.goal == ["in(egg, fridge)"], response.reason
