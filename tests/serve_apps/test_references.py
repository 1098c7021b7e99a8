"""Which thing the words mean, and answers that do something else: read without the model (no model)."""

from __future__ import annotations

import pytest

from fleet.lexicon import asked_states, described_states
from fleet.literals import parse_literal
from fleet.state import WorldState
from fleet.world import load_world
from serve_apps.clauses import asked_in_clauses, colon_spelled_out, made_spelled_out, request_groups
from serve_apps.goal_checks import against_verbs, misplaced, moved_unasked, sent_elsewhere, states_left_out
from serve_apps.phrasing import narrowed, pointed_back, unclear_references, worked_at
from serve_apps.planner import merge_goals
from serve_apps.vocabulary import mentioned_names
from tests.serve_apps.test_planner import Scripted, goal, plan


def literals(*texts: str):
    return [parse_literal(t) for t in texts]


def test_a_verb_shared_by_two_things_with_their_own_particles_is_two_requests():
    loft = load_world("loft_living_room")
    assert request_groups(loft, "Switch the floor lamp on and the desk lamp off.") == [
        ["Switch the floor lamp on", "Switch the desk lamp off"]
    ]
    assert request_groups(loft, "Turn the tv off, the floor lamp on and the ceiling light off.") == [
        ["Turn the tv off", "Turn the floor lamp on", "Turn the ceiling light off"]
    ]
    # the whole request asks for what each of its clauses asks for
    assert ("switched_on", False) in asked_in_clauses(loft, "Turn the tv off, the floor lamp on and the ceiling light off.")


def test_the_off_of_turn_off_takes_nothing_off_anything():
    kids = load_world("kids_bedroom")
    assert asked_states(kids, "Turn the tablet off") == {("switched_on", True)}
    assert ("in", True) in asked_states(kids, "Take the book off the bed")
    assert ("in", True) in asked_states(kids, "Turn off the lamp and take the book off the bed")


def test_an_adjective_after_an_article_says_which_thing_and_asks_nothing():
    household = load_world("household")
    assert asked_states(household, "Put the dirty mug in the sink") == frozenset()
    assert ("clean", False) in asked_states(household, "Wash the dirty mug")
    assert ("sliced", False) in asked_states(household, "Put a sliced apple in the fridge")  # no skill undoes it
    assert described_states("Close the open drawer") == {("open", True)}
    assert described_states("Make sure the fridge is closed") == set()  # asked, not described
    assert described_states("the mug that is still cold") == {("hot", False)}


def test_the_words_pick_one_of_several_things_of_a_kind():
    galley = load_world("galley_kitchen")  # the red mug is dirty on the nook table, the green one clean in the cupboard
    state = WorldState.initial(galley)

    def picked(text: str) -> set[str]:
        return narrowed(galley, text, mentioned_names(galley, text), state)

    assert {"blue_plate"} == picked("Wash the plate.") & {"blue_plate", "white_plate"}  # the one not clean yet
    assert {"upper_cupboard"} == picked("Put the fork in the sink side cupboard.") & {"upper_cupboard", "lower_cupboard"}
    warehouse = load_world("warehouse")
    text = "Bring the box on shelf B over to shelf A."
    assert narrowed(warehouse, text, mentioned_names(warehouse, text), WorldState.initial(warehouse)) & {"red_box", "green_box", "blue_box"} == {"blue_box"}


def test_a_thing_the_words_do_not_single_out_is_refused_naming_the_choices():
    galley = load_world("galley_kitchen")
    state = WorldState.initial(galley)
    text = "Put the mug in the microwave."
    assert unclear_references(galley, text, mentioned_names(galley, text), state) == ["'mug' could be green mug or red mug"]
    for clear in ("Put either mug in the microwave.", "Put the mugs in the microwave.", "Put the milk on the counter.", "Get the fork out of the drawer."):
        assert unclear_references(galley, clear, narrowed(galley, clear, mentioned_names(galley, clear), state), state) == []
    model = Scripted(goal("in(green_mug, microwave)"))
    response = plan(galley, text, model)
    assert not response.ok and "does not say which one" in response.reason and "green mug or red mug" in response.reason
    assert model.requests == []  # refused before any guess


