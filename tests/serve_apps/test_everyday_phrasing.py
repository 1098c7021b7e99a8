"""Everyday phrasings from rooms the planner was not first written around (the dev worlds of
examples/missions/household_extra): read without the model, or with a scripted one."""

from __future__ import annotations

import asyncio

import pytest

from fleet.config import PlannerConfig
from fleet.errors import FleetError
from fleet.lexicon import verb_states
from fleet.literals import parse_literal
from fleet.state import WorldState
from fleet.world import load_world
from serve_apps.clauses import too_spelled_out
from serve_apps.goal_checks import misplaced
from serve_apps.grounding import ground
from serve_apps.planner import LanguagePlanner, PlanRequest
from serve_apps.phrasing import everything_changed, kept_as_is, scoped_quantifiers, tools_named
from serve_apps.putting_away import put_away_parts
from serve_apps.vocabulary import mentioned_names, quantifiers_in
from tests.serve_apps.test_planner import Scripted, goal, plan


@pytest.fixture(scope="module")
def office():
    return load_world("home_office")


@pytest.fixture(scope="module")
def dining():
    return load_world("dining_room")


@pytest.fixture(scope="module")
def laundry():
    return load_world("laundry_room")


def test_the_dirty_dishes_are_the_dishes_that_are_not_clean(dining):
    state = WorldState.initial(dining)
    assert "all dishes" in quantifiers_in(dining, "Put the dirty dishes in the sideboard.")
    scoped = scoped_quantifiers(dining, "Put the dirty dishes in the sideboard.", state)
    assert scoped["all dishes"] == ("dirty dishes", {"side_plate", "soup_bowl", "water_tumbler"})
    # the clean dinner plate is offered to no goal, so `all plate` cannot move it either
    model = Scripted(goal("in(side_plate, sideboard)", "in(soup_bowl, sideboard)", "in(water_tumbler, sideboard)"))
    response = plan(dining, "Put the dirty dishes in the sideboard.", model)
    assert response.ok and sorted(response.goal) == ["in(side_plate, sideboard)", "in(soup_bowl, sideboard)", "in(water_tumbler, sideboard)"]
    offered = model.requests[0].schema_["properties"]["goal"]["items"]["enum"]
    assert not [lit for lit in offered if "dinner_plate" in lit or "all plate" in lit or "all dishes" in lit]
    # none fits: said so, never all of them
    refused = plan(dining, "Put the clean glasses on the table.", Scripted(goal("in(water_tumbler, long_table)")))
    assert not refused.ok and "clean glasses" in refused.reason
    # a kind alone names something to act on
    washed = plan(dining, "Wash the dishes.", Scripted(goal("clean(all dishes)")))
    assert washed.ok and "clean(side_plate)" in washed.goal


def test_everything_a_verb_changes_is_each_thing_it_would_change(office, laundry):
    state = WorldState.initial(office)
    on_now = ["not switched_on(desk_lamp)", "not switched_on(monitor)", "not switched_on(phone)", "not switched_on(work_laptop)"]
    assert everything_changed(office, "Turn everything off.", state) == (on_now, "")
    fixed, rest = everything_changed(office, "Put the blue pen on the little table, then switch off everything on the desk.", state)
    assert fixed == ["not switched_on(desk_lamp)", "not switched_on(monitor)", "not switched_on(work_laptop)"]
    assert rest == "Put the blue pen on the little table."
    assert everything_changed(laundry, "Switch off everything that is on.", WorldState.initial(laundry))[0] == [
        "not switched_on(light_switch)", "not switched_on(radio)"
    ]
    response = plan(office, "Turn everything off.", Scripted(goal("switched_on(printer)")))  # the model is not asked
    assert response.ok and response.goal == on_now
    refused = plan(office, "Switch off everything that is off.", Scripted(goal("not switched_on(printer)")))
    assert not refused.ok and "everything that is off" in refused.reason


def test_the_on_of_a_place_is_not_the_on_of_switch_on(office):
    assert verb_states(office, "Switch off the lamp on the desk.") == {("switched_on", True)}
    assert verb_states(office, "Turn on the lamp on the desk.") == {("switched_on", False)}
    assert verb_states(office, "Shut the laptop down.") == {("switched_on", True)}
    assert verb_states(office, "Turn the lamp off.") == {("switched_on", True)}


def test_a_name_said_whole_leaves_its_words_free_elsewhere_and_a_noun_before_a_noun_only_says_which(dining, office):
    assert {"napkin", "table_runner", "long_table"} <= mentioned_names(dining, "Put the napkin and the table runner on the table.")
    assert quantifiers_in(office, "Open both desk drawers.") == {"all drawer"}
    assert "writing_desk" not in mentioned_names(office, "Open both desk drawers.")
    assert "writing_desk" in mentioned_names(office, "Put the stapler on the desk.")


def test_a_sentence_about_the_speaker_that_names_nothing_is_left_out(office):
    grounded = ground(office, "Could you switch off the monitor and the desk lamp? I'm done for the day.")
    assert grounded.unknown == [] and "done" not in grounded.text
    assert ground(office, "Turn the lights off on your way out.").unknown == []
    assert ground(office, "I'm off to the moon.").unknown == ["moon"]  # all chatter: kept, and refused for what it names
    assert "unicorn" in ground(office, "Put the pen in the drawer. I want the unicorn.").unknown  # a request after all


def test_what_a_state_is_made_with_or_at_is_no_goal_of_its_own(dining, laundry):
    assert tools_named(dining, "Slice the baguette with the silver knife.") == {"silver_knife"}
    assert tools_named(laundry, "Fill the bucket at the sink.") == {"utility_sink"}
    assert tools_named(dining, "Put the silver knife with the fork.") == set()  # moving: the words say where
    assert tools_named(dining, "Look at the flower vase.") == set()  # the thing looked at
    response = plan(laundry, "Fill the bucket at the sink.", Scripted(goal("filled(bucket)")))
    assert response.ok and response.goal == ["filled(bucket)"]


def test_add_and_put_it_in_go_where_the_words_before_put_or_opened(laundry):
    assert "add the detergent to the washing machine" in ground(laundry, "Load the shirt into the washer, add the detergent, and turn it on.").text
    assert "put it in the washing machine" in ground(laundry, "Open the washing machine, take the shirt out of the basket and put it in.").text
    literals = [parse_literal("in(detergent, washing_machine)")]
    assert misplaced(laundry, "Load the shirt into the washing machine, add the detergent to the washing machine", literals) == []
    assert misplaced(laundry, "Put the washing machine in the detergent", literals) == ["in(detergent, washing_machine)"]


def test_one_more_thing_with_too_shares_the_verb_and_the_place():
    assert too_spelled_out("Put the pear in the bin, and the banana as well.") == "Put the pear and the banana in the bin."
    assert too_spelled_out("Move the water from the trolley to the table, and the wine too.") == "Move the water and the wine from the trolley to the table."
    assert too_spelled_out("Put the mug in the sink and wash it too.") == "Put the mug in the sink and wash it too."


def test_leave_it_on_but_switch_the_other_off_keeps_the_first_on(office):
    assert kept_as_is(office, "Leave the desk lamp on but switch off the monitor.") == (["switched_on(desk_lamp)"], "switch off the monitor.")


def test_clearing_a_table_takes_off_what_has_no_home_too(dining):
    fixed, rest = put_away_parts(dining, "Clear the long table.", WorldState.initial(dining))
    assert "not in(tall_candle, long_table)" in fixed and "in(dessert_spoon, cutlery_drawer)" in fixed and not rest.strip(" .")
    tidied, _ = put_away_parts(dining, "Tidy the long table.", WorldState.initial(dining))
    assert "not in(tall_candle, long_table)" not in tidied  # tidying leaves what has no home alone


def test_a_type_alias_whose_word_only_says_which_thing_elsewhere_still_names_its_thing():
    bathroom = load_world("bathroom_suite")  # bath_rack, bath_mat, bath_end: "bath" only says which
    assert bathroom.spoken_aliases["bath"] == "bathtub"
    assert ground(bathroom, "Leave the face cloth on the edge of the bath.").text == "Leave the face cloth on the bathtub."
    dining = load_world("dining_room")  # "table" is what long_table is: no type alias takes it
    assert "table" not in dining.spoken_aliases
    studio = load_world("studio_apartment")  # "shoe" is the sneakers' alias, and the first word of shoe_rack
    assert {"shoe_rack", "keys"} <= ground(studio, "Put the keys on the shoe rack.").names


def test_a_thing_of_the_words_type_comes_before_a_name_that_only_borrows_the_word():
    cottage = load_world("cottage_kitchen")  # a loaf of type bread, and a bread_knife
    assert mentioned_names(cottage, "Toast the bread.") == {"loaf"}
    assert tools_named(cottage, "Fry the eggs in the frying pan.") == {"frying_pan"}  # a pan that holds nothing
    assert tools_named(load_world("loft_living_room"), "Turn on the floor lamp.") == set()  # "on" of turn on
    studio = load_world("studio_apartment")  # "the lamp": standing_lamp by its name, not night_light by its type
    assert "night_light" not in mentioned_names(studio, "Turn off the lamp.")
    galley = load_world("galley_kitchen")  # "the counter": the two counters, not the place of kind counter by the sink
    found = mentioned_names(galley, "Move the egg from the fridge to the counter by the sink.")
    assert {"left_counter", "right_counter"} <= found and "sink_side" not in found


def test_a_plural_type_said_of_several_things_names_them_all_and_a_reason_after_a_comma_is_no_request():
    teen = load_world("teen_bedroom")
    assert quantifiers_in(teen, "Put the dirty clothes in the laundry bag.") == {"all clothes"}
    scoped = scoped_quantifiers(teen, "Put the dirty clothes in the laundry bag.", WorldState.initial(teen))
    assert scoped["all clothes"][1] == {"hoodie", "socks"}  # not the clean school shirt, nor the trainers (clean)
    assert ground(teen, "Close the window, it's freezing.").text == "Close the window."
    assert ground(teen, "Put the hoodie in the laundry bag, it's on the bed.").text.endswith("it's on the bed.")


def test_a_plural_inside_a_name_said_whole_names_no_kind_and_a_lid_is_its_thing():
    teen = load_world("teen_bedroom")  # a chest_of_drawers and a desk_drawer
    assert mentioned_names(teen, "Open the chest of drawers and put the socks in it.") == {"chest_of_drawers", "socks"}
    assert ground(teen, "Shut the laptop lid.").text == "Shut the laptop."


def test_is_off_asks_for_switched_off_and_a_part_answer_that_holds_already_is_completed(office):
    from fleet.lexicon import asked_states

    assert asked_states(office, "Make sure the monitor is off.") == {("switched_on", True)}
    assert ("in", True) in asked_states(office, "Take the apple off the desk.")
    model = Scripted(goal("not open(top_drawer)"), goal("not switched_on(monitor)"))
    response = plan(office, "Make sure the top drawer is closed, the monitor off.", model)
    assert response.ok and response.goal == ["not open(top_drawer)", "not switched_on(monitor)"]
    assert "leaves out monitor" in response.attempts[0].error  # not refused as done already
    said_whole = plan(office, "Make sure the top drawer is closed and the monitor is off.", Scripted())
    assert said_whole.ok and said_whole.goal == ["not open(top_drawer)", "not switched_on(monitor)"]  # from the words alone


def test_a_fresh_one_is_one_of_the_kind_said_before_as_the_adjective_says():
    from serve_apps.clauses import ones_spelled_out

    bathroom = load_world("bathroom_suite")
    said = "Put the used towel in the hamper and hang a fresh one on the towel rail."
    assert ones_spelled_out(bathroom, said) == "Put the used towel in the hamper and hang the fresh towel on the towel rail."
    model = Scripted(goal("in(used_towel, laundry_hamper)"), goal("in(big_towel, towel_rail)"))
    response = plan(bathroom, said, model)
    assert response.ok and response.goal == ["in(used_towel, laundry_hamper)", "in(big_towel, towel_rail)"]
    galley = load_world("galley_kitchen")  # "the green one" is the green mug, whose name says so
    assert ones_spelled_out(galley, "Put the red mug in the sink and the green one in the cupboard.").endswith("the green mug in the cupboard.")


def test_put_the_lamp_on_switches_it_on(office):
    from serve_apps.clauses import put_on_spelled_out

    assert put_on_spelled_out(office, "Put both lamps on.") == "Switch both lamps on."
    assert put_on_spelled_out(office, "Put the monitor on and the desk lamp off.") == "Switch the monitor on and the desk lamp off."
    assert put_on_spelled_out(office, "Put the blanket on.") == "Put the blanket on."  # a blanket does not switch
    assert put_on_spelled_out(office, "Put the phone on the desk.") == "Put the phone on the desk."


def test_kitchen_chains_the_appliance_is_a_tool_toast_is_made_and_everything_moves():
    from serve_apps.clauses import made_spelled_out
    from serve_apps.phrasing import emptied

    cottage = load_world("cottage_kitchen")
    said = "Heat the milk in the microwave and then put it on the kitchen table."
    assert tools_named(cottage, said) == {"microwave"}  # the milk ends on the table, not in the microwave
    response = plan(cottage, said, Scripted(goal("hot(milk)"), goal("in(milk, kitchen_table)")))
    assert response.ok and response.goal == ["hot(milk)", "in(milk, kitchen_table)"]
    assert tools_named(cottage, "Boil some water in the soup pot on the range.") == {"range_cooker"}
    assert tools_named(cottage, "Put the loaf in the toaster and toast it.") == set()  # put there, then toasted
    assert made_spelled_out(cottage, "Make some toast and put it on the dinner plate.") == "Toast the loaf and put it on the dinner plate."
    fixed, rest = emptied(cottage, "Put everything from the kitchen table in the dishwasher.", WorldState.initial(cottage))
    assert fixed == ["in(blue_mug, dishwasher)", "in(milk, dishwasher)", "in(porridge_bowl, dishwasher)", "in(teaspoon, dishwasher)"]


