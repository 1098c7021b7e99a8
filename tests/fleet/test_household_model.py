"""The household world model: receptacles that travel with their contents, appliances that act
on what is in them, work on things standing on surfaces, and conditional skill effects."""

from __future__ import annotations

import pytest

from fleet.errors import GoalError, PlanningError, WorldError
from fleet.goals import parse_goal
from fleet.literals import parse_literal
from fleet.planning import plan_goal
from fleet.sim import Simulation
from fleet.state import WorldState
from fleet.validate import spread_assignment
from fleet.world import world_from_dict


def kitchen_data() -> dict:
    """A small kitchen written for these tests: a bowl that can be carried, appliances, a counter."""
    return {
        "name": "test_kitchen",
        "skill_libraries": ["standard", "kitchen"],
        "places": [
            {"name": "kitchen", "kind": "room", "xy": [0, 0]},
            {"name": "dining_room", "kind": "room", "xy": [6, 0]},
        ],
        "objects": [
            {"name": "counter", "type": "counter_top", "location": "kitchen", "pickable": False, "receptacle": True, "mass": 50},
            {"name": "bowl", "type": "bowl", "location": "counter", "receptacle": True, "mass": 0.4},
            {"name": "pear", "type": "pear", "location": "bowl", "mass": 0.2, "states": {"sliced": False}},
            {"name": "apple", "type": "apple", "location": "counter", "mass": 0.2, "states": {"sliced": False}},
            {"name": "knife", "type": "knife", "location": "counter", "mass": 0.1},
            {"name": "mug", "type": "mug", "location": "counter", "mass": 0.3, "states": {"hot": False, "filled": False}},
            {"name": "bread", "type": "bread", "location": "counter", "mass": 0.3, "states": {"toasted": False}},
            {"name": "egg", "type": "egg", "location": "counter", "mass": 0.1, "states": {"cooked": False, "broken": False}},
            {"name": "pan", "type": "pan", "location": "counter", "receptacle": True, "mass": 1.0},
            {"name": "burner", "type": "stove_burner", "location": "kitchen", "pickable": False, "receptacle": True, "mass": 30,
             "states": {"switched_on": False}},
            {"name": "microwave", "type": "microwave", "location": "kitchen", "pickable": False, "receptacle": True, "mass": 15,
             "states": {"open": False, "switched_on": False}},
            {"name": "toaster", "type": "toaster", "location": "kitchen", "pickable": False, "receptacle": True, "mass": 3,
             "states": {"switched_on": False}},
            {"name": "sink", "type": "sink", "location": "kitchen", "pickable": False, "mass": 20},
            {"name": "table", "type": "dining_table", "location": "dining_room", "pickable": False, "receptacle": True, "mass": 30},
            {"name": "top_drawer", "type": "drawer", "location": "kitchen", "pickable": False, "receptacle": True, "mass": 5,
             "states": {"open": False}},
            {"name": "low_drawer", "type": "drawer", "location": "kitchen", "pickable": False, "receptacle": True, "mass": 5,
             "states": {"open": True}},
            {"name": "spoon", "type": "spoon", "location": "table", "mass": 0.05},
        ],
        "robot_kinds": {
            "arm": {"capabilities": ["navigate", "grasp", "manipulate"], "speed": 1.0, "payload": 5, "battery": {"capacity_wh": 500}},
            "rover": {"capabilities": ["navigate", "inspect"], "speed": 1.5, "payload": 0, "battery": {"capacity_wh": 300}},
        },
        "robots": [
            {"name": "ada", "kind": "arm", "start": "kitchen"},
            {"name": "ben", "kind": "arm", "start": "dining_room"},
            {"name": "rex", "kind": "rover", "start": "kitchen"},
        ],
    }


@pytest.fixture(scope="module")
def kitchen():
    return world_from_dict(kitchen_data(), source="test kitchen")


def run(world, goal):
    """Plan a goal and execute it in the simulation core; returns the final facts."""
    plan = plan_goal(world, goal)
    literals = [parse_literal(g) for g in goal]
    result = Simulation(world, seed=0).run(plan, spread_assignment(world, plan), literals)
    assert result.succeeded, [r.failures for r in result.subtasks]
    return plan, set(result.final_facts)


def step(world, state, skill, **args):
    state.apply_skill(world.skills_by_name[skill], {"robot": "ada", **args})


def test_a_receptacle_can_be_picked_up_and_its_contents_travel_with_it(kitchen):
    plan, facts = run(kitchen, ["at(bowl, dining_room)", "in(pear, bowl)"])
    assert {"at(bowl, dining_room)", "in(pear, bowl)", "at(pear, dining_room)"} <= facts
    assert "at(pear, kitchen)" not in facts
    assert [s.skill for s in plan.subtasks if s.args.get("object") == "pear"] == []  # the pear rode in the bowl