@pytest.mark.parametrize(
    "world, text, spelled",
    [
        ("studio_apartment", "Turn everything off in the living area: the TV and the lamp.", "Turn the TV and the lamp off in the living area."),
        ("powder_room", "Swap the guest towel for the clean one: dirty one in the bin, clean one on the vanity.", "Put the dirty towel in the bin, put the clean towel on the vanity."),
        ("galley_kitchen", "Clear the nook table: the mug and the plate go in the sink side cupboard.", "Put the mug and the plate from the nook table in the sink side cupboard."),
        ("galley_kitchen", "Tidy up: put the milk in the fridge.", "Put the milk in the fridge."),
        ("galley_kitchen", "Close these: the fridge and the microwave.", "Close the fridge and the microwave."),
        ("galley_kitchen", "At 10:30 put the milk in the fridge.", "At 10:30 put the milk in the fridge."),
    ],
)
def test_a_colon_that_spells_out_the_request_becomes_plain_requests(world, text, spelled):
    assert colon_spelled_out(load_world(world), text) == spelled


def test_an_answer_that_says_the_opposite_of_a_verb_is_sent_back():
    loft = load_world("loft_living_room")
    text = "Switch the floor lamp on and the desk lamp off."
    assert against_verbs(loft, text, literals("switched_on(floor_lamp)", "switched_on(desk_lamp)")) == ["switched_on(desk_lamp)"]
    assert against_verbs(loft, text, literals("switched_on(floor_lamp)", "not switched_on(desk_lamp)")) == []
    galley = load_world("galley_kitchen")  # opened, then closed again: either may be said
    assert against_verbs(galley, "Open the fridge, take out the milk and close the fridge.", literals("not open(fridge)")) == []
    first = [goal("switched_on(floor_lamp)"), goal("not switched_on(tv)"), goal("switched_on(desk_lamp)")]
    model = Scripted(*first, goal("switched_on(floor_lamp)"), goal("not switched_on(tv)"), goal("not switched_on(desk_lamp)"))
    response = plan(loft, "Turn on the floor lamp and turn off the tv and the desk lamp.", model)
    assert "switched_on(desk_lamp) is the opposite of what the request's verb asks" in response.attempts[0].error
    assert response.ok and response.goal == ["switched_on(floor_lamp)", "not switched_on(tv)", "not switched_on(desk_lamp)"]


def test_an_answer_that_sends_a_thing_somewhere_else_is_sent_back():
    warehouse = load_world("warehouse")
    text = "Can someone take the bin on shelf D to dock A?"
    assert sent_elsewhere(warehouse, text, literals("at(parts_bin, shelf_a)")) == ["at(parts_bin, shelf_a)"]
    assert sent_elsewhere(warehouse, text, literals("at(parts_bin, loading_dock_a)")) == []
    powder = load_world("powder_room")  # next to the hand soap is on its windowsill
    assert sent_elsewhere(powder, "Put the spare soap next to the hand soap.", literals("in(spare_soap, windowsill)")) == []
    loft = load_world("loft_living_room")  # "in it": the pronoun says where
    assert sent_elsewhere(loft, "Move the toy crate next to the sofa and put the magazine in it.", literals("in(magazine, toy_crate)")) == []
    galley = load_world("galley_kitchen")  # taking a thing out of where the words send it
    assert misplaced(galley, "The mug goes in the upper cupboard.", literals("not in(green_mug, upper_cupboard)")) == ["not in(green_mug, upper_cupboard)"]
    model = Scripted(goal("at(parts_bin, shelf_a)"), goal("at(parts_bin, loading_dock_a)"))
    response = plan(warehouse, text, model)
    assert response.ok and response.goal == ["at(parts_bin, loading_dock_a)"]
    assert "at(parts_bin, shelf_a)" not in model.requests[1].schema_["properties"]["goal"]["items"]["enum"]  # off the menu


def test_a_thing_changed_on_a_surface_ends_up_there():
    household = load_world("household")  # the cheese is in the fridge
    state = WorldState.initial(household)
    assert worked_at(household, "Slice the cheese on the kitchen counter.", state) == (["at(cheese, kitchen_counter)"], "Slice the cheese.")
    studio = load_world("studio_apartment")  # the orange is on the dining table already: the words only say which
    assert worked_at(studio, "Slice the orange on the dining table.", WorldState.initial(studio))[0] == []
    assert worked_at(studio, "Heat up the loaf in the microwave.", WorldState.initial(studio))[0] == []  # the appliance works it
    assert worked_at(household, "Put the cheese on the kitchen counter.", state)[0] == []  # no change asked
    model = Scripted(goal("sliced(cheese)"))
    response = plan(household, "Slice the cheese on the kitchen counter.", model)
    assert response.ok and response.goal == ["sliced(cheese)", "at(cheese, kitchen_counter)"]


def test_a_thing_to_make_is_the_state_of_the_one_thing_that_makes_it():
    galley = load_world("galley_kitchen")
    assert made_spelled_out(galley, "Make toast.") == "Toast the bread."
    assert made_spelled_out(load_world("household"), "Could you make me a coffee?") == "Switch on the coffee machine."
    assert made_spelled_out(galley, "Make the bed.") == "Make the bed."  # not a thing made
    loft = load_world("loft_living_room")  # no bread to toast: left to the usual reading, which refuses it
    assert made_spelled_out(loft, "Make toast.") == "Make toast."
    model = Scripted(goal("toasted(bread)"))
    response = plan(galley, "Make toast.", model)
    assert response.ok and response.goal == ["toasted(bread)"]