def test_a_thing_named_only_in_a_condition_is_asked_nothing():
    from serve_apps.planner import _only_in_conditions

    cottage = load_world("cottage_kitchen")
    assert _only_in_conditions(cottage, "When the kettle is boiling, switch off the radio.") == {"kettle"}
    assert _only_in_conditions(cottage, "If the milk is on the table, put it in the fridge.") == set()  # "it" is the milk
    boiling = sorted(WorldState.initial(cottage).facts | {("filled", "kettle"), ("boiling", "kettle")})
    planner = LanguagePlanner(PlannerConfig(), Scripted(goal("not switched_on(radio)")))
    response = asyncio.run(planner.plan(PlanRequest(text="When the kettle is boiling, switch off the radio.", world=cottage, facts=boiling)))
    assert response.ok and response.goal == ["not switched_on(radio)"]


@pytest.fixture(scope="module")
def flat():
    return load_world("flat_kitchen")


def test_a_room_and_the_surface_in_it_that_share_a_word_mean_the_surface_for_things(flat):
    from serve_apps.vocabulary import goal_literals

    assert mentioned_names(flat, "Put the biscuit tin on the bar.") == {"biscuit_tin", "bar_top"}
    assert mentioned_names(flat, "Send rue to the bar.") == {"rue", "breakfast_bar", "bar_top"}  # a robot goes to rooms
    offered = goal_literals(flat, {"rue", "biscuit_tin", "breakfast_bar", "bar_top"})
    assert "in(biscuit_tin, bar_top)" in offered and "robot_at(rue, breakfast_bar)" in offered
    assert "at(biscuit_tin, breakfast_bar)" not in offered  # not set down on the floor of the room
    assert "at(biscuit_tin, breakfast_bar)" in goal_literals(flat, {"biscuit_tin", "breakfast_bar"})


def test_with_the_fruit_still_in_it_is_the_fruit_in_the_bowl_now(flat):
    from serve_apps.phrasing import carried_contents

    state = WorldState.initial(flat)
    said = "Carry the fruit bowl to the worktop with the fruit still in it."
    assert carried_contents(flat, said, state) == (["in(apple, fruit_bowl)", "in(banana, fruit_bowl)"], "Carry the fruit bowl to the worktop.")
    assert carried_contents(flat, "Put the lunchbox in the fridge with everything in it.", state)[0] == ["in(sandwich, lunchbox)"]
    assert carried_contents(flat, said)[0] == []  # no state: left to the model


def test_an_answer_that_leaves_a_thing_where_the_words_take_it_from_is_sent_back(flat):
    from serve_apps.goal_checks import left_where_it_is

    state = WorldState.initial(flat)
    said = "If the frying pan is still on the hob, take it off and wash it."
    wrong = [parse_literal("in(frying_pan, hob)"), parse_literal("clean(frying_pan)")]
    assert left_where_it_is(flat, said, wrong, state) == ["in(frying_pan, hob)"]
    right = [parse_literal("not in(frying_pan, hob)"), parse_literal("clean(frying_pan)")]
    assert left_where_it_is(flat, said, right, state) == []
    # a place said as where it goes is no taking away
    assert left_where_it_is(flat, "Wash the frying pan and leave it on the hob.", wrong, state) == []


def test_a_receptacle_named_for_the_kind_of_thing_moved_is_the_one_meant(flat):
    from serve_apps.phrasing import narrowed

    state = WorldState.initial(flat)
    said = "Rinse the fork and put it in the drawer."
    assert narrowed(flat, said, mentioned_names(flat, said), state) == {"fork", "cutlery_drawer"}
    said = "Put the peas in the drawer."  # not the drawer whose name says it is for cutlery
    assert narrowed(flat, said, mentioned_names(flat, said), state) == {"frozen_peas", "freezer_drawer"}
    said = "Open the drawer."  # nothing moves: nothing says which, both stay for the model
    assert narrowed(flat, said, mentioned_names(flat, said), state) == {"cutlery_drawer", "freezer_drawer"}


def test_how_a_thing_has_become_is_a_condition_and_counting_words_are_everyday(flat):
    from serve_apps.conditions import told_as_condition

    assert told_as_condition("The milk has gone warm on the bar, pop it in the fridge.") == "If the milk is warm on the bar, pop it in the fridge."
    assert told_as_condition("Both cupboards are open. Close them.") == "If both cupboards are open, close them."
    assert told_as_condition("The kettle's full, just boil it.") == "If the kettle is full, just boil it."
    assert told_as_condition("The milk was left out, bring it here.") == "The milk was left out, bring it here."  # not a state word
    assert ground(flat, "The dishcloth is filthy, give it a wash.").unknown == []  # a word of the shared state table
    assert ground(flat, "Put a couple of biscuits on the side plate.").unknown == []
    assert ground(flat, "Put a couple of unicorns on the side plate.").unknown == ["unicorns"]


def test_what_is_wanted_where_and_what_is_done_first_are_requests(flat):
    from serve_apps.clauses import done_first_spelled_out, wanted_spelled_out

    assert wanted_spelled_out("I need the wine bottle in the fridge and the ice cream in the freezer.") == (
        "Put the wine bottle in the fridge and the ice cream in the freezer."
    )
    assert wanted_spelled_out("I need the milk.") == "I need the milk."  # says no where: left as it is
    assert wanted_spelled_out("I want you to put the milk in the fridge.") == "I want you to put the milk in the fridge."
    assert done_first_spelled_out(flat, "When you've boiled the kettle, put the black mug on the tray.") == (
        "Boil the kettle, then put the black mug on the tray."
    )
    assert done_first_spelled_out(flat, "When the kettle has boiled, put the mug on the tray.") == "When the kettle has boiled, put the mug on the tray."
    assert done_first_spelled_out(flat, "When you've finished, switch off the radio.") == "When you've finished, switch off the radio."


def test_a_thing_called_by_a_plural_is_that_thing_and_the_dirty_things_on_a_surface_are_those(flat):
    state = WorldState.initial(flat)
    assert quantifiers_in(flat, "Fry the eggs.") == frozenset()  # the one thing called eggs
    scoped = scoped_quantifiers(flat, "Clear the dirty things off the bar and put them in the sink.", state)
    assert scoped["everything"] == ("bar_top", {"yellow_mug", "side_plate"})
    none = scoped_quantifiers(flat, "Put the dirty things from the tray in the sink.", state)  # nothing on the tray
    assert none["everything"][1] == set()


def test_conditions_with_if_not_a_shared_verb_a_place_not_yet_reached_and_a_purpose():
    from serve_apps.conditions import condition_places, unmet_conditions

    galley, teen = load_world("galley_kitchen"), load_world("teen_bedroom")
    said = "If the back burner is on, turn it off; if not, put the saucepan on it."  # it is off
    kept, dropped = unmet_conditions(galley, said, WorldState.initial(galley))
    assert kept == "put the saucepan on the back burner" and len(dropped) == 1
    said = "If the socks are clean, put them in the chest of drawers, otherwise in the laundry bag."  # they are dirty
    assert unmet_conditions(teen, said, WorldState.initial(teen))[0] == "put the socks in the laundry bag"
    # "if not" with more after it is a condition of its own, not "otherwise"
    assert unmet_conditions(galley, "If it isn't dirty, put the red mug away.", WorldState.initial(galley))[0] == ""
    # a place a condition says the thing is not in yet is where it goes; one it is in only says when
    assert condition_places(teen, "If the maths book isn't in the school bag yet, pack it.") == set()
    assert condition_places(teen, "If the maths book is on the bed, pack it in the school bag.") == {"bed"}
    assert condition_places(load_world("nursery"), "If the soft ball is under the cot, put it in the toy box.") == {"cot"}
    assert ground(galley, "If the bread hasn't been toasted, toast it.").unknown == []
    cottage = load_world("cottage_kitchen")
    assert ground(cottage, "Get the butter out of the fridge so it softens.").text == "Get the butter out of the fridge."
    assert ground(cottage, "Get the butter out of the fridge so it goes on the worktop.").text.endswith("worktop.")  # names a thing: kept


def test_the_other_light_and_a_clause_that_undoes_an_earlier_one(flat):
    from serve_apps.goal_checks import against_verbs

    nursery = load_world("nursery")
    said = "If the night light is off, switch it on and turn off the big light."
    asked = [parse_literal("switched_on(night_light)"), parse_literal("not switched_on(ceiling_light)")]
    assert against_verbs(nursery, said, asked) == []  # "the big light" is not the night light named whole before
    assert against_verbs(nursery, "Switch on the night light.", [parse_literal("not switched_on(night_light)")]) == ["not switched_on(night_light)"]
    # "shut it again" undoes "open the oven": closing it is what is asked
    assert against_verbs(flat, "Open the oven, take out the baking tray and shut it again.", [parse_literal("not open(oven)")]) == []


def test_the_dirty_things_off_a_surface_go_where_the_next_words_say(flat):
    from serve_apps.phrasing import emptied

    state = WorldState.initial(flat)
    fixed, rest = emptied(flat, "Clear the dirty things off the bar top and put them in the sink.", state)
    assert fixed == ["in(side_plate, sink)", "in(yellow_mug, sink)"] and rest.strip(" .") == ""
    assert emptied(flat, "Take the dirty things off the bar top.", state)[0] == ["not in(side_plate, bar_top)", "not in(yellow_mug, bar_top)"]
    # put away: only the dirty ones go home, never the radio or the lunchbox
    assert put_away_parts(flat, "Clear the dirty things off the bar top.", state)[0] == ["in(side_plate, wall_cupboard)", "in(yellow_mug, wall_cupboard)"]  # where the other plates and mugs are
    assert put_away_parts(flat, "Clear the bar top and put them in the sink.", state)[0] == []  # the next words say where


def test_load_the_dishwasher_with_the_dirty_things_and_start_it():
    from serve_apps.phrasing import emptied

    cottage = load_world("cottage_kitchen")
    state = WorldState.initial(cottage)
    fixed, rest = emptied(cottage, "Load the dishwasher with the dirty things from the table and start it.", state)
    assert fixed == ["in(blue_mug, dishwasher)", "in(porridge_bowl, dishwasher)", "in(teaspoon, dishwasher)"]  # not the milk
    assert rest == "start the dishwasher."  # "it" is the dishwasher the words left out
    assert emptied(cottage, "Take everything out of the bread bin and close it.", state) == (["not in(loaf, bread_bin)"], "close the bread bin.")
    # a clause that names a thing of its own keeps its "it": the tea towel is folded, not the dishwasher
    said = "Put everything from the kitchen table in the dishwasher, then take the tea towel and fold it."
    assert emptied(cottage, said, state)[1] == "take the tea towel and fold it."


def test_in_it_after_a_condition_on_a_container_is_that_container_and_back_burner_says_no_put_back():
    from serve_apps.clauses import request_groups
    from serve_apps.conditions import told_as_condition, unmet_conditions
    from serve_apps.phrasing import carried_contents
    from serve_apps.putting_away import asks_to_put_away

    cottage, galley = load_world("cottage_kitchen"), load_world("galley_kitchen")
    opened = WorldState(cottage, sorted(WorldState.initial(cottage).facts | {("open", "dishwasher")}))
    said = "If the dishwasher is open, put the blue mug in it."
    assert unmet_conditions(cottage, said, opened)[0] == "If the dishwasher is open, put the blue mug in the dishwasher."
    said = "If the dishwasher is open, put the blue mug and the porridge bowl in the dishwasher."
    assert request_groups(cottage, said) == [["If the dishwasher is open, put the blue mug in the dishwasher", "put the porridge bowl in the dishwasher"]]
    # "if the mug is dirty, put it in the dishwasher": "it" is the mug, moved; nothing to spell out
    assert unmet_conditions(cottage, "If the blue mug is dirty, put it in the dishwasher.", opened)[0] == "If the blue mug is dirty, put it in the dishwasher."
    assert not asks_to_put_away(galley, "put it on the back burner") and asks_to_put_away(galley, "put the milk back")
    assert told_as_condition("The milk's been left on the nook table. Put it back.") == "If the milk is on the nook table, put it back."
    with_spoon = WorldState(galley, sorted(WorldState.initial(galley).facts - {("in", "spoon", "nook_table")} | {("in", "spoon", "cereal_bowl")}))
    assert carried_contents(galley, "Move the cereal bowl onto the nook table, keeping the spoon in it.", with_spoon)[0] == ["in(spoon, cereal_bowl)"]


def _plan_with(world, facts: set, text: str, model: Scripted):
    """Plan in the world's first state with some facts added (a light left on, a door open)."""
    state = WorldState.initial(world)
    planner = LanguagePlanner(PlannerConfig(), model)
    return asyncio.run(planner.plan(PlanRequest(text=text, world=world, facts=sorted(state.facts | facts))))


@pytest.fixture(scope="module")
def shared():
    return load_world("shared_kitchen")


@pytest.fixture(scope="module")
def attic():
    return load_world("attic_bedroom")


@pytest.fixture(scope="module")
def snug():
    return load_world("snug")


def test_each_thing_gets_every_state_its_clause_asks_for(shared, attic):
    from serve_apps.goal_checks import states_not_given

    on_and_open = {("switched_on", "oven"), ("open", "oven")}
    model = Scripted(goal("not open(oven)"), goal("not switched_on(oven)"))
    response = _plan_with(shared, on_and_open, "Make sure the oven is off and properly closed.", model)
    assert response.ok and set(response.goal) == {"not open(oven)", "not switched_on(oven)"}
    assert "switched on of the oven" in response.attempts[0].error
    assert model.requests[1].schema_["properties"]["goal"]["items"]["enum"] == ["not switched_on(oven)"]  # only the state left out
    both = "If the teaspoon and the cereal bowl are dirty, wash them both."
    assert states_not_given(shared, both, [parse_literal("clean(teaspoon)")], {"teaspoon", "cereal_bowl"}) == {"cereal_bowl": {"clean"}}
    # where a thing goes or comes from is asked nothing, and a sentence that only tells asks nothing
    assert states_not_given(attic, "Take the hairdryer off the dressing table.", [parse_literal("not in(hairdryer, dressing_table)")], {"hairdryer", "dressing_table"}) == {}
    told = "The jeans and the socks are dirty, into the laundry basket with them."
    assert states_not_given(attic, told, [parse_literal("in(jeans, laundry_basket)"), parse_literal("in(socks, laundry_basket)")], {"jeans", "socks"}) == {}
    assert states_not_given(attic, "Switch off the bedside lamp and the reading lamp.", [parse_literal("not switched_on(bedside_lamp)")], {"bedside_lamp", "reading_lamp"}) == {"reading_lamp": {"switched_on"}}