def test_what_is_in_a_switched_on_appliance_heats_cooks_or_toasts(kitchen):
    state = WorldState.initial(kitchen)
    state.facts |= {("in", "mug", "microwave"), ("in", "bread", "toaster"), ("in", "pan", "burner"), ("in", "egg", "pan")}
    step(kitchen, state, "switch_on", target="microwave", place="kitchen")
    step(kitchen, state, "switch_on", target="toaster", place="kitchen")
    step(kitchen, state, "switch_on", target="burner", place="kitchen")
    assert {("hot", "mug"), ("toasted", "bread"), ("cooked", "egg")} <= state.facts
    assert ("hot", "bread") not in state.facts  # bread carries no `hot` state
    assert ("cooked", "pan") not in state.facts


def test_putting_something_into_a_running_appliance_acts_on_it(kitchen):
    state = WorldState.initial(kitchen)
    state.facts |= {("switched_on", "microwave"), ("open", "microwave"), ("holding", "ada", "mug")}
    step(kitchen, state, "put_in", object="mug", receptacle="microwave", place="kitchen")
    assert ("hot", "mug") in state.facts
    cold = WorldState.initial(kitchen)
    cold.facts |= {("open", "microwave"), ("holding", "ada", "mug")}
    step(kitchen, cold, "put_in", object="mug", receptacle="microwave", place="kitchen")
    assert ("hot", "mug") not in cold.facts  # switched off: nothing happens


@pytest.mark.parametrize(
    "goal, skill",
    [(["hot(mug)"], None), (["toasted(bread)"], None), (["cooked(egg)"], None), (["filled(mug)"], "fill")],
)
def test_kitchen_affordances_plan_and_execute(kitchen, goal, skill):
    plan, facts = run(kitchen, goal)
    assert set(goal) <= facts
    if skill:
        assert skill in [s.skill for s in plan.subtasks]
    assert "broken(egg)" not in facts  # nothing destructive that was not asked for


def test_food_on_a_counter_is_sliced_where_it_stands(kitchen):
    plan, facts = run(kitchen, ["sliced(apple)"])
    assert "sliced(apple)" in facts and "in(apple, counter)" in facts
    assert not [s for s in plan.subtasks if s.args.get("object") == "apple" and s.skill != "slice_on"]


@pytest.mark.parametrize(
    "effect, message",
    [
        ({"forall": "item", "when": ["in(item, target)"], "then": ["sliced(thing)"]}, "'thing', which is not a parameter"),
        ({"forall": "item", "then": ["sliced(item)"]}, "cannot parse effect"),
        ({"forall": "target", "when": ["in(target, target)"], "then": ["sliced(target)"]}, "also a parameter"),
    ],
)
def test_a_bad_conditional_effect_is_named(effect, message):
    data = kitchen_data()
    data["skills"] = [
        {"name": "shake", "capability": "manipulate", "parameters": {"robot": "robot", "target": "object", "place": "place"},
         "effects": [effect]}
    ]
    with pytest.raises(WorldError, match=message):
        world_from_dict(data, source="bad skill")


def test_any_and_all_goals_plan_and_execute(kitchen):
    plan, facts = run(kitchen, ["in(spoon, any drawer)", "not open(any drawer)"])
    assert {"in(spoon, top_drawer)", "in(spoon, low_drawer)"} & facts
    assert "open(top_drawer)" not in facts and "open(low_drawer)" not in facts
    plan, facts = run(kitchen, ["in(all fruit, bowl)"])
    assert {"in(pear, bowl)", "in(apple, bowl)"} <= facts
    plan, facts = run(kitchen, ["holding(any robot, knife)"])
    assert {"holding(ada, knife)", "holding(ben, knife)"} & facts
    plan, facts = run(kitchen, ["robot_at(any arm, dining_room)", "robot_at(rex, dining_room)"])
    assert "robot_at(rex, dining_room)" in facts


def test_quantified_goals_expand_or_stay_whole(kitchen):
    assert [str(g) for g in parse_goal(kitchen, ["in(all fruit, bowl)"])] == ["in(pear, bowl)", "in(apple, bowl)"]
    assert [str(g) for g in parse_goal(kitchen, ["not open(any drawer)"])] == ["not open(top_drawer)", "not open(low_drawer)"]
    assert [str(g) for g in parse_goal(kitchen, ["in(spoon, any drawer)"])] == ["in(spoon, any drawer)"]  # one of them will do
    state = WorldState.initial(kitchen)
    assert not state.holds(parse_goal(kitchen, ["in(spoon, any drawer)"])[0])
    assert state.holds(parse_goal(kitchen, ["open(any drawer)"])[0])  # low_drawer is open
    assert [str(g) for g in parse_goal(kitchen, ["not open(all drawer)"])] == ["not open(top_drawer)", "not open(low_drawer)"]