def test_that_kind_points_back_to_the_one_named_before():
    galley = load_world("galley_kitchen")
    both = {"front_burner", "back_burner"}
    assert pointed_back(galley, "turn that burner on", both, {"frying_pan", "back_burner"}) == {"front_burner"}
    # a plain "the burner" said again is the one named before too ("put the pan on the back burner
    # and turn the burner on"), unless the words say where it goes or where it is
    assert pointed_back(galley, "turn the burner on", both, {"back_burner"}) == {"front_burner"}
    assert pointed_back(galley, "put the saucepan on the burner", both | {"saucepan"}, {"back_burner"}) == set()
    assert pointed_back(galley, "turn the burner by the window on", both, {"back_burner"}) == set()


def test_a_request_for_states_only_moves_nothing():
    kids = load_world("kids_bedroom")
    assert moved_unasked(kids, "Switch off the lamp by the bed.", literals("at(desk_lamp, sleeping_corner)")) == ["at(desk_lamp, sleeping_corner)"]
    studio = load_world("studio_apartment")
    assert moved_unasked(studio, "Heat up the loaf in the microwave.", literals("in(loaf, microwave)")) == []  # said where
    assert moved_unasked(studio, "Turn on the tv and put the keys on the couch.", literals("in(keys, couch)")) == []


def test_a_state_a_later_clause_undoes_is_not_asked_of_the_goal():
    studio = load_world("studio_apartment")
    text = "Open the wardrobe, put the bath towel in it and close it again."
    goal_said = literals("in(bath_towel, wardrobe)", "not open(wardrobe)")
    assert states_left_out(studio, text, goal_said) == [] and against_verbs(studio, text, goal_said) == []
    assert merge_goals([["open(wardrobe)"], ["in(bath_towel, wardrobe)"], ["not open(wardrobe)"]]) == ["in(bath_towel, wardrobe)", "not open(wardrobe)"]


def test_things_called_by_one_word_are_told_apart_by_where_they_stand():
    media = load_world("media_room")  # the whisky glass is on the coffee table, the wine glass on the bar cart
    text = "Put the glass on the coffee table in the sideboard."
    kept = narrowed(media, text, mentioned_names(media, text) | {"wine_glass"}, WorldState.initial(media))
    assert "whisky_glass" in kept and "wine_glass" not in kept


def test_a_thing_changed_by_another_is_the_one_of_its_type_standing_there():
    studio = load_world("studio_apartment")  # the standing lamp is in the living area, the night light by the bed
    text = "Turn off the lamp by the bed."
    kept = narrowed(studio, text, mentioned_names(studio, text), WorldState.initial(studio))
    assert "night_light" in kept and "standing_lamp" not in kept
    powder = load_world("powder_room")  # a thing put next to another is not swapped for one already there
    text = "Put the spare soap next to the hand soap."
    assert "spare_soap" in narrowed(powder, text, mentioned_names(powder, text), WorldState.initial(powder))


def test_a_thing_called_by_a_name_only_it_has_is_never_narrowed_away():
    kids = load_world("kids_bedroom")  # the comic and the picture book are both books; the picture book is on the bunk bed
    text = "Put the comic on the bunk bed next to the picture book."
    assert "comic" in narrowed(kids, text, mentioned_names(kids, text), WorldState.initial(kids))
    galley = load_world("galley_kitchen")  # "the mug" is no name of its own: the one on the nook table
    text = "Take the mug on the nook table to the sink."
    assert narrowed(galley, text, mentioned_names(galley, text), WorldState.initial(galley)) & {"red_mug", "green_mug"} == {"red_mug"}


def test_a_plural_after_beside_only_says_where():
    loft = load_world("loft_living_room")  # the house keys (type keys) lie on the coffee table
    response = plan(loft, "Put the wallet on the coffee table beside the keys.", Scripted(goal("in(wallet, coffee_table)")))
    assert response.ok and response.goal == ["in(wallet, coffee_table)"], response.reason


def test_a_kind_with_one_spared_is_never_asked_for_as_all():
    galley = load_world("galley_kitchen")  # a red and a green mug
    model = Scripted(goal("clean(red_mug)"))
    response = plan(galley, "Wash the mugs but not the green one.", model)
    assert response.ok and response.goal == ["clean(red_mug)"], response.reason
    assert "all mug" not in str(model.requests[0].schema_)