def test_make_sure_says_the_state_outright_and_isnt_asks_the_opposite(shared):
    on_and_open = {("switched_on", "oven"), ("open", "oven")}
    said = [
        ("Make sure the oven is off and closed.", {"not switched_on(oven)", "not open(oven)"}),
        ("Make sure the oven isn't left on, then wash the frying pan.", {"not switched_on(oven)", "clean(frying_pan)"}),
        ("Make sure the oven is off and the fridge is open.", {"not switched_on(oven)", "open(fridge)"}),
        ("Check that the oven is not open.", {"not open(oven)"}),
        ("I'd like the oven off and the fridge open.", {"not switched_on(oven)", "open(fridge)"}),
        ("The oven shouldn't be left on.", {"not switched_on(oven)"}),
    ]
    for text, expected in said:
        model = Scripted(goal("clean(frying_pan)"))
        response = _plan_with(shared, on_and_open, text, model)
        assert response.ok and set(response.goal) == expected, text
        assert len(model.requests) == ("frying pan" in text), text  # only what the words leave open goes to the model
    # the words of a thing stop at a preposition: the milk still goes in the fridge
    assert kept_as_is(shared, "Put the oat milk in the fridge and the oven should be off.") == (["not switched_on(oven)"], "Put the oat milk in the fridge.")
    # what holds already is nothing to do, never its opposite
    done = _plan_with(shared, set(), "Make sure the oven isn't left on.", Scripted(goal("switched_on(oven)")))
    assert not done.ok and "not switched_on(oven) already holds" in done.reason


def test_a_thing_named_only_in_a_condition_is_never_on_the_menu(shared):
    model = Scripted(goal("not switched_on(radio)"))
    response = _plan_with(shared, {("switched_on", "extractor_fan")}, "Turn off the extractor fan when the radio is on.", model)
    offered = model.requests[0].schema_["properties"]["goal"]["items"]["enum"]
    assert offered == ["not switched_on(extractor_fan)"] and not response.ok  # the radio answer is not even sayable
    right = _plan_with(shared, {("switched_on", "extractor_fan")}, "Turn off the extractor fan when the radio is on.", Scripted(goal("not switched_on(extractor_fan)")))
    assert right.ok and right.goal == ["not switched_on(extractor_fan)"]


def test_possessives_polite_can_lids_and_lighting_are_read_as_people_mean_them(shared, snug):
    assert ground(shared, "Wash Tom's mug and Priya’s mug.").names == {"toms_mug", "priyas_mug"}
    assert "cows_milk" in ground(shared, "Put the cow's milk in the fridge.").names
    # "can you" asks; it is not one of the two tins called a can
    assert ground(shared, "Can you wash the frying pan?").names == {"frying_pan"}
    assert "close it" in ground(shared, "If the peanut butter's open, put the lid on it.").text
    assert "open the pasta jar" in ground(shared, "Take the lid off the pasta jar.").text
    assert ground(snug, "Light the candle and blow out the fairy lights.").text == "Switch on the candle and switch off the fairy lights."
    assert "put the tartan throw" in ground(snug, "Put the tartan throw on the sofa.").text.lower()
    assert ground(snug, "If the candle is lit, blow it out.").text == "If the candle is lit, switch it off."
    assert ground(snug, "Turn off the floor lamp the kids left on.").text == "Turn off the floor lamp the kids left on."


def test_pronouns_reach_the_thing_the_words_mean(shared, snug):
    from serve_apps.phrasing import reaches_back_to

    taken = ["Get the pasta jar out of the larder"]
    assert reaches_back_to(shared, "open it", taken, {"pasta_jar", "larder"}) == {"pasta_jar"}  # the larder is open by then
    # only the fridge can be closed
    assert reaches_back_to(shared, "close it", ["Take the oat milk out of the fridge"], {"oat_milk", "fridge"}) == {"fridge"}
    before = ["Open the games cupboard", "take out the scrabble"]
    assert reaches_back_to(snug, "close it again", ["take out the scrabble"], {"scrabble", "games_cupboard"}, before) == {"games_cupboard"}
    from serve_apps.clauses import pieces_spelled_out

    said = "If there's shortbread in the tin, put a piece on the coffee table."
    assert pieces_spelled_out(snug, said) == "If there's shortbread in the tin, put the shortbread on the coffee table."
    assert pieces_spelled_out(snug, "Put a piece on the coffee table.") == "Put a piece on the coffee table."  # the jigsaw piece


def test_where_words_say_where_and_a_told_place_is_no_ban(shared, attic, snug):
    from serve_apps.phrasing import came_from, left_alone, narrowed, tools_named

    said = "Grab the peas from the freezer and put them on the worktop, and close the freezer after."
    assert came_from(shared, said) == set()  # a clause of its own closes the freezer
    assert came_from(shared, "Grab the peas from the freezer and put them on the worktop.") == {"freezer"}
    alone = left_alone(shared, "Don't leave the kettle on the hob, put it back on the worktop.")
    assert alone.untouched == set() and alone.text.startswith("take the kettle off the hob")
    assert left_alone(shared, "Don't touch the kettle, put the radio on the worktop.").untouched == {"kettle"}
    # "next to the alarm clock": the bedside table it stands on; and that is where it goes
    state = WorldState.initial(attic)
    names = {"paperback", "left_bedside_table", "right_bedside_table", "alarm_clock"}
    assert "left_bedside_table" not in narrowed(attic, "Put the paperback on the bedside table next to the alarm clock.", names, state)
    charger = "Get the phone charger out of the bedside drawer and put it next to the alarm clock."
    assert misplaced(attic, charger, [parse_literal("in(phone_charger, right_bedside_table)")]) == []
    assert misplaced(attic, charger, [parse_literal("in(phone_charger, bedside_drawer)")]) == ["in(phone_charger, bedside_drawer)"]
    # the "on" of "switch on" says how, so the candle is what changes, not a tool
    assert tools_named(snug, "switch on the candle on the mantelpiece") == set()
    assert verb_states(attic, "Lay the pyjamas out on the armchair") == frozenset()
    from fleet.lexicon import asked_states

    assert ("in", True) not in asked_states(attic, "Lay the pyjamas out on the armchair")
    assert ("in", True) in asked_states(attic, "Take the pyjamas out of the wardrobe")


def test_clothes_and_shoes_are_kinds_and_a_dash_is_a_comma(attic):
    assert set(attic.matching("object", "clothes")) >= {"jeans", "socks", "pyjamas", "swimsuit"}
    assert set(attic.matching("object", "shoes")) == {"slippers", "walking_boots"}
    model = Scripted(goal("in(jeans, laundry_basket)", "in(socks, laundry_basket)"))
    response = plan(attic, "Put the dirty clothes in the basket.", model)
    assert response.ok and sorted(response.goal) == ["in(jeans, laundry_basket)", "in(socks, laundry_basket)"]
    offered = model.requests[0].schema_["properties"]["goal"]["items"]["enum"]
    assert not [lit for lit in offered if "pyjamas" in lit or "clean(" in lit]  # the clean pyjamas stay; nothing is washed
    told = plan(attic, "The jeans and the socks are dirty - into the laundry basket with them.", Scripted(goal("in(jeans, laundry_basket)", "in(socks, laundry_basket)")))
    assert told.ok and not [lit for lit in told.goal if lit.startswith("clean")]


def test_a_state_read_from_the_words_is_not_against_the_verbs(attic):
    said = "The electric blanket is on. Leave it on but turn off the bedside lamp."
    response = _plan_with(attic, {("switched_on", "electric_blanket")}, said, Scripted(goal("not switched_on(bedside_lamp)")))
    assert response.ok and set(response.goal) == {"switched_on(electric_blanket)", "not switched_on(bedside_lamp)"}


def test_a_later_clause_undoes_only_what_it_speaks_of(snug):
    from serve_apps.goal_checks import states_left_out

    lamp_off = [parse_literal("not switched_on(floor_lamp)")]
    said = "switch on the candle on the mantelpiece and turn the big lamp off."
    assert states_left_out(snug, said, lamp_off) == ["switch on the candle on the mantelpiece"]
    again = "Open the games cupboard, take out the scrabble and close it again."
    assert states_left_out(snug, again, [parse_literal("not in(scrabble, games_cupboard)"), parse_literal("not open(games_cupboard)")]) == []


def test_a_word_said_apart_from_a_name_is_its_own_thing_and_on_a_room_is_its_surface():
    island = load_world("island_kitchen")
    # "the knife ... the block": a knife and a block, not the knife_block twice
    assert mentioned_names(island, "put the knife back in the block") == {"chefs_knife", "knife_block"}
    assert mentioned_names(island, "put the knife in the knife block") == {"chefs_knife", "knife_block"}
    # "on the island" is the island top in the island room, and so is "to the island"; a robot goes to the room
    assert mentioned_names(island, "Put the wine glasses on the island.") == {"wine_glasses", "island_top"}
    assert mentioned_names(island, "Take the bananas to the island.") == {"bananas", "island_top"}
    assert mentioned_names(island, "Send sable to the island.") == {"sable", "island"}
    # "shut the fridge" after "open the wine fridge" is the wine fridge; a place things go to is not
    from serve_apps.phrasing import pointed_back

    fridges = {"tall_fridge", "wine_fridge"}
    opened = ["Open the wine fridge", "take out the red wine"]
    assert pointed_back(island, "shut the fridge", fridges, set(), opened) == {"tall_fridge"}
    assert pointed_back(island, "put the butter in the fridge", fridges, set(), opened) == set()
    assert pointed_back(island, "open the fridge", fridges, set(), opened) == set()  # nothing undone


def test_a_clause_is_never_dropped_for_want_of_what_its_pronoun_means():
    island, galley, teen = load_world("island_kitchen"), load_world("galley_kitchen"), load_world("teen_bedroom")
    said = "Put the wine glasses on the island, and if the red wine is in the wine fridge, bring that too."
    model = Scripted(goal("in(wine_glasses, island_top)"), goal("in(red_wine, island_top)"))
    response = plan(island, said, model)
    asked = [r.schema_["properties"]["goal"]["items"]["enum"] for r in model.requests]
    assert any("in(red_wine, island_top)" in enum for enum in asked)  # "that" is the red wine, still on the menu
    assert response.ok and set(response.goal) == {"in(wine_glasses, island_top)", "in(red_wine, island_top)"}
    # "turn it on first" where the other branch's condition is false: the order is not said whole
    refused = plan(galley, "If the back burner is on, put the saucepan on it; if it's off, turn it on first.", Scripted(goal("switched_on(back_burner)")))
    assert not refused.ok and "comes first" in refused.reason
    # "close the lid" after naming the laptop: its lid
    assert ground(teen, "If the laptop's still on, shut it down and close the lid.").text.endswith("close the games laptop.")


@pytest.fixture(scope="module")
def condo():
    return load_world("condo_kitchen")


@pytest.fixture(scope="module")
def den():
    return load_world("family_den")


@pytest.fixture(scope="module")
def dorm():
    return load_world("dorm_room")


def test_american_kitchen_words_name_the_things_meant(condo):
    from fleet.lexicon import asked_states
    from serve_apps.clauses import made_spelled_out

    # "the fridge" where the refrigerator and the freezer are both fridges: the one called so
    assert mentioned_names(condo, "Put the milk in the fridge.") == {"milk", "refrigerator"}
    assert mentioned_names(condo, "Put the milk in the freezer.") == {"milk", "freezer"}
    # "back on the front burner": the burner said whole is the front one, no back burner
    assert mentioned_names(condo, "Wash the skillet and put it back on the front burner.") == {"skillet", "front_burner"}
    assert "back_burner" in mentioned_names(condo, "Put the skillet on the back burner.")
    # "run the dishwasher", "flip on the fan" switch on
    assert asked_states(condo, "Run the dishwasher.") == {("switched_on", False)}
    # "make me a coffee" wherever a clause asks it, not only first
    said = "If the coffee mug is dirty, rinse it out and make me a coffee."
    assert made_spelled_out(condo, said) == "If the coffee mug is dirty, rinse it out and switch on the coffee maker."
    assert made_spelled_out(condo, "Could you make me a coffee?") == "Switch on the coffee maker."
    assert made_spelled_out(condo, "Make sure the oven is off.") == "Make sure the oven is off."
    # the place a condition names ends at "and": the worktop is still where the milk goes
    taken = "Take the milk out of the refrigerator if it's in there and put it on the countertop."
    assert misplaced(condo, taken, [parse_literal("in(milk, countertop)")]) == []
    assert misplaced(condo, "Take the milk out of the refrigerator.", [parse_literal("in(milk, refrigerator)")]) != []


def test_my_desk_is_named_by_its_last_word_and_a_verb_carries_over_then(dorm, den):
    from serve_apps.clauses import request_groups

    # the "my" of my_desk said before the notebook does not put the desk first
    said = "Grab my notebook out of my backpack and put it on my desk."
    assert misplaced(dorm, said, [parse_literal("in(notebook, my_desk)")]) == []
    assert misplaced(dorm, "Put my desk in my notebook.", [parse_literal("in(notebook, my_desk)")]) != []
    # "turn the TV off, then the lamp, then the fan on": each with the verb, the lamp off too
    groups = request_groups(den, "Turn the TV off, then the lamp, then the fan on.")
    assert groups == [["Turn the TV off"], ["turn the lamp off"], ["turn the fan on"]]
    assert request_groups(den, "Put the remote on the couch, then the controller.")[1] == ["put the controller on the couch"]
    assert request_groups(den, "Put the remote on the couch, then the lamp is on.")[1] == ["the lamp is on"]  # says something of its own