@pytest.mark.parametrize(
    "goal, message",
    [
        ("in(spoon, any piano)", "no object that is a 'piano'"),
        ("robot_at(ada, any room)", "name the place"),
        ("open(all fruit)", "none of the things it covers"),
        ("holding(any drone, spoon)", "no robot that is a 'drone'"),
    ],
)
def test_bad_quantified_goals_are_refused_naming_why(kitchen, goal, message):
    with pytest.raises(GoalError, match=message):
        parse_goal(kitchen, [goal])


def test_plans_close_what_they_open_unless_asked_or_told_not_to():
    data = kitchen_data()
    data["tidy"] = ["open", "switched_on"]
    data["objects"].append({"name": "fridge", "type": "fridge", "location": "kitchen", "pickable": False, "receptacle": True,
                            "mass": 80, "states": {"open": False}})
    world = world_from_dict(data, source="tidy kitchen")
    plan, facts = run(world, ["in(pear, fridge)"])
    assert "in(pear, fridge)" in facts and "open(fridge)" not in facts
    assert [s.skill for s in plan.subtasks][-1] == "close"
    assert "open(low_drawer)" in facts  # open before, left open
    _, facts = run(world, ["in(pear, fridge)", "open(fridge)"])
    assert "open(fridge)" in facts  # the goal decides
    untidy = plan_goal(world, ["in(pear, fridge)"], tidy=False)
    assert "close" not in [s.skill for s in untidy.subtasks]


def test_a_tidy_state_must_be_a_state_of_the_world():
    data = kitchen_data()
    data["tidy"] = ["opne"]
    with pytest.raises(WorldError, match="'opne' is not a state"):
        world_from_dict(data, source="typo")


def test_a_receptacle_holds_no_more_than_its_capacity():
    data = kitchen_data()
    next(o for o in data["objects"] if o["name"] == "bowl")["capacity"] = 2  # the pear is in it already
    world = world_from_dict(data, source="small bowl")
    _, facts = run(world, ["in(apple, bowl)"])
    assert {"in(apple, bowl)", "in(pear, bowl)"} <= facts
    with pytest.raises(PlanningError, match=r"the goal puts 3 things in bowl \(apple, knife, spoon\), which holds at most 2"):
        plan_goal(world, ["in(apple, bowl)", "in(spoon, bowl)", "in(knife, bowl)"])
    with pytest.raises(PlanningError, match="overfills a receptacle: .*bowl holds 3 things"):
        plan_goal(world, ["in(apple, bowl)", "in(spoon, bowl)"])  # the pear stays: no room for both
    # a run refuses the third thing with the reason, and changes nothing
    state = WorldState.initial(world).with_facts([parse_literal("in(apple, bowl)"), parse_literal("holding(ada, spoon)")])
    put = world.skills_by_name["put_in"]
    binding = {"robot": "ada", "object": "spoon", "receptacle": "bowl", "place": "kitchen"}
    assert state.blockers(put, binding) == ["bowl holds at most 2 things and would hold 3 (apple, pear, spoon)"]
    assert ("in", "spoon", "bowl") not in state.facts


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": "apple", "capacity": 1}, "only a receptacle has a capacity"),
        ({"name": "bowl", "capacity": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_capacities_are_named(change, message):
    data = kitchen_data()
    next(o for o in data["objects"] if o["name"] == change["name"]).update(change)
    with pytest.raises(WorldError, match=message):
        world_from_dict(data, source="bad capacity")


def test_a_receptacle_may_not_start_overfull():
    data = kitchen_data()
    data["objects"].append({"name": "plum", "type": "pear", "location": "bowl", "mass": 0.1})
    next(o for o in data["objects"] if o["name"] == "bowl")["capacity"] = 1
    with pytest.raises(WorldError, match=r"holds 2 things at the start \(pear, plum\), more than its capacity 1"):
        world_from_dict(data, source="full bowl")


def test_an_unreachable_goal_in_a_tidy_world_is_refused_with_its_reason():
    data = kitchen_data()
    data["tidy"] = ["open"]
    data["places"].append({"name": "loft", "kind": "room", "xy": [3, 3], "requires": ["fly"]})
    next(o for o in data["objects"] if o["name"] == "knife")["location"] = "loft"  # out of every robot's reach
    world = world_from_dict(data, source="knife in the loft")
    with pytest.raises(PlanningError, match=r"sliced\(apple\) cannot be reached from the current state"):
        plan_goal(world, ["sliced(apple)"])
