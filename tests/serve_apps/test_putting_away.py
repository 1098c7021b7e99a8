"""Where things are kept, and requests to put them away, tidy up or throw them out (no model)."""

from __future__ import annotations

import pytest

from fleet.errors import FleetError, WorldError
from fleet.homes import home_of
from fleet.literals import parse_literal
from fleet.state import WorldState
from fleet.world import load_world, world_from_dict
from serve_apps.putting_away import asks_to_put_away, put_away_goal, put_away_parts
from tests.serve_apps.test_planner import Scripted, goal, plan


@pytest.fixture(scope="module")
def galley():
    return load_world("galley_kitchen")


def test_homes_come_from_the_shared_table_by_type_then_category(galley, household):
    assert home_of(galley, "milk") == "fridge"  # dairy
    assert home_of(galley, "fork") == "any drawer"  # cutlery, and the galley has two drawers
    assert home_of(galley, "red_mug") == "any cabinet"  # dishes
    assert home_of(galley, "bread") == "any cabinet"  # the type's own entry wins over food -> fridge
    assert home_of(household, "book") is None  # reading things go on a shelf or desk; it has neither


def test_a_world_and_an_object_override_the_shared_table(household_data):
    household_data["kept_in"] = {"fruit": ["cabinet"]}
    for obj in household_data["objects"]:
        if obj["name"] == "banana":
            obj["kept_in"] = ["fruit_bowl"]
    world = world_from_dict(household_data)
    assert home_of(world, "apple") == "cabinet" and home_of(world, "banana") == "fruit_bowl"
    assert home_of(world, "milk") == "fridge"  # the shared table still speaks for the rest


def test_kept_in_entries_must_name_things_and_receptacles_of_the_world(household_data):
    household_data["kept_in"] = {"pizza": ["fridge"], "fruit": ["garage"]}
    with pytest.raises(WorldError) as err:
        world_from_dict(household_data)
    assert "'pizza' is no object, type or category" in str(err.value) and "'garage' names no receptacle" in str(err.value)


@pytest.mark.parametrize(
    "text, put_away",
    [
        ("Put the milk away.", True),
        ("Tidy up the nook table.", True),
        ("Put the cutlery where it belongs.", True),
        ("Throw the potato away.", True),
        ("Put them away in the upper cupboard.", False),  # it says where
        ("Put the butter back in the fridge.", False),
        ("Take the potato out of the bin.", False),
        ("Put the milk on the nook table.", False),
    ],
)
def test_which_requests_ask_to_put_things_away(galley, text, put_away):
    assert asks_to_put_away(galley, text) is put_away


def test_put_away_goals_come_from_homes_and_the_rest_goes_to_the_model(galley):
    state = WorldState.initial(galley)
    assert put_away_parts(galley, "Put the milk away.", state) == (["in(milk, fridge)"], "")
    fixed, rest = put_away_parts(galley, "Wash the red mug and put it away.", state)
    assert fixed == ["in(red_mug, upper_cupboard)"] and rest == "Wash the red mug."  # "it" is the mug; the cupboard the other mug is in
    # an area: what on it is out of place goes home; what is already home stays
    fixed, _ = put_away_parts(galley, "Put away the things on the right counter.", state)
    assert "in(dish_sponge, any cabinet)" in fixed and not any("kettle" in lit for lit in fixed)
    assert put_away_parts(galley, "Get rid of the egg and close the fridge", state) == (["in(egg, bin)"], "close the fridge.")
    with pytest.raises(FleetError, match="does not say what to put away"):
        put_away_parts(galley, "Tidy up.", state)


def test_a_thing_with_no_known_home_is_refused_with_a_reason(household):
    response = plan(household, "Put the book away.", Scripted(goal("in(book, cabinet)")))
    assert not response.ok and "does not say where book is kept" in response.reason


def test_a_put_away_request_is_planned_without_the_model(galley):
    model = Scripted(goal("broken(egg)"))  # would be wrong: it must never be asked
    response = plan(galley, "Put the blue plate away.", model)
    assert response.ok and response.goal == ["in(blue_plate, upper_cupboard)"] and not model.requests  # where the other plate is
    assert [s.skill for s in response.plan.subtasks][-1] == "close"  # put in a cupboard, which is closed again
    washed = Scripted(goal("clean(red_mug)"))
    response = plan(galley, "Wash the red mug and put it away.", washed)
    assert response.ok and response.goal == ["clean(red_mug)", "in(red_mug, upper_cupboard)"]
    assert washed.requests[0].messages[-1]["content"] == "Wash the red mug."


def test_where_they_belong_after_the_request_says_where_is_only_a_manner_of_speaking():
    studio = load_world("studio_apartment")
    assert not asks_to_put_away(studio, "Put the sneakers on the shoe rack where they belong")
    assert asks_to_put_away(studio, "Put the sneakers where they belong")
    assert asks_to_put_away(studio, "put the things on the couch where they belong")  # where they are, not where they go


def test_put_back_takes_a_moved_thing_to_where_the_world_set_it():
    loft = load_world("loft_living_room")  # the vase stands on the side table; the decor table keeps vases on shelves
    state = WorldState.initial(loft).with_facts([parse_literal("in(glass_vase, desk)")])
    assert put_away_parts(loft, "Put the vase back where it was.", state)[0] == ["in(glass_vase, side_table)"]
    assert put_away_parts(loft, "Put the vase away.", state)[0] == ["in(glass_vase, bookshelf)"]
    # still where the world set it: "back" can only mean where vases are kept
    assert put_away_parts(loft, "Put the vase back.", WorldState.initial(loft))[0] == ["in(glass_vase, bookshelf)"]
    assert put_away_parts(loft, "Put the vase back where it belongs.", state)[0] == ["in(glass_vase, bookshelf)"]


def test_a_home_is_a_fixed_receptacle_before_one_that_is_carried_about():
    kids = load_world("kids_bedroom")  # two boxes: the toy chest, and the pencil case one carries
    assert home_of(kids, "teddy_bear") == home_of(kids, "toy_robot") == "toy_chest"
    assert home_of(kids, "school_book") == "book_shelf"  # one of a kind: the same as before


def test_any_drawer_is_the_one_where_things_of_its_kind_are_kept_now():
    office = load_world("home_office")  # the red pen is in the top drawer, the blue one on the desk
    state = WorldState.initial(office)
    # the red pen is already in the drawer with the stapler: the same drawer
    assert put_away_goal(office, "Put the pens away.", state, set()) == ["in(blue_pen, top_drawer)", "in(red_pen, top_drawer)"]
    # no pen in a drawer: the drawer the other stationery (the stapler) is in
    moved = WorldState(office, [f for f in state.facts if f != ("in", "red_pen", "top_drawer")] + [("in", "red_pen", "writing_desk")])
    assert put_away_goal(office, "Put the blue pen away.", moved, set()) == ["in(blue_pen, top_drawer)"]
    # nothing of its kind or category in a drawer: any drawer will do
    bare = WorldState(office, [f for f in moved.facts if f != ("in", "stapler", "top_drawer")] + [("in", "stapler", "writing_desk")])
    assert put_away_goal(office, "Put the blue pen away.", bare, set()) == ["in(blue_pen, any drawer)"]