def test_a_request_that_takes_back_what_it_said_is_read_as_meant(condo, den, dorm):
    from serve_apps.clauses import TakenBack, corrections_spelled_out

    assert corrections_spelled_out(den, "Put the popcorn bowl in the laundry nook... no, on the end table.") == "Put the popcorn bowl on the end table."
    assert corrections_spelled_out(dorm, "Put my textbook... actually the chem book, in my backpack.") == "Put the chem book in my backpack."
    hung = "Grab my rain jacket from the closet and hang it... actually just bring it to the hallway."
    assert corrections_spelled_out(den, hung) == "Grab my rain jacket from the closet and bring it to the hallway."
    assert corrections_spelled_out(condo, "Turn the radio down... I mean off.") == "Turn the radio off."
    assert corrections_spelled_out(condo, "Put the milk in the fridge, no wait, the freezer.") == "Put the milk in the freezer."
    assert corrections_spelled_out(condo, "Put the milk in the fridge, actually, put it in the freezer.") == "put the milk in the freezer."
    # words that only sound like it are left alone; what cannot be placed is refused, never guessed
    assert corrections_spelled_out(condo, "Put the milk in the fridge, no need to close it.") == "Put the milk in the fridge, no need to close it."
    with pytest.raises(TakenBack, match="no wait"):
        corrections_spelled_out(den, "Open the coat closet and hang up the rain jacket... no wait, it's already in there.")
    refused = plan(den, "Hang up the rain jacket... no wait, it's in there.", Scripted(goal("open(coat_closet)")))
    assert not refused.ok and "takes back" in refused.reason


def test_if_so_make_sure_leaves_nothing_for_the_model_and_holds_already_is_done(den):
    model = Scripted(goal("holding(scout, game_console)"))
    response = plan(den, "If the game console is on, make sure the TV is on too.", model)
    assert not response.ok and "switched_on(tv) already holds" in response.reason and not model.requests
    off = plan(den, "If the tablet's on, make sure the lamp is off as well.", Scripted(goal("holding(scout, tablet)")))
    assert off.ok and off.goal == ["not switched_on(floor_lamp)"]
    # a thing and its state alone, clause by clause; "the lamp and the fan off" is one verb's things
    assert kept_as_is(den, "Fan on, lamp off.") == (["switched_on(ceiling_fan)", "not switched_on(floor_lamp)"], ".")
    assert kept_as_is(den, "TV off and game console off please.")[0] == ["not switched_on(tv)", "not switched_on(game_console)"]
    assert kept_as_is(den, "Switch the lamp and the fan off.")[0] == []


def test_a_condition_without_its_comma_and_a_remark_about_someone_else(condo, den):
    from serve_apps.clauses import condition_comma_spelled_out
    from serve_apps.grounding import without_chatter

    assert condition_comma_spelled_out(condo, "If the radio is on turn it off.") == "If the radio is on, turn it off."
    assert condition_comma_spelled_out(condo, "If the oven is on you must switch it off.") == "If the oven is on, switch it off."
    assert condition_comma_spelled_out(condo, "If the fridge is open close it.") == "If the fridge is open, close it."  # "open" describes
    assert condition_comma_spelled_out(condo, "When you get a chance put the milk away.") == "When you get a chance, put the milk away."
    assert condition_comma_spelled_out(condo, "If the radio is on, turn it off.") == "If the radio is on, turn it off."
    # every name only in the condition: nothing to act on, never the whole vocabulary on the menu
    refused = plan(condo, "If the radio is on turn.", Scripted(goal("holding(bolt, radio)")))
    assert not refused.ok and "nothing to act on" in refused.reason
    hotel = load_world("hotel_ensuite")
    assert without_chatter(hotel, "Turn off the AC and the bedside lamp, the guest has checked out.") == "Turn off the AC and the bedside lamp."
    assert without_chatter(den, "Turn off the lamp, the fan is on too.") == "Turn off the lamp, the fan is on too."  # it names a thing
    assert without_chatter(den, "Put the remote on the couch, which is tidy.") == "Put the remote on the couch, which is tidy."


def test_off_the_burner_is_the_one_it_is_on_and_a_bare_in_after_a_condition_is_the_container(condo, den):
    from serve_apps.goal_checks import off_the_wrong_one

    state = WorldState.initial(condo)  # the skillet is on the front burner
    assert off_the_wrong_one(condo, [parse_literal("not in(skillet, back_burner)")], state) == ["not in(skillet, back_burner)"]
    assert off_the_wrong_one(condo, [parse_literal("not in(skillet, front_burner)")], state) == []
    assert misplaced(condo, "Take the skillet off the burner.", [parse_literal("in(skillet, back_burner)")]) == ["in(skillet, back_burner)"]
    assert misplaced(condo, "Move the skillet from the front burner to the back burner.", [parse_literal("in(skillet, back_burner)")]) == []
    model = Scripted(goal("in(lego_set, toy_bin)"))
    response = plan(den, "If the toy bin is open, put the legos in.", model)
    assert response.ok and response.goal == ["in(lego_set, toy_bin)"]
    assert model.requests[0].messages[-1]["content"].endswith("put the lego set in the toy bin.")


def test_an_answer_taken_off_the_menu_that_comes_back_anyway_is_refused():
    flat = load_world("flat_kitchen")  # the dinner plate is in the wall cupboard; the pan cupboard is another
    said = "Get the dinner plate down from the cupboard and put the cheese on it."
    # a decoder that lets an excluded answer through (seen with OpenVINO GenAI's structured output)
    sneaked = Scripted(*[goal("in(dinner_plate, pan_cupboard)", "in(cheese, dinner_plate)")] * 6)
    response = plan(flat, said, sneaked)
    assert not response.ok and all("in(dinner_plate, pan_cupboard)" in a.error for a in response.attempts)
    assert "puts things where the request does not" in response.attempts[0].error  # "from the cupboard" is where it comes from
    offered = [lit for r in sneaked.requests[-2:] for lit in r.schema_["properties"]["goal"]["items"]["enum"]]
    assert "in(dinner_plate, pan_cupboard)" not in offered and "not in(dinner_plate, wall_cupboard)" in offered


def test_numbered_names_said_in_words_and_a_number_said_apart_names_nothing():
    kitchen = load_world("numbered_kitchen")
    assert ground(kitchen, "Close drawer one and drawer two.").names == {"drawer_1", "drawer_2"}
    assert ground(kitchen, "Put it in the second drawer.").names == {"drawer_2"}
    assert ground(kitchen, "Open cabinet #3 and cabinet number 2.").names == {"cabinet_3", "cabinet_2"}
    assert ground(kitchen, "Put the pan on burner one.").names == {"pan", "stove_burner_1"}
    # "cabinet 1 ... counter 2" is no counter 1; a number there is not drawer 7's either
    assert mentioned_names(kitchen, "Move the bread from cabinet 1 to counter 2.") == {"bread", "cabinet_1", "counter_2"}
    assert ground(kitchen, "Put the spoon in drawer seven.").unknown == ["drawer 7"]
    assert ground(kitchen, "Put one apple on counter 1.").names == {"apple", "counter_1"}  # "one apple" is no number


def test_a_name_said_in_the_other_number_is_that_thing():
    room = load_world("bnb_room")  # fresh_towels on the linen shelf, a used_towel in the en-suite
    assert mentioned_names(room, "Put a fresh towel on the towel rail.") == {"fresh_towels", "towel_rail"}
    assert mentioned_names(room, "Put the used towels in the hamper.") == {"used_towel", "laundry_hamper"}
    assert mentioned_names(room, "Put the towels in the hamper.") == {"used_towel", "fresh_towels", "laundry_hamper"}


def test_dont_forbids_the_change_it_names_and_dont_forget_asks_it():
    from serve_apps.phrasing import left_alone

    room = load_world("bnb_room")
    alone = left_alone(room, "If the kettle's empty, fill it, but don't switch it on.")
    assert alone.forbidden == {"switched_on(kettle)"} and not alone.untouched and alone.text == "If the kettle's empty, fill it"
    assert left_alone(room, "Put the bathrobe in the wardrobe and don't close it.").forbidden == {"not open(wardrobe)"}
    # "it" that points at nothing: the clause is never read as asking its verb
    assert left_alone(room, "Don't switch it on.").text == ""
    assert left_alone(room, "Don't open the wardrobe, just put the pillow on the bed.").untouched == {"wardrobe"}  # named nowhere else
    reminded = left_alone(room, "Close the window and don't forget to switch the reading lamp on.")
    assert not reminded.forbidden and not reminded.untouched and reminded.text == "Close the window and switch the reading lamp on."
    # the scripted model says what the words forbid; it is never offered, and refused if said
    model = Scripted(*[goal("filled(kettle)", "switched_on(kettle)")] * 6)
    refused = plan(room, "Fill the kettle but don't switch it on.", model)
    assert not refused.ok
    assert all("switched_on(kettle)" not in r.schema_["properties"]["goal"]["items"]["enum"] for r in model.requests)
    done = plan(room, "Fill the kettle but don't switch it on.", Scripted(goal("filled(kettle)")))
    assert done.ok and done.goal == ["filled(kettle)"]
    switched = plan(room, "Fill the kettle and put it on.", Scripted(goal("filled(kettle)", "switched_on(kettle)")))
    assert switched.ok and switched.goal == ["filled(kettle)", "switched_on(kettle)"]
    # "no need to", "instead of", "rather than", "forget", a bare "leave the lamp": left as they are
    lounge = load_world("cosy_lounge")
    assert left_alone(lounge, "No need to turn on the reading lamp, just switch off the TV.").untouched == {"reading_lamp"}
    assert left_alone(lounge, "Turn off the TV instead of the table lamp.").untouched == {"table_lamp"}
    assert left_alone(lounge, "Rather than switching the TV off, turn the table lamp off.").untouched == {"tv"}
    assert left_alone(lounge, "Forget the remote, turn off the TV.").untouched == {"remote"}
    assert left_alone(lounge, "Turn off the TV, leave the table lamp.") == left_alone(lounge, "Turn off the TV, leave the table lamp alone.")
    assert left_alone(lounge, "Leave the remote on the coffee table.").untouched == set()  # where it goes
    assert verb_states(lounge, "just switch off the TV") == {("switched_on", True)}
    # "would you mind not turning it on" forbids too; "be a dear and" only asks nicely
    assert left_alone(room, "Would you mind not turning the reading lamp on?").untouched == {"reading_lamp"}
    polite = plan(room, "Could you be a dear and switch the big light off?", Scripted(goal("not switched_on(ceiling_light)")))
    assert polite.ok and polite.goal == ["not switched_on(ceiling_light)"]


def test_a_place_another_clause_sends_things_to_is_not_where_a_fetched_thing_goes():
    from serve_apps.goal_checks import sent_with_another

    room = load_world("bnb_room")
    said = "Take the used towel to the laundry hamper and bring fresh towels from the linen cupboard."
    answer = [parse_literal("in(used_towel, laundry_hamper)"), parse_literal("in(fresh_towels, laundry_hamper)")]
    assert sent_with_another(room, said, answer) == ["in(fresh_towels, laundry_hamper)"]
    assert sent_with_another(room, "Take the used towel to the laundry hamper and the fresh towels too.", answer) == []
    them = "Bring fresh towels from the linen cupboard and put them on the bed."
    assert sent_with_another(room, them, [parse_literal("in(fresh_towels, double_bed)")]) == []
    refused = plan(room, said, Scripted(*[goal(*map(str, answer))] * 6))
    assert not refused.ok and "another part of the request" in refused.attempts[0].error
    # a kind's clause says where its things go: the cup is one of "the dishes", not of the milk
    kitchen = load_world("apartment_kitchenette")
    cleared = "Put the dishes from the breakfast bar in the sink, put the oat milk from the breakfast bar in the fridge."
    answer = [parse_literal(x) for x in ("in(side_plate, sink)", "in(oat_milk, fridge)", "in(coffee_cup, fridge)")]
    assert sent_with_another(kitchen, cleared, answer) == ["in(coffee_cup, fridge)"]
    listed = [parse_literal("in(eggs, mixing_bowl)"), parse_literal("in(mixing_bowl, counter)")]
    assert sent_with_another(kitchen, "Put the eggs in the mixing bowl and the bowl on the counter.", listed) == []


def test_a_state_said_with_not_and_i_dont_want_ask_for_the_opposite(condo):
    from fleet.lexicon import denied_states
    from serve_apps.goal_checks import against_verbs

    assert denied_states("Make certain the faucet is not running.") == {("switched_on", True)}
    assert denied_states("The mug isn't dirty.") == {("clean", False)}
    assert denied_states("The radio is not to be left on.") == {("switched_on", True)}
    assert denied_states("The mug is not on the table.") == set()  # where, not a state
    said = "Make it so the faucet is not running."
    assert against_verbs(condo, said, [parse_literal("switched_on(faucet)")]) == ["switched_on(faucet)"]
    assert against_verbs(condo, said, [parse_literal("not switched_on(faucet)")]) == []
    assert kept_as_is(condo, "Make certain the faucet is not running.")[0] == ["not switched_on(faucet)"]
    assert kept_as_is(condo, "I don't want the radio on.")[0] == ["not switched_on(radio)"]


def test_a_request_without_articles_reads_as_one_with_them_and_too_after_a_comma():
    from serve_apps.clauses import request_groups

    den = load_world("family_den")
    said = ground(den, "Put teddy bear on recliner and picture book on bookcase.").text
    assert said == "Put the teddy bear on the recliner and the picture book on the bookcase."
    assert request_groups(den, said) == [["Put the teddy bear on the recliner", "Put the picture book on the bookcase"]]
    assert ground(den, "If tank light is on switch off.").text == "If the tank light is on switch off."
    assert ground(den, "Put the teddy bear on recliner.").text == "Put the teddy bear on recliner."  # an article said: as it is
    assert too_spelled_out("Put the hoodie in the hamper, the socks too.") == "Put the hoodie and the socks in the hamper."


def test_both_after_a_condition_is_each_thing_the_condition_names(den):
    # the TV and the Xbox are on; an answer that leaves one out is asked about the other
    model = Scripted(goal("not switched_on(tv)"), goal("not switched_on(game_console)"))
    response = plan(den, "If the TV is on and the Xbox is on, turn both off.", model)
    assert response.ok and sorted(response.goal) == ["not switched_on(game_console)", "not switched_on(tv)"]
    assert "leaves out" in response.attempts[0].error
    model = Scripted(goal("not switched_on(tv)"), goal("not switched_on(floor_lamp)"))
    assert sorted(plan(den, "If the TV and the lamp are on, turn them off.", model).goal) == ["not switched_on(floor_lamp)", "not switched_on(tv)"]


