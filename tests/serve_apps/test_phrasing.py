"""Phrases read without the model: containers carried with their contents, things that locate (no model)."""

from __future__ import annotations

import asyncio

from fleet.config import PlannerConfig
from fleet.literals import parse_literal
from fleet.state import WorldState
from fleet.world import load_world
from serve_apps.phrasing import carried_contents, located_by, narrowed
from serve_apps.clauses import request_groups
from serve_apps.planner import LanguagePlanner, PlanRequest
from tests.serve_apps.test_planner import Scripted, goal, plan


def test_a_container_carried_with_its_contents_keeps_them_in_it():
    loft = load_world("loft_living_room")
    fixed, text = carried_contents(loft, "Take the storage box with the blanket in it to the reading corner.")
    assert fixed == ["in(wool_blanket, storage_box)"] and text == "Take the storage box to the reading corner."
    # not a container, or the words name no one thing: left to the model as they are
    assert carried_contents(loft, "Take the novel with the magazine in it to the desk.")[0] == []
    model = Scripted(goal("at(storage_box, reading_corner)"))
    response = plan(loft, "Take the storage box with the blanket in it to the reading corner.", model)
    assert response.ok and set(response.goal) == {"at(storage_box, reading_corner)", "in(wool_blanket, storage_box)"}
    assert model.requests[0].messages[-1]["content"] == "Take the storage box to the reading corner."


def test_a_thing_that_only_locates_offers_where_it_stands():
    powder = load_world("powder_room")
    state = WorldState.initial(powder)
    assert located_by(powder, "Put the spare soap next to the hand soap.", state) == ({"hand_soap"}, {"windowsill"})
    model = Scripted(goal("in(spare_soap, windowsill)"))
    response = plan(powder, "Put the spare soap next to the hand soap.", model)
    assert response.ok and response.goal == ["in(spare_soap, windowsill)"]  # the hand soap need not be in the goal
    assert "in(spare_soap, windowsill)" in model.requests[0].schema_["properties"]["goal"]["items"]["enum"]


def test_a_list_gives_each_thing_its_own_literal_and_none_may_be_dropped():
    galley = load_world("galley_kitchen")
    model = Scripted(goal("in(butter, nook_table)"), goal("in(milk, nook_table)"), goal("in(egg, nook_table)"))
    response = plan(galley, "Put the butter, the milk and the egg on the nook table.", model)
    assert response.ok and response.goal == ["in(butter, nook_table)", "in(milk, nook_table)", "in(egg, nook_table)"]
    assert [r.messages[-1]["content"] for r in model.requests] == [f"Put the {x} on the nook table" for x in ("butter", "milk", "egg")]
    dropping = Scripted(goal("in(butter, nook_table)"))  # says only the first thing, every time
    refused = plan(galley, "Put the butter, the milk and the egg on the nook table.", dropping)
    assert not refused.ok and "leaves out" in refused.reason


def test_every_thing_asked_for_all_of_must_be_covered():
    galley = load_world("galley_kitchen")
    state = ["open(upper_cupboard)", "open(cutlery_drawer)"]
    partial = Scripted(goal("not open(cutlery_drawer)"))
    facts = sorted(WorldState.initial(galley).with_facts([parse_literal(s) for s in state]).facts)
    response = asyncio.run(
        LanguagePlanner(PlannerConfig(), partial).plan(PlanRequest(text="Close every cupboard and drawer.", world=galley, facts=facts))
    )
    assert not response.ok and "leaves out all cabinet" in response.reason


def test_an_answer_that_puts_the_holder_in_the_thing_is_sent_back():
    media = load_world("media_room")
    model = Scripted(goal("in(bar_cart, sofa)"))
    response = plan(media, "Put the sofa on the bar cart.", model)
    # the sofa stays put; in(bar_cart, sofa) is sent back as backwards, and then nothing is left to offer
    assert not response.ok and "the other way round" in response.attempts[0].error
    assert len(model.requests) == 1 and "can be moved or changed" in response.reason
    kids = load_world("kids_bedroom")
    swapped = Scripted(goal("in(school_bag, pencil_case)"), goal("in(pencil_case, school_bag)"))
    response = plan(kids, "Put the pencil case in the school bag.", swapped)
    assert response.ok and response.goal == ["in(pencil_case, school_bag)"]
    assert "the other way round" in response.attempts[0].error


def test_a_condition_stays_with_its_request_and_asks_for_nothing():
    galley = load_world("galley_kitchen")
    assert request_groups(galley, "If the microwave is running, turn it off.") == [["If the microwave is running, turn it off"]]
    model = Scripted(goal("not switched_on(microwave)"))
    facts = sorted(WorldState.initial(galley).with_facts([parse_literal("switched_on(microwave)")]).facts)
    response = asyncio.run(
        LanguagePlanner(PlannerConfig(), model).plan(PlanRequest(text="If the microwave is running, turn it off.", world=galley, facts=facts))
    )
    offered = model.requests[0].schema_["properties"]["goal"]["items"]["enum"]
    assert response.ok and "not switched_on(microwave)" in offered and "switched_on(microwave)" not in offered


def test_words_that_pick_one_thing_of_a_kind_narrow_the_names():
    galley = load_world("galley_kitchen")
    state = WorldState.initial(galley)
    mugs = {"red_mug", "green_mug", "nook_table"}
    assert narrowed(galley, "Wash the mug from the nook table", mugs, state) == {"red_mug", "nook_table"}
    assert narrowed(galley, "Wash the dirty plate", {"blue_plate", "white_plate"}, state) == {"blue_plate"}
    assert narrowed(galley, "Bring a mug", {"red_mug", "green_mug"}, state) == {"red_mug", "green_mug"}


def test_an_answer_that_leaves_a_thing_where_it_comes_from_is_sent_back():
    media = load_world("media_room")
    model = Scripted(goal("in(whisky_glass, coffee_table)"), goal("in(whisky_glass, bar_cart)"))
    response = plan(media, "Clear the whisky glass off the coffee table onto the bar cart.", model)
    assert response.ok and response.goal == ["in(whisky_glass, bar_cart)"]
    assert "where the request does not" in response.attempts[0].error
    assert "in(whisky_glass, coffee_table)" not in model.requests[-1].schema_["properties"]["goal"]["items"]["enum"]