def test_what_cannot_be_undone_is_refused_on_a_condition_no_state_can_check(condo):
    from serve_apps.conditions import unchecked_conditions

    assert unchecked_conditions(condo, "If the milk is old, throw it in the trash can.") == ["the milk is old"]
    assert unchecked_conditions(condo, "If the coffee mug is dirty, wash it.") == []  # a state it has
    assert unchecked_conditions(condo, "If you see the car keys, put them on the kitchen table.") == []  # says nothing of how they are
    refused = plan(condo, "If the milk is old, throw it in the trash can.", Scripted(goal("in(milk, trash_can)")))
    assert not refused.ok and "cannot tell whether the milk is old" in refused.reason
    fried = plan(condo, "If the eggs are fresh, fry them.", Scripted(goal("cooked(eggs)")))
    assert not fried.ok and "cooked(eggs) cannot be undone" in fried.reason
    moved = plan(condo, "If the coffee mug is empty, put it in the dishwasher.", Scripted(goal("in(coffee_mug, dishwasher)")))
    assert moved.ok and moved.goal == ["in(coffee_mug, dishwasher)"]  # undone as easily as done


def test_chat_shorthand_getting_things_going_and_cracking_a_window(condo):
    teen = load_world("teen_bedroom")
    assert ground(teen, "put my hoodie n socks in the laundry bag pls").text == "put my hoodie and socks in the laundry bag please"
    assert ground(teen, "omg can u turn off the fairy lights lol").text == "could you turn off the fairy lights"
    assert ground(condo, "Get the dishwasher going.").text == "switch the dishwasher on."
    assert ground(condo, "Crack the oven door open.").text == "open the oven."
    assert ground(condo, "Crack the eggs into the skillet.").text == "Crack the eggs into the skillet."  # eggs do not open
    from serve_apps.clauses import condition_comma_spelled_out

    # the "don't" stays with what it denies: nothing is left to do here, never "turn it off"
    assert condition_comma_spelled_out(teen, "if my phone is on dont turn it off") == "if my phone is on, dont turn it off"
    refused = plan(teen, "if my phone is on dont turn it off", Scripted(goal("not switched_on(phone)")))
    assert not refused.ok


def test_the_dishes_on_the_rack_are_those_there_and_the_clean_dishes_those_clean():
    from serve_apps.conditions import unmet_conditions
    from serve_apps.putting_away import put_away_parts

    kitchen = load_world("apartment_kitchenette")  # a plate and a wine glass on the rack; a dirty plate and cup on the bar
    state = WorldState.initial(kitchen)
    on_the_rack = ["in(dinner_plate, upper_cupboard)", "in(wine_glass, upper_cupboard)"]
    assert put_away_parts(kitchen, "Put away the dishes on the dish rack.", state)[0] == on_the_rack
    assert "in(side_plate, upper_cupboard)" not in put_away_parts(kitchen, "Put away the clean dishes.", state)[0]
    assert put_away_parts(kitchen, "Put away the plates in the upper cupboard.", state)[0] == []  # where they go, said
    assert scoped_quantifiers(kitchen, "Put the dishes from the dish rack away in the upper cupboard.", state)["all dishes"] == (
        "dish_rack", {"dinner_plate", "wine_glass"}
    )
    # "there are plates in the sink" holds when one is there now
    assert unmet_conditions(kitchen, "If there are plates in the sink, wash them.", state)[0] == ""
    assert unmet_conditions(kitchen, "If there are dishes in the dish rack, close the window.", state)[1] == []


def test_any_fridge_is_the_refrigerator_and_any_drawer_the_one_its_name_says():
    from serve_apps.putting_away import _with_its_kind

    condo = load_world("condo_kitchen")  # a refrigerator and a freezer, both of type fridge
    assert _with_its_kind(condo, WorldState.initial(condo), "milk", "any fridge") == "refrigerator"
    galley = load_world("galley_kitchen")
    assert _with_its_kind(galley, WorldState.initial(galley), "spatula", "any drawer") == "utensil_drawer"
    assert _with_its_kind(galley, WorldState.initial(galley), "spoon", "any drawer") == "cutlery_drawer"


def test_a_question_or_a_remark_asks_nothing_and_a_thing_told_left_on_asks_it_off(condo):
    from serve_apps.clauses import only_asks
    from serve_apps.conditions import told_alone

    assert only_asks("Is the oven on?") and only_asks("Did you wash the coffee mug?") and only_asks("Where are the car keys?")
    assert not only_asks("Could you turn the oven off?") and not only_asks("Do you mind closing the window?")
    assert not only_asks("Is the radio on? If so, turn it off.")  # a condition, then the request
    model = Scripted(goal("switched_on(oven)"))
    asked = plan(condo, "Is the oven on?", model)
    assert not asked.ok and "is a question" in asked.reason and not model.requests
    assert told_alone("The fridge is still open!") == "Make sure the fridge is closed."
    assert told_alone("I left the oven on.") == "Make sure the oven is off."
    assert told_alone("The coffee mug is dirty.") == "Make sure the coffee mug is clean."
    for remark in ("The lamp is off.", "The milk is in the refrigerator.", "I washed the coffee mug."):
        with pytest.raises(FleetError, match="asks nothing"):
            told_alone(remark)
    assert told_alone("I need the milk in the fridge.") == "I need the milk in the fridge."  # asks
    told = plan(condo, "The oven is on.", Scripted(goal("switched_on(oven)")))  # it is off now: nothing to do
    assert not told.ok and "already holds" in told.reason


def test_there_the_other_one_and_it_after_a_list_are_spelled_out():
    from serve_apps.clauses import it_after_list_spelled_out, ones_spelled_out, there_spelled_out

    townhouse, double = load_world("townhouse_kitchen"), load_world("double_oven_kitchen")
    said = "Move the saucepan off the back ring and put the frying pan there instead."
    assert there_spelled_out(townhouse, said) == "Move the saucepan off the back ring and put the frying pan on the back ring instead."
    assert there_spelled_out(townhouse, "Put the milk in the refrigerator and leave the cheese there.").endswith("leave the cheese in the refrigerator.")
    for unchanged in ("Put the mug over there.", "If there is milk on the table, put it away."):
        assert there_spelled_out(townhouse, unchanged) == unchanged
    assert ones_spelled_out(double, "Put the white mug in the dishwasher and the other one too.").endswith("and the blue mug too.")
    assert ones_spelled_out(double, "Switch the top oven on and the other oven off.") == "Switch the top oven on and the bottom oven off."
    # two others of the kind: which one is not said
    assert ones_spelled_out(double, "Put the carving knife away and the other one too.") == "Put the carving knife away and the other one too."
    listed = "Put the potatoes and the onion in the casserole dish and put it in the bottom oven."
    assert it_after_list_spelled_out(double, listed) == "Put the potatoes and the onion in the casserole dish and put the casserole dish in the bottom oven."
    # one thing said in the singular may be "it"; things the words put somewhere themselves are "them"
    for unchanged in ("Put the onion in the casserole dish and put it in the bottom oven.", "Put the beers and the lemonade on the island and put them in the drinks fridge."):
        assert it_after_list_spelled_out(double, unchanged) == unchanged
    response = plan(double, listed, Scripted(goal("in(potatoes, casserole_dish)", "in(onion, casserole_dish)", "in(casserole_dish, bottom_oven)")))
    assert response.ok and "in(casserole_dish, bottom_oven)" in response.goal
    # the potatoes go in the dish, never in the oven ("it" is not one of the listed things)
    wrong = plan(double, listed, Scripted(*[goal("in(onion, casserole_dish)", "in(potatoes, bottom_oven)")] * 6))
    assert not wrong.ok


def test_the_kind_said_again_is_the_one_named_before_and_taking_it_off_is_not_leaving_it(condo):
    from serve_apps.goal_checks import left_where_it_is
    from serve_apps.phrasing import pointed_back

    townhouse = load_world("townhouse_kitchen")
    names = mentioned_names(townhouse, "put the lunchbox in the school bag")
    said = "put the lunchbox in the school bag"
    assert pointed_back(townhouse, said, names, {"cheese", "red_lunchbox"}) == {"blue_lunchbox"}
    # where the kind goes, or where it is said to be, is not the one before
    assert pointed_back(townhouse, "put the cheese in the lunchbox", names | {"cheese"}, {"red_lunchbox"}) == set()
    assert pointed_back(townhouse, "put the lunchbox on the pantry shelf in the school bag", names, {"red_lunchbox"}) == set()
    answer = Scripted(goal("in(cheese, red_lunchbox)", "in(blue_lunchbox, school_bag)"), goal("in(cheese, red_lunchbox)", "in(red_lunchbox, school_bag)"))
    response = plan(townhouse, "First put the cheese in the red lunchbox, then put the lunchbox in the school bag.", answer)
    assert response.ok and response.goal == ["in(cheese, red_lunchbox)", "in(red_lunchbox, school_bag)"]
    # the skillet taken off the front burner is not left there because the stockpot goes there
    state = WorldState.initial(condo)
    took = "Take the skillet off the front burner and put the stockpot on the front burner."
    kept = [parse_literal("in(skillet, front_burner)"), parse_literal("in(stockpot, front_burner)")]
    assert left_where_it_is(condo, took, kept, state) == ["in(skillet, front_burner)"]
    assert left_where_it_is(condo, "Take the skillet off the front burner and put it back on the front burner.", kept[:1], state) == []


def test_a_tool_after_it_an_it_in_a_trailing_condition_and_the_state_of_the_one_meant():
    from serve_apps.conditions import condition_fact, conditioned
    from serve_apps.goal_checks import not_the_one_meant

    townhouse, double = load_world("townhouse_kitchen"), load_world("double_oven_kitchen")
    assert tools_named(townhouse, "Pop the loaf on the chopping board and slice it with the bread knife.") == {"bread_knife"}
    # where things are sliced, when the next words put them elsewhere, is no place for them to stay
    sliced = "Slice the cheese and the apples on the chopping board and put them in the red lunchbox."
    assert tools_named(townhouse, sliced) == {"chopping_board"}
    assert tools_named(townhouse, "Slice the cheese on the chopping board.") == set()
    # an appliance a thing goes into to be heated, and then comes out of, is on the way
    studio = load_world("studio_apartment")
    assert tools_named(studio, "Put the loaf in the microwave and heat it, then put it on the dining table.") == {"microwave"}
    assert tools_named(studio, "Put the loaf in the microwave and heat it.") == set()
    unless = conditioned("Put the oven gloves in the left drawer unless it is closed.")
    assert unless.negated and str(condition_fact(double, unless.condition, unless.request)) == "not open(left_drawer)"
    dirty = conditioned("Put the apron in the washing machine if it is dirty.")
    assert str(condition_fact(double, dirty.condition, dirty.request)) == "not clean(apron)"
    refused = plan(double, "Put the oven gloves in the left drawer unless it is closed.", Scripted(goal("in(oven_gloves, left_drawer)")))
    assert not refused.ok and "left_drawer" in refused.reason
    said = "Put the cheese in the red lunchbox, then put the lunchbox in the school bag and close the lunchbox."
    assert not_the_one_meant(townhouse, said, [parse_literal("not open(blue_lunchbox)")]) == ["not open(blue_lunchbox)"]
    assert not_the_one_meant(townhouse, said, [parse_literal("not open(red_lunchbox)")]) == []


def test_a_kind_said_again_after_taking_things_out_of_one_is_that_one_and_put_away_never_guesses():
    from serve_apps.goal_checks import not_the_one_meant
    from serve_apps.phrasing import came_from

    townhouse = load_world("townhouse_kitchen")
    state = WorldState.initial(townhouse)
    said = "Take the apples out of the fruit bowl, put them in the fridge and put the bowl in the sink."
    assert "fruit_bowl" not in came_from(townhouse, said)  # a later clause moves it
    assert came_from(townhouse, "Take the cookies out of the jar and put the jar in the dishwasher.") == set()
    wrong = [parse_literal("in(apples, refrigerator)"), parse_literal("in(cereal_bowl, sink)")]
    assert not_the_one_meant(townhouse, said, wrong) == ["in(cereal_bowl, sink)"]
    assert not_the_one_meant(townhouse, said, [parse_literal("in(fruit_bowl, sink)")]) == []
    # "the bowl" with a fruit bowl and a cereal bowl: put away neither on a guess
    with pytest.raises(FleetError, match="which one"):
        put_away_parts(townhouse, "Put the bowl away.", state)
    assert put_away_parts(townhouse, "Wash the cereal bowl and put the bowl away.", state)[0] == ["in(cereal_bowl, plate_cupboard)"]
    assert sorted(put_away_parts(townhouse, "Put the bowls away.", state)[0]) == ["in(cereal_bowl, plate_cupboard)", "in(fruit_bowl, plate_cupboard)"]


def test_a_condition_on_both_or_either_of_a_kind_is_checked_against_each_of_them():
    from serve_apps.conditions import condition_fact, unmet_conditions

    double = load_world("double_oven_kitchen")  # the top oven is off, the bottom oven on
    state = WorldState.initial(double)
    assert str(condition_fact(double, "both ovens are off", "switch the top one on")) == "not switched_on(any oven)"
    assert str(condition_fact(double, "either oven is on", "turn it off")) == "switched_on(any oven)"
    assert str(condition_fact(double, "the ovens aren't on", "open the patio door")) == "not switched_on(any oven)"
    assert str(condition_fact(double, "all the drawers are closed", "open one")) == "not open(any drawer)"
    kept, dropped = unmet_conditions(double, "If both ovens are off, switch the top oven on.", state)
    assert not kept.strip() and "both ovens are off" in dropped[0]
    assert unmet_conditions(double, "If either oven is on, turn it off.", state)[1] == []
    # "preheated", "greasy", "warm" are said states: a condition on them is checked
    condo = load_world("condo_kitchen")
    refused = plan(condo, "If the oven is preheated, put the lasagna in it.", Scripted(goal("in(lasagna, oven)")))
    assert not refused.ok and "switched_on(oven)" in refused.reason


def test_what_keeps_it_company_stays_and_the_blue_one_is_the_blue_mug():
    from serve_apps.clauses import ones_spelled_out, request_groups
    from serve_apps.goal_checks import moved_instead
    from serve_apps.phrasing import located_by

    double = load_world("double_oven_kitchen")
    said = "Wash the blue mug and put it in the tall cupboard with the white mug."
    assert moved_instead(double, said, [parse_literal("in(white_mug, tall_cupboard)")]) == ["in(white_mug, tall_cupboard)"]
    assert moved_instead(double, said, [parse_literal("in(blue_mug, tall_cupboard)")]) == []
    assert "white_mug" in located_by(double, said, WorldState.initial(double))[0]  # no goal need name it
    response = plan(double, said, Scripted(goal("clean(blue_mug)", "in(white_mug, tall_cupboard)"), goal("clean(blue_mug)", "in(blue_mug, tall_cupboard)")))
    assert response.ok and response.goal == ["clean(blue_mug)", "in(blue_mug, tall_cupboard)"]
    cottage = load_world("cottage_kitchen")
    spelled = ones_spelled_out(cottage, "If the white mug is clean, put it on the table and the blue one in the dishwasher.")
    assert spelled.endswith("and the blue mug in the dishwasher.")
    assert request_groups(cottage, spelled)[0][1:] == ["put the blue mug in the dishwasher"]


def test_a_shared_word_for_a_kind_with_a_two_word_type_names_each_of_that_type():
    shared = load_world("shared_kitchen")  # a worktop and a draining board, both counter tops
    assert ground(shared, "Put the bagels on the counter.").names >= {"worktop", "draining_board"}
    assert mentioned_names(shared, "put it on the counter top") == {"worktop", "draining_board"}
    flat = load_world("flat_kitchen")
    assert not ground(flat, "Put the saucepan on the hob, fill it first though.").unknown
    assert not ground(flat, "Turn the radio off, it's so loud.").unknown


def test_it_is_the_one_thing_named_before_that_its_verb_can_change():
    from serve_apps.clauses import it_by_state_spelled_out

    galley = load_world("galley_kitchen")
    said = "Put the egg in the saucepan, fill it with water and put it on the front burner."
    assert it_by_state_spelled_out(galley, said) == "Put the egg in the saucepan, fill the saucepan with water and put the saucepan on the front burner."
    # the only thing named before: nothing to choose
    assert it_by_state_spelled_out(galley, "Wash the red mug and put it away.") == "Wash the red mug and put it away."
    # "put it" after a clause that names something else again is left to be read as it is
    assert it_by_state_spelled_out(galley, "Put the egg in the saucepan, fill it, take the bread out and put it on the plate.").endswith(
        "take the bread out and put it on the plate."
    )
    response = plan(galley, said, Scripted(goal("in(egg, saucepan)", "filled(saucepan)", "in(saucepan, front_burner)")))
    assert response.ok and sorted(response.goal) == ["filled(saucepan)", "in(egg, saucepan)", "in(saucepan, front_burner)"]


def test_next_to_it_is_where_the_thing_stands_never_inside_it():
    from serve_apps.clauses import it_by_state_spelled_out
    from serve_apps.goal_checks import sent_elsewhere

    flat = load_world("flat_kitchen")  # the kettle stands on the worktop
    said = "If the kettle is empty, fill it, then turn it on and put the yellow mug next to it."
    assert it_by_state_spelled_out(flat, said).endswith("put the yellow mug next to the kettle.")
    unresolved = "Fill the kettle, then put the yellow mug next to it."
    assert sent_elsewhere(flat, unresolved, [parse_literal("in(yellow_mug, kettle)")]) == ["in(yellow_mug, kettle)"]
    assert sent_elsewhere(flat, unresolved, [parse_literal("in(yellow_mug, worktop)")]) == []
    model = Scripted(goal("filled(kettle)", "switched_on(kettle)", "in(yellow_mug, worktop)"))
    response = plan(flat, said, model)
    assert response.ok and sorted(response.goal) == ["filled(kettle)", "in(yellow_mug, worktop)", "switched_on(kettle)"]


def test_in_the_fridge_is_not_the_one_whose_name_says_it_is_for_another_kind():
    from serve_apps.phrasing import narrowed, not_for_another_kind

    island = load_world("island_kitchen")  # a tall fridge and a wine fridge
    state = WorldState.initial(island)
    assert not_for_another_kind(island, ["tall_fridge", "wine_fridge"], {"butter"}) == ["tall_fridge"]
    assert not_for_another_kind(island, ["tall_fridge", "wine_fridge"], {"white_wine"}) == []  # the wine may go in either
    said = "Put the butter in the fridge and close it."
    assert "wine_fridge" not in narrowed(island, said, mentioned_names(island, said), state)
    assert {"tall_fridge", "wine_fridge"} <= narrowed(island, "Open the fridge.", mentioned_names(island, "Open the fridge."), state)


def test_a_room_things_are_sent_to_and_a_place_after_the_destination_say_where_and_which():
    from serve_apps.clauses import it_after_list_spelled_out
    from serve_apps.phrasing import destination_located, rooms_sent_to

    townhouse = load_world("townhouse_kitchen")  # a red lunchbox on the worktop, a blue one in the pantry
    state = WorldState.initial(townhouse)
    assert rooms_sent_to(townhouse, "Put the cookies in the red lunchbox and bring it to the hallway.") == {"hallway"}
    assert rooms_sent_to(townhouse, "Switch off the light in the kitchen.") == set()  # only says where
    # "the cookies" are many: "it" is the lunchbox they go in
    said = "Put the cookies in the red lunchbox and take it to the school bag."
    assert it_after_list_spelled_out(townhouse, said).endswith("and take the red lunchbox to the school bag.")
    left = plan(townhouse, "Put the cookies in the red lunchbox and bring it to the hallway.", Scripted(*[goal("in(cookies, red_lunchbox)")] * 6))
    assert not left.ok and "hallway" in left.reason
    assert destination_located(townhouse, "Put the yogurt in the lunchbox in the pantry.", state) == "Put the yogurt in the blue lunchbox."
    assert destination_located(townhouse, "Put the cheese in the lunchbox that's on the worktop.", state) == "Put the cheese in the red lunchbox."
    assert destination_located(townhouse, "Put the milk in the fridge in the kitchen.", state) == "Put the milk in the fridge in the kitchen."
    model = Scripted(goal("in(yoghurt, blue_lunchbox)"))
    response = plan(townhouse, "Put the yogurt in the lunchbox in the pantry.", model)
    assert response.ok and response.goal == ["in(yoghurt, blue_lunchbox)"]
    assert not [lit for lit in model.requests[0].schema_["properties"]["goal"]["items"]["enum"] if "pantry_shelf" in lit]  # only which one


def test_when_after_steps_that_bring_it_about_is_refused_and_a_later_condition_gets_its_comma(condo):
    from serve_apps.clauses import condition_comma_spelled_out
    from serve_apps.conditions import unmet_conditions

    state = WorldState.initial(condo)  # the leftovers are cold, in the refrigerator
    said = "Take the leftovers out of the refrigerator, put them in the microwave, and when they're hot put them on the kitchen table."
    assert condition_comma_spelled_out(condo, said).endswith("and when they're hot, put them on the kitchen table.")
    with pytest.raises(FleetError, match="once they're hot, after the words before it"):
        unmet_conditions(condo, condition_comma_spelled_out(condo, said), state)
    refused = plan(condo, said, Scripted(goal("not in(leftovers, refrigerator)")))
    assert not refused.ok and "after the words before it" in refused.reason
    # a condition on how things are now is still checked now: the rest is done
    kept, dropped = unmet_conditions(condo, "Put the milk in the refrigerator, and if the radio is off, switch it on.", state)
    assert kept.startswith("Put the milk in the refrigerator") and dropped


@pytest.fixture(scope="module")
def loft():
    return load_world("loft_kitchen")


@pytest.fixture(scope="module")
def bungalow():
    return load_world("bungalow_kitchen")


@pytest.fixture(scope="module")
def boot_room():
    return load_world("boot_room")


def _literals(world, *literals):
    from fleet.goals import parse_goal

    return parse_goal(world, list(literals))


def test_what_things_come_out_of_is_not_moved_and_them_is_what_came_out(loft):
    from serve_apps.goal_checks import moved_from_only
    from serve_apps.phrasing import each_of_them

    said = "Get the eggs out of the carton and put them in the soup pot."
    assert moved_from_only(loft, said, _literals(loft, "in(egg_carton, soup_pot)", "in(eggs, soup_pot)")) == ["in(egg_carton, soup_pot)"]
    assert moved_from_only(loft, said, _literals(loft, "in(eggs, soup_pot)")) == []
    # "them" is the eggs alone, never one clause per thing with the carton
    assert each_of_them(loft, "put them in the soup pot", ["Get the eggs out of the carton"], {"eggs", "egg_carton"}) == []
    refused = plan(loft, said, Scripted(*[goal("in(egg_carton, soup_pot)", "in(eggs, soup_pot)")] * 8))
    assert not refused.ok and "in(egg_carton, soup_pot)" in refused.reason


def test_them_after_a_board_is_what_the_verb_can_change_and_the_board_is_on_the_way(loft):
    from serve_apps.phrasing import reaches_back_to

    said = "Put the tomatoes on the cutting board, slice them, and put them in the mixing bowl."
    earlier = ["Put the tomatoes on the cutting board"]
    assert reaches_back_to(loft, "slice them", earlier, {"tomatoes", "cutting_board"}) == {"tomatoes"}
    assert tools_named(loft, said) == {"cutting_board"}
    model = Scripted(goal("sliced(tomatoes)", "in(tomatoes, mixing_bowl)"))
    response = plan(loft, said, model)
    assert response.ok and sorted(response.goal) == ["in(tomatoes, mixing_bowl)", "sliced(tomatoes)"]


def test_a_trailing_condition_ends_before_and_a_verb(loft):
    from serve_apps.clauses import condition_comma_spelled_out

    said = "Turn the speaker off if it's on and close the window if it's open."
    assert condition_comma_spelled_out(loft, said) == "Turn the speaker off if it's on, and close the window if it's open."
    kept = "Close the window if the floor lamp and the speaker are on."
    assert condition_comma_spelled_out(loft, kept) == kept  # "and the speaker" is part of the condition


def test_back_in_a_name_is_part_of_it(loft):
    from serve_apps.phrasing import destinations_in

    assert destinations_in(loft, "Pull the baking sheet out of the oven and set it on the back counter.") == {"back_counter"}


def test_a_name_said_whole_is_not_another_thing_of_its_last_word(bungalow):
    said = "Put the dinner plate, the pudding bowl and the spoons in the washing-up bowl."
    assert misplaced(bungalow, said, _literals(bungalow, "in(pudding_bowl, washing_up_bowl)")) == []
    backwards = "Put the washing-up bowl in the sink and the pudding bowl in it."
    assert misplaced(bungalow, backwards, _literals(bungalow, "in(sink, washing_up_bowl)")) == ["in(sink, washing_up_bowl)"]


def test_how_a_thing_is_after_is_or_are_names_nothing(bungalow, boot_room):
    assert mentioned_names(bungalow, "If the stew is hot, leave it in the casserole") == {"stew", "casserole"}
    assert mentioned_names(bungalow, "If the hot tap is on, turn it off") == {"hot_tap"}
    assert mentioned_names(boot_room, "If the wellies are muddy, bring them in") == {"wellies"}
    assert "muddy_socks" in mentioned_names(boot_room, "Put the muddy socks in the washer")


def test_a_thing_wanted_in_a_state_and_a_step_said_last_that_comes_first(bungalow):
    from serve_apps.clauses import done_first_spelled_out, wanted_spelled_out

    assert (
        wanted_spelled_out("I'd like the casserole in the warming oven and the top oven turned off.")
        == "Put the casserole in the warming oven and turn the top oven off."
    )
    assert wanted_spelled_out("I need the mugs in the sink") == "Put the mugs in the sink"
    assert (
        done_first_spelled_out(bungalow, "Put the milk jug in the fridge once you've filled it with milk.")
        == "Fill the milk jug with milk, then put the milk jug in the fridge"
    )


def test_what_the_words_pour_into_must_hold_something(bungalow):
    from serve_apps.goal_checks import filled_by_nothing

    said = "Could you take the milk out of the fridge and pour some into the jug, and put the jug on the table?"
    assert filled_by_nothing(bungalow, said, _literals(bungalow, "not in(milk, fridge)", "in(milk_jug, kitchen_table)")) == ["milk_jug"]
    assert filled_by_nothing(bungalow, said, _literals(bungalow, "in(milk, milk_jug)", "in(milk_jug, kitchen_table)")) == []
    # a verb that makes a state may only work there: "slice the apples into the pie dish"
    assert filled_by_nothing(bungalow, "Slice the apples into the pie dish.", _literals(bungalow, "sliced(apples)")) == []
    assert filled_by_nothing(bungalow, "Tip the apples into the pie dish.", _literals(bungalow, "sliced(apples)")) == ["pie_dish"]


def test_a_kind_word_is_its_own_type_and_the_kind_said_again_is_the_one_named(bungalow):
    assert quantifiers_in(bungalow, "Put the teapot on the table with the cups.") == {"all cup"}  # not the mug
    said = "If the kitchen window is open and the big light is off, close the window and switch the light on."
    assert "all light" not in quantifiers_in(bungalow, said)
    model = Scripted(goal("in(teapot, kitchen_table)"))
    response = plan(bungalow, "If the teapot is clean, put it on the table with the cups.", model)
    assert response.ok and response.goal == ["in(teapot, kitchen_table)"]
    offered = [lit for request in model.requests for lit in request.schema_["properties"]["goal"]["items"]["enum"]]
    assert not [lit for lit in offered if "everyday_mug" in lit or "all cup" in lit]


def test_next_to_a_thing_is_neither_in_it_nor_moving_it(boot_room):
    from serve_apps.goal_checks import in_what_it_stands_by

    said = "Put the dog food in the food bowl, then put the bowl next to the water bowl."
    wrong = _literals(boot_room, "in(dog_food, food_bowl)", "in(food_bowl, water_bowl)", "at(water_bowl, boot_room)")
    assert in_what_it_stands_by(boot_room, said, wrong) == ["in(food_bowl, water_bowl)", "at(water_bowl, boot_room)"]
    assert in_what_it_stands_by(boot_room, said, _literals(boot_room, "in(dog_food, food_bowl)", "at(food_bowl, boot_room)")) == []


def test_a_thing_taken_out_of_where_none_of_its_kind_is_is_refused_with_where_it_is():
    from serve_apps.phrasing import not_where_said

    garage = load_world("garage_workshop")  # the only beers are empties in the recycling crate
    state = WorldState.initial(garage)
    reasons = not_where_said(garage, ground(garage, "Grab a beer out of the fridge and put it on the workbench.").text, state)
    assert reasons and "recycling crate" in reasons[0]
    refused = plan(garage, "Grab a beer out of the fridge and put it on the bench.", Scripted(goal("in(beers, workbench)")))
    assert not refused.ok and "beer fridge" in refused.reason
    # a thing named as that one is meant where it stands; a list needs one of its things there
    den = load_world("family_den")
    den_state = WorldState.initial(den)
    assert not_where_said(den, "Take the board game out of the bookcase and put it on the kids table.", den_state) == []
    assert not_where_said(den, "Move the hoodie and the socks from the couch to the hamper.", den_state) == []


def test_a_word_is_never_read_as_its_opposite():
    den = load_world("family_den")
    grounded = ground(den, "Put the tablet on the end table and plug the phone charger into it.")
    assert "unplug" not in grounded.text and grounded.unknown == ["plug"]


def test_it_after_taking_a_pot_out_is_the_pot_and_nothing_goes_back_where_it_is_taken_off():
    from serve_apps.clauses import it_by_state_spelled_out
    from serve_apps.goal_checks import left_where_it_is

    galley = load_world("galley_kitchen")  # the saucepan and the frying pan stand in the lower cupboard
    said = "Take the saucepan out of the lower cupboard, put the potato in it and put it on the back burner."
    assert it_by_state_spelled_out(galley, said) == (
        "Take the saucepan out of the lower cupboard, put the potato in the saucepan and put the saucepan on the back burner."
    )
    # "back in it" is where the thing came from; a place acted on again is no mere origin
    garage = load_world("garage_workshop")
    back = "Take the sponge out of the bucket, fill the bucket at the sink and put the sponge back in it."
    assert it_by_state_spelled_out(garage, back) == back
    # the frying pan is not on the front burner: the words take it off, so no answer may put it there
    state = WorldState.initial(galley)
    took = "Take the frying pan off the front burner and put the saucepan on the front burner."
    answer = [parse_literal("in(frying_pan, front_burner)"), parse_literal("in(saucepan, front_burner)")]
    assert not state.holds(answer[0])
    assert left_where_it_is(galley, took, answer, state) == ["in(frying_pan, front_burner)"]
    assert left_where_it_is(galley, took, answer[1:], state) == []


@pytest.fixture(scope="module")
def narrowboat():
    return load_world("narrowboat_galley")


def test_the_pan_said_after_the_saucepan_is_the_saucepan_and_where_it_was_is_where_it_came_off(narrowboat):
    from serve_apps.clauses import compound_said_again_spelled_out, there_spelled_out

    said = "Get the eggs out of the egg box and put them in the saucepan, then stick the pan on the front ring."
    assert compound_said_again_spelled_out(narrowboat, said) == said.replace("stick the pan", "stick the saucepan")
    # a cupboard is no chopping board; with the frying pan named too, "the pan" is left as said
    for left in ("Put the bread in the crockery cupboard and the board in the sink.", "Put the eggs in the saucepan and the bacon in the frying pan, then put the pan on the ring."):
        assert compound_said_again_spelled_out(narrowboat, left) == left
    assert there_spelled_out(narrowboat, "Take the saucepan off the front ring, put it in the sink, and put the kettle where it was.") == (
        "Take the saucepan off the front ring, put it in the sink, and put the kettle on the front ring."
    )
    assert there_spelled_out(narrowboat, "Take the kettle off the back ring and put the frying pan in its place.") == (
        "Take the kettle off the back ring and put the frying pan on the back ring."
    )
    # "off it" after a condition on the back ring is off the back ring
    assert there_spelled_out(narrowboat, "If the back ring is on, take the kettle off it and put the saucepan on instead.") == (
        "If the back ring is on, take the kettle off it and put the saucepan on the back ring instead."
    )


def test_off_one_ring_onto_another_switches_nothing_and_pop_lists_like_put(narrowboat):
    from fleet.lexicon import asked_states
    from serve_apps.clauses import request_groups

    assert asked_states(narrowboat, "Move the kettle off the back ring onto the front ring") == frozenset()
    assert asked_states(narrowboat, "take the kettle off the back ring") == {("in", True)}
    assert asked_states(narrowboat, "turn off the radio") == asked_states(narrowboat, "turn the radio off") == {("switched_on", True)}
    assert request_groups(narrowboat, "Pop the tomatoes in the saucepan and the bacon in the frying pan.") == [
        ["Pop the tomatoes in the saucepan", "Pop the bacon in the frying pan"]
    ]
    garage = load_world("garage_workshop")  # no thing there is called a stick, so "stick" is a verb
    assert ["stick it on the bench"] in request_groups(garage, "Take the battery off the charger and stick it on the bench.")


def test_a_condition_saying_where_a_thing_is_is_where_a_bare_out_takes_it_from(narrowboat):
    from serve_apps.conditions import holds_now, unmet_conditions
    from serve_apps.phrasing import came_from

    state = WorldState.initial(narrowboat)  # the eggs are in the egg box, in the fridge
    assert not state.holds(parse_literal("in(eggs, fridge)")) and holds_now(state, parse_literal("in(eggs, fridge)"))
    assert not holds_now(state, parse_literal("not in(eggs, fridge)"))
    said = "If the eggs are still in the fridge, take them out and put them on the worktop."
    text, dropped = unmet_conditions(narrowboat, said, state)
    assert not dropped and text == "If the eggs are still in the fridge, take them out of the fridge and put them on the worktop."
    assert came_from(narrowboat, text) == {"fridge"}  # where they come from, no goal of its own
    model = Scripted(goal("in(eggs, worktop)"))
    response = _plan_with(narrowboat, set(), said, model)
    assert response.ok and response.goal == ["in(eggs, worktop)"], response.reason
    menu = model.requests[0].schema_["properties"]["goal"]["items"]["enum"]
    assert not any("egg_box" in literal for literal in menu)  # out of the fridge, not out of the egg box
    gone = "If the milk is in the fridge, take it out and put it on the table."  # the milk is in the cool box
    assert unmet_conditions(narrowboat, gone, state)[1]


def test_given_a_scrub_is_scrubbed_and_a_fruit_bowl_is_no_washing_up_bowl(narrowboat):
    from serve_apps.clauses import given_care_spelled_out
    from serve_apps.goal_checks import left_where_it_is

    assert given_care_spelled_out(narrowboat, "If the saucepan's dirty, chuck it in the washing-up bowl and give it a scrub.") == (
        "If the saucepan's dirty, chuck it in the washing-up bowl and scrub it."
    )
    assert given_care_spelled_out(narrowboat, "Give the mugs a good wash.") == "wash the mugs."
    assert verb_states(narrowboat, "scrub it") == {("clean", False)}
    for left in ("Give the robot a break.", "Give it a go.", "Give me a hand."):
        assert given_care_spelled_out(narrowboat, left) == left
    assert ground(narrowboat, "Take the bananas out of the net and put them in the fruit bowl.").unknown == ["fruit bowl"]
    assert ground(narrowboat, "Put the fruit in the bowl and the egg box in the fridge.").unknown == []
    assert ground(narrowboat, "Open its door and put the logs in.").text == "Open it and put the logs in."
    # the cool box stands on the bow deck: an answer that leaves it there is sent back
    state = WorldState.initial(narrowboat)
    said = "Bring the cool box in off the deck and put the beers in the fridge."
    answer = [parse_literal("at(cool_box, bow_deck)"), parse_literal("in(beers, fridge)")]
    assert left_where_it_is(narrowboat, said, answer, state) == ["at(cool_box, bow_deck)"]
    assert left_where_it_is(narrowboat, said, [parse_literal("at(cool_box, galley)"), answer[1]], state) == []


def test_put_them_back_is_where_they_came_from_and_them_is_the_apples_not_the_bowl():
    from serve_apps.clauses import there_spelled_out
    from serve_apps.goal_checks import sent_elsewhere
    from serve_apps.phrasing import each_of_them, reaches_back_to

    tiny = load_world("tiny_house_kitchen")  # the apples are in the salad bowl; the paperback on the table
    holders = WorldState.initial(tiny).holders()
    assert there_spelled_out(tiny, "Take the apples out of the salad bowl, wash them and put them back.", holders) == (
        "Take the apples out of the salad bowl, wash them and put them back in the salad bowl."
    )
    assert there_spelled_out(tiny, "Pull the sheet pan out of the oven, put the sweet potatoes on it, and slide it back in.", holders) == (
        "Pull the sheet pan out of the oven, put the sweet potatoes on it, and slide it back in the combi oven."
    )
    assert there_spelled_out(tiny, "Put the paperback on the bookshelf, then put the phone where the book was.", holders) == (
        "Put the paperback on the bookshelf, then put the phone on the fold down table."
    )
    assert there_spelled_out(tiny, "Put the milk back.", holders) == "Put the milk back."  # nothing was taken from anywhere
    # "them" is the apples: the bowl they come out of is where, and one bowl is no "them"
    earlier = ["Take the apples out of the salad bowl"]
    assert each_of_them(tiny, "wash them", earlier, {"apples", "salad_bowl"}) == []
    assert reaches_back_to(tiny, "wash them", earlier, {"apples", "salad_bowl"}) == {"apples"}
    # "put a cereal bowl out too" says no bowl as where anything goes
    said = "Put the granola on the fold down table, then put a cereal bowl out too."
    answer = [parse_literal("in(granola, fold_down_table)"), parse_literal("in(cereal_bowls, any bowl)")]
    assert sent_elsewhere(tiny, said, answer) == ["in(cereal_bowls, any bowl)"]
    galley = load_world("galley_kitchen")
    assert sent_elsewhere(galley, "Put the spoon in any drawer.", [parse_literal("in(spoon, any drawer)")]) == []
    # "if the oven's empty": the oven holds no state of being filled, and the sheet pan is in it
    from serve_apps.conditions import unmet_conditions

    state = WorldState.initial(tiny)
    text, dropped = unmet_conditions(tiny, "If the oven's empty, put the leftovers in it and switch it on.", state)
    assert text == "" and "now in(sheet_pan, combi_oven)" in dropped[0]
    assert unmet_conditions(tiny, "If the trash can is empty, put the onion in it.", state) == ("If the trash can is empty, put the onion in it.", [])


def test_a_kettle_poured_into_a_pot_stays_out_of_it_and_from_it_is_the_tray_the_condition_locates():
    from serve_apps.conditions import unmet_conditions
    from serve_apps.goal_checks import poured_whole

    kitchen = load_world("rice_cooker_kitchen")
    poured = "Fill the kettle, boil it, and pour it into the soup pot."
    answer = [parse_literal("filled(kettle)"), parse_literal("in(kettle, soup_pot)")]
    assert poured_whole(kitchen, poured, answer) == ["in(kettle, soup_pot)"]
    assert poured_whole(kitchen, "Pour the rice into the rice cooker.", [parse_literal("in(rice, rice_cooker)")]) == []
    said = "If the tray's on the dining table, put the soup bowls from it in the sink."
    assert unmet_conditions(kitchen, said, WorldState.initial(kitchen)) == (said.replace("from it", "from the tray"), [])


@pytest.fixture(scope="module")
def barn():
    return load_world("barn_kitchen")


def test_an_alias_said_whole_names_its_thing_and_the_top_one_is_the_top_oven(barn):
    from serve_apps.clauses import it_by_state_spelled_out, ones_spelled_out
    from serve_apps.vocabulary import mentioned_names

    # "bottom oven" is the baking oven's alias: "roasting" of the roasting tin and "oven" of it
    # name no roasting oven
    assert mentioned_names(barn, "If the bottom oven is off, put the roasting tin in it") == {"baking_oven", "roasting_tin"}
    assert it_by_state_spelled_out(barn, "If the bottom oven is off, put the roasting tin in it and turn it on.") == (
        "If the bottom oven is off, put the roasting tin in the baking oven and turn the baking oven on."
    )
    # "the top one" is the thing whose own words say top, never a pot of "top pot"
    assert ones_spelled_out(barn, "Put the casserole dish in the bottom oven and turn the top one off.") == (
        "Put the casserole dish in the bottom oven and turn the roasting oven off."
    )


def test_it_is_the_one_thing_said_singly_and_what_the_words_cleared(barn):
    from serve_apps.clauses import it_by_state_spelled_out

    assert it_by_state_spelled_out(barn, "Take the tea towel, dry the mugs and hang it on the boot bench.") == (
        "Take the tea towel, dry the mugs and hang the tea towel on the boot bench."
    )
    assert it_by_state_spelled_out(barn, "Take the newspaper off the table and put the fruit bowl on it.") == (
        "Take the newspaper off the table and put the fruit bowl on the refectory table."
    )
    # two things said singly: "it" is left to be read as it is
    left = "Take the tea towel and the newspaper, wipe the mugs and put it on the bench."
    assert it_by_state_spelled_out(barn, left) == left


def test_a_thing_put_back_goes_where_it_came_from_or_into_the_opened_thing_that_holds_it(barn):
    from serve_apps.clauses import there_spelled_out
    from serve_apps.grounding import ground

    holders = WorldState.initial(barn).holders()  # the sourdough is in the bread bin, the milk jug in the fridge
    assert there_spelled_out(barn, "If the bread bin is shut, open it and put the sourdough back.", holders) == (
        "If the bread bin is shut, open it and put the sourdough back in the bread bin."
    )
    assert there_spelled_out(barn, "Take the milk jug out of the fridge, fill the teapot, and put the jug back.", holders) == (
        "Take the milk jug out of the fridge, fill the teapot, and put the jug back in the fridge."
    )
    # nothing the words name holds it: where it goes is left to what the world keeps it in
    assert there_spelled_out(barn, "Open the fridge and put the sourdough back.", holders) == "Open the fridge and put the sourdough back."
    sitting = load_world("sitting_room")
    assert ground(sitting, "If the wood burner's door is shut, open it and put the logs in.").text == (
        "If the wood burner is shut, open it and put the logs in."
    )


def test_a_step_no_skill_does_is_refused_and_a_saucepan_is_no_teapot(barn):
    # the model would move the mugs somewhere: nothing else is asked of them, so it is refused
    model = Scripted(goal("in(tea_towel, boot_bench)"), goal("in(mugs, boot_bench)"))
    refused = plan(barn, "Take the tea towel, dry the mugs and hang it on the boot bench.", model)
    assert not refused.ok and "'dry the mugs'" in refused.reason and "(dry)" in refused.reason
    # folding the throw before it goes on the sofa: the throw is put somewhere, so that is done
    sitting = load_world("sitting_room")
    folded = plan(sitting, "Fold the fleece and put it on the sofa.", Scripted(goal("in(fleece_blanket, corner_sofa)")))
    assert folded.ok and folded.goal == ["in(fleece_blanket, corner_sofa)"]
    # the things of type pot here are a teapot and a casserole dish: "saucepan" names neither
    assert ground(barn, "Put the eggs in the saucepan.").unknown == ["saucepan"]
    assert ground(load_world("island_kitchen"), "Put the eggs in the saucepan.").unknown == []
    assert ground(sitting, "Put the logs by the wood burner and close its door.").text == "Put the logs by the wood burner and close the wood burner."


def test_a_spared_thing_that_goes_elsewhere_is_a_request_of_its_own():
    from serve_apps.phrasing import left_alone

    condo = load_world("condo_kitchen")
    listed = left_alone(condo, "Put the orange juice and the milk in the refrigerator, except the cereal box, which goes in the pantry.")
    assert listed.text == "Put the orange juice and the milk in the refrigerator, and put the cereal box in the pantry."
    assert not listed.spared
    # after "everything" the mug is still left out of it, and its own place is said
    everything = left_alone(condo, "Put everything on the table in the dishwasher except the coffee mug, which goes in the sink.")
    assert everything.text == "Put everything on the table in the dishwasher, and put the coffee mug in the sink."
    assert everything.spared == {"coffee_mug"}


def test_one_place_said_is_one_place_and_back_on_the_burner_is_the_one_it_was_on():
    from serve_apps.clauses import there_spelled_out
    from serve_apps.goal_checks import split_between

    flat = load_world("apartment_kitchenette")  # a cutlery drawer and a freezer drawer; the frying pan on the right burner
    said = "Clean the fork and the teaspoon and put them in the drawer."
    split = [parse_literal("in(teaspoon, freezer_drawer)"), parse_literal("in(fork, cutlery_drawer)")]
    assert split_between(flat, said, split) == ["in(teaspoon, freezer_drawer)", "in(fork, cutlery_drawer)"]
    together = [parse_literal("in(teaspoon, cutlery_drawer)"), parse_literal("in(fork, cutlery_drawer)")]
    assert split_between(flat, said, together) == []
    assert split_between(flat, "Put the fork and the teaspoon in any drawer.", split) == []
    holders = WorldState.initial(flat).holders()
    assert there_spelled_out(flat, "Move the frying pan to the sink and wash it, then put it back on the burner.", holders) == (
        "Move the frying pan to the sink and wash it, then put it back on the right burner."
    )
    numbered = load_world("numbered_kitchen")
    apart = [parse_literal("in(mug, counter_1)"), parse_literal("in(bowl, counter_2)")]
    assert split_between(numbered, "Put the mug on counter 1 and the bowl on counter 2.", apart) == []


def test_a_place_a_thing_is_sent_on_from_is_no_place_the_goal_must_name():
    from serve_apps.goal_checks import things_asked_about

    flat = load_world("apartment_kitchenette")
    said = "Move the frying pan to the sink and wash the frying pan, then put the frying pan back on the right burner."
    assert things_asked_about(flat, said) == {"frying_pan"}  # not the sink (the burner is where it stands)
    # the pot the eggs go in is where they stay, and the pot goes on the burner
    kept = "Put the eggs in the small pot and put the small pot on the left burner."
    assert things_asked_about(flat, kept) == {"eggs", "small_pot", "left_burner"}


def test_a_coat_taken_out_of_a_closet_may_stay_in_the_hall_and_the_boots_beside_it_stay_put():
    from serve_apps.goal_checks import left_where_it_is, moved_instead
    from serve_apps.phrasing import located_by

    den = load_world("family_den")  # the rain jacket is in the coat closet in the hallway, the rain boots on the shoe rack there
    state = WorldState.initial(den)
    said = "Get the rain jacket out of the coat closet and hang it by the door with the rain boots."
    assert left_where_it_is(den, said, [parse_literal("at(rain_jacket, hallway)")], state) == []
    assert left_where_it_is(den, said, [parse_literal("in(rain_jacket, coat_closet)")], state) == ["in(rain_jacket, coat_closet)"]
    assert moved_instead(den, said, [parse_literal("at(rain_boots, hallway)")]) == ["at(rain_boots, hallway)"]
    assert "rain_boots" in located_by(den, said, state)[0]


def test_not_in_a_place_after_a_comma_is_where_it_does_not_go_and_a_condition_keeps_its_not():
    from serve_apps.phrasing import left_alone

    condo = load_world("condo_kitchen")
    said = left_alone(condo, "Put the bagels on the countertop, not in the fridge.")
    assert said.text == "Put the bagels on the countertop." and said.spared == {"refrigerator"}
    loft = load_world("loft_kitchen")
    kept = "If the ice cream is not in the freezer, put it in the freezer."
    assert left_alone(loft, kept).text == kept


@pytest.fixture(scope="module")
def garden():
    return load_world("garden_patio")


@pytest.fixture(scope="module")
def student():
    return load_world("student_flat")


def test_out_after_opening_a_box_is_out_of_it_and_them_is_what_came_out(garden):
    from serve_apps.clauses import opened_out_spelled_out
    from serve_apps.phrasing import reaches_back_to

    said = "Open the cool box, get the beers out and put them on the garden table."
    spelled = opened_out_spelled_out(garden, said)
    assert spelled == "Open the cool box, get the beers out of the cool box and put them on the garden table."
    # "them" is the beers, never the box they came out of (the model had moved the box to the table too)
    earlier = ["Open the cool box", "get the beers out of the cool box"]
    assert reaches_back_to(garden, "put them on the garden table", earlier, {"cool_box", "beers"}) == {"beers"}
    # a bare "out" names where from only right after the opening; "out of the X" is left as said
    kept = "Open the cool box and take the sausages out of the cool box."
    assert opened_out_spelled_out(garden, kept) == kept
    assert opened_out_spelled_out(garden, "Take the beers out and open the cool box.") == "Take the beers out and open the cool box."


def test_a_possessive_is_the_thing_a_world_calls_so_and_a_thing_named_empty_is_that_thing(student):
    from serve_apps.grounding import possessives_said

    said = possessives_said(student, "Put Sam's milk on Priya’s shelf and the cheese in Sam's cupboard.")
    assert said == "Put Sams milk on Priyas shelf and the cheese in Sams cupboard."
    assert {"sams_milk", "middle_shelf", "sams_cupboard"} <= mentioned_names(student, said)
    dorm = load_world("dorm_room")  # roommates_bed, also called "jakes bed": never my bed
    assert mentioned_names(dorm, possessives_said(dorm, "Put the hoodie on Jake's bed.")) & {"roommates_bed", "my_bed"} == {"roommates_bed"}
    assert possessives_said(student, "Close the fridge's door.") == "Close the fridge's door."
    # "the empty bottles" is the thing so named, not every bottle that is empty (none would be)
    assert scoped_quantifiers(student, "Take the empty bottles to the recycling.", WorldState.initial(student)) == {}


def test_bring_it_out_too_goes_where_the_clause_before_put_things(garden):
    said = "Put the picnic plates and the tumblers on the garden table, then bring the ketchup out too."
    assert too_spelled_out(said) == "Put the picnic plates and the tumblers on the garden table, then put the ketchup on the garden table."
    assert too_spelled_out("Put the pear in the bin, and the banana too.") == "Put the pear and the banana in the bin."


def test_a_step_no_skill_does_is_left_undone_with_its_tool_and_leave_it_spares_the_thing(student):
    from serve_apps.phrasing import left_alone

    said = "Wash the frying pan and put it on the draining rack, then dry it with the tea towel."
    assert "tea_towel" in tools_named(student, said)
    # the model had put the tea towel on the rack, then washed it when told the towel was left out
    done = plan(student, said, Scripted(goal("clean(frying_pan)"), goal("in(frying_pan, draining_rack)"), goal("in(tea_towel, draining_rack)")))
    assert done.ok and done.goal == ["clean(frying_pan)", "in(frying_pan, draining_rack)"]
    assert done.left_undone == ["dry it with the tea towel"]
    spared = left_alone(student, "If the frying pan is still hot, leave it and wash the mugs instead.")
    assert spared.spared == {"frying_pan"} and spared.text == "If the frying pan is still hot, wash the mugs instead."


def test_a_condition_said_last_about_nothing_asked_holds_for_every_step(garden):
    from serve_apps.clauses import trailing_condition_spelled_out

    said = "Take the cushions out of the chest and put them on the bench, unless the parasol is closed."
    assert trailing_condition_spelled_out(garden, said) == "Unless the parasol is closed, take the cushions out of the chest and put them on the bench."
    # a condition about what the last step names is that step's
    kept = "Put the burgers on the barbecue and close the lid, if the barbecue is on."
    assert trailing_condition_spelled_out(garden, kept) == kept
    # the parasol is closed: nothing is done, not only the last step left undone
    refused = plan(garden, said, Scripted(goal("not in(cushions, cushion_chest)")))
    assert not refused.ok and "unless the parasol is closed" in refused.reason
    # "them" is the cushions: the one parasol, named only in the condition, need not be in the goal
    done = plan(garden, "Take the cushions out of the chest and put them on the bench, unless the parasol is open.", Scripted(goal("in(cushions, garden_bench)")))
    assert done.ok and done.goal == ["in(cushions, garden_bench)"]


def test_in_it_after_putting_a_pan_on_a_burner_is_the_pan_and_there_is_the_last_place_said(garden):
    from serve_apps.clauses import it_after_list_spelled_out, it_by_state_spelled_out, there_spelled_out

    assert it_by_state_spelled_out(garden, "Put the griddle pan on the side burner and the sausages in it, then light the burner.") == (
        "Put the griddle pan on the side burner and the sausages in the griddle pan, then light the burner."
    )
    holders = WorldState.initial(garden).holders()
    said = "Take the seed trays off the potting bench and stack them on the shelf, then put the watering can there."
    assert there_spelled_out(garden, said, holders).endswith("put the watering can on the shed shelf.")
    # "on the cob" is part of a name, and "off the trolley" takes away: "it" is no trolley
    cob = "Take the corn on the cob off the trolley, wash it and put it on the barbecue."
    assert it_after_list_spelled_out(garden, cob) == cob


def test_a_verb_asks_its_state_of_what_its_own_step_names_and_an_alias_said_whole_says_no_more(student):
    from serve_apps.goal_checks import states_out_of_reach
    from serve_apps.vocabulary import goal_literals

    said = "Wipe the table, then put the cereal, the oat milk and the cereal bowl on it."
    names = {"kitchen_table", "cereal", "oat_milk", "cereal_bowl"}
    offered = goal_literals(student, names)
    assert "clean(cereal_bowl)" in offered  # the bowl can be clean; the table, which the wiping names, cannot
    assert states_out_of_reach(student, said, offered) == [
        "'Wipe the table' asks for clean, and nothing it names can be made so in the student_flat world"
    ]
    assert mentioned_names(student, "Put the pot noodle on the table.") == {"instant_noodles", "kitchen_table"}  # no pot


def test_a_log_is_one_of_the_logs_and_goes_into_what_was_just_opened():
    sitting = load_world("sitting_room")  # logs (type firewood) and a log basket
    assert mentioned_names(sitting, "Put a log on the fire.") & {"logs", "log_basket"} == {"logs"}
    assert mentioned_names(sitting, "Put it in the log basket.") == {"log_basket"}
    grounded = ground(sitting, "If the wood burner is on, open its door and put a log in.")
    assert grounded.text == "If the wood burner is on, open the wood burner and put a log in the wood burner."
    # the model had opened the burner and left the log out
    done = plan(sitting, "If the wood burner is on, open its door and put a log in.", Scripted(goal("open(wood_burner)"), goal("in(logs, wood_burner)")))
    assert done.ok and done.goal == ["open(wood_burner)", "in(logs, wood_burner)"]


def test_it_after_a_condition_is_its_thing_and_turning_down_is_no_state():
    from serve_apps.clauses import it_of_the_condition_spelled_out, verb_no_skill_says
    from serve_apps.phrasing import left_alone

    condo = load_world("condo_kitchen")
    said = "If the milk is still out, put it in the refrigerator; if the juice is in there, bring it to the table."
    assert it_of_the_condition_spelled_out(condo, said) == (
        "If the milk is still out, put the milk in the refrigerator; if the juice is in there, bring the orange juice to the table."
    )
    # a thing that cannot be carried, or called in the other number, is left to the other readings
    assert it_of_the_condition_spelled_out(condo, "If the oven is off, switch it on.") == "If the oven is off, switch it on."
    assert it_of_the_condition_spelled_out(condo, "If the eggs are cold, put it away.") == "If the eggs are cold, put it away."
    # "leave it" spares the thing, and "turn it off" is read with "it" as it is
    for kept in ("If the ice cream's in the freezer, leave it, but put the orange juice on the table.", "If the radio is on, turn it off."):
        assert it_of_the_condition_spelled_out(condo, kept) == kept
    assert verb_no_skill_says(condo, "turn the radio down") == "turn down" and verb_no_skill_says(condo, "turn the radio off") is None
    refused = plan(condo, "When the radio is on, turn it down and put the cell phone in the junk drawer.", Scripted(goal("in(radio, junk_drawer)")))
    assert not refused.ok and "(turn down)" in refused.reason
    spared = left_alone(condo, "If the ice cream's in the freezer, leave it, but put the orange juice on the table.")
    assert spared.spared == {"ice_cream"} and spared.text == "If the ice cream's in the freezer, put the orange juice on the table."
