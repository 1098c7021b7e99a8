"""Every plan the planner accepts reaches its goal: under every policy and random dispatch orders, faults off."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleet.errors import PlanningError
from fleet.goals import parse_goal
from fleet.plan import Plan, Subtask
from fleet.planning import plan_goal
from fleet.sim import Simulation
from fleet.validate import PlanIssueKind, validate_plan
from fleet.world import World, load_world, world_from_dict
from policies.base import RobotView, TeamRequest, make_policy, smallest_team

POLICIES = ["auction", "greedy", "optimal", "learned"]
FRIDGE_GOAL = ["in(apple, fridge)", "in(banana, fridge)", "in(plate, fridge)", "not open(fridge)"]


def random_dispatch(world: World, seed: int):
    """An allocator that staffs a random subset of ready chains with random capable idle robots."""
    rng = random.Random(seed)

    def allocate(requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        idle = [r for r in robots if r.idle]
        ready = [q for q in requests if q.ready]
        rng.shuffle(ready)
        teams: dict[str, list[str]] = {}
        for request in ready:
            if teams and rng.random() < 0.3:
                continue  # left for a later round (something else starts now): another order
            order = {r.name: rng.random() for r in idle}
            team = smallest_team(request, idle, lambda r: order[r.name], world.max_coalition)
            if team:
                teams[request.key] = [r.name for r in team]
                idle = [r for r in idle if r not in team]
        return teams

    return allocate


def assert_executes(world: World, goal: list[str], seeds: int = 3) -> None:
    """Plan the goal; if accepted, every policy and a few random dispatch orders reach it."""
    literals = parse_goal(world, goal)
    try:
        plan = plan_goal(world, literals, timeout_s=10)
    except PlanningError:
        return  # refused with a reason: allowed
    for name in POLICIES:
        policy = make_policy(name)
        result = Simulation(world).dispatch(plan, lambda q, r: policy.assign(world, q, r), literals)
        failures = [(s.id, s.failures) for s in result.subtasks if s.failures]
        assert result.succeeded, f"{name} on {goal}: {failures}\n{plan.model_dump_json(indent=1)}"
    for seed in range(seeds):
        result = Simulation(world).dispatch(plan, random_dispatch(world, seed), literals)
        failures = [(s.id, s.failures) for s in result.subtasks if s.failures]
        assert result.succeeded, f"random order {seed} on {goal}: {failures}"


def test_fridge_goal_runs_under_every_policy(household):
    """Three things into a closed fridge: once a deadlock (every robot held something, none could open it)."""
    assert_executes(household, FRIDGE_GOAL, seeds=10)
    plan = plan_goal(household, FRIDGE_GOAL)
    skills = [s.skill for s in plan.subtasks]
    assert skills.count("open") == 1 and skills.count("close") == 1
    assert "place" not in skills  # nothing parked on the way
    opening = next(s.id for s in plan.subtasks if s.skill == "open")
    for pick in (s for s in plan.subtasks if s.skill.startswith("pick")):
        assert opening in pick.dependencies  # a hand is not taken before the fridge is open


def test_a_deadlocking_plan_is_repaired_by_ordering(household):
    """A user's plan that lets three robots pick before anyone opens the fridge gets the order it needs."""
    steps = [
        Subtask(id="p1", skill="pick", args={"object": "apple", "place": "kitchen_counter"}),
        Subtask(id="p2", skill="pick", args={"object": "plate", "place": "dining_table"}),
        Subtask(id="p3", skill="pick", args={"object": "remote", "place": "coffee_table"}),
        Subtask(id="o", skill="open", args={"target": "fridge", "place": "kitchen"}),
        Subtask(id="i1", skill="put_in", args={"object": "apple", "receptacle": "fridge", "place": "kitchen"}, dependencies=["p1", "o"]),
        Subtask(id="i2", skill="put_in", args={"object": "plate", "receptacle": "fridge", "place": "kitchen"}, dependencies=["p2", "o"]),
        Subtask(id="i3", skill="put_in", args={"object": "remote", "receptacle": "fridge", "place": "kitchen"}, dependencies=["p3", "o"]),
    ]
    plan, issues = validate_plan(household, Plan(subtasks=steps))
    assert issues == []
    deps = plan.by_id()
    assert all("o" in deps[p].dependencies for p in ("p1", "p2", "p3"))


def test_a_plan_that_can_deadlock_is_refused_naming_chains_and_robots(household):
    """Two handovers at once in a fleet of three: two givers can hold two robots while one receiver is free."""
    data = household.model_dump(mode="json")
    data["robots"] = [r for r in data["robots"] if r["kind"] == "mobile_manipulator"]  # two robots
    world = world_from_dict(data)
    steps = [
        Subtask(id="a", skill="pick", args={"object": "apple", "place": "kitchen_counter"}),
        Subtask(id="b", skill="pick", args={"object": "plate", "place": "dining_table"}),
        Subtask(id="ha", skill="handover", args={"object": "apple", "place": "kitchen"}, dependencies=["a"]),
        Subtask(id="hb", skill="handover", args={"object": "plate", "place": "kitchen"}, dependencies=["b"]),
        Subtask(id="pa", skill="place", args={"object": "apple", "place": "dining_table"}, dependencies=["ha"]),
        Subtask(id="pb", skill="place", args={"object": "plate", "place": "kitchen_counter"}, dependencies=["hb"]),
    ]
    _, issues = validate_plan(world, Plan(subtasks=steps))
    deadlocks = [i for i in issues if i.kind == PlanIssueKind.DEADLOCK]
    assert deadlocks, issues
    message = deadlocks[0].message
    assert "rosie" in message and "robbie" in message and "chain" in message and "handover" in message


# ---- random goals over bundled and generated worlds --------------------------------------------------
def _goal_literals(world: World) -> list[str]:
    """Every literal a goal may ask for in a world: places, containers, states, robots."""
    literals = []
    movable = [o for o in world.objects if o.pickable]
    receptacles = [o for o in world.objects if o.receptacle]
    places = [p.name for p in world.places if p.kind != "charger"]
    for obj in movable:
        literals += [f"in({obj.name}, {r.name})" for r in receptacles if r.name != obj.name]
        literals += [f"at({obj.name}, {p})" for p in places]
    for obj in world.objects:
        for state in obj.states:
            if state in ("open", "switched_on"):
                literals += [f"{state}({obj.name})", f"not {state}({obj.name})"]
            elif state in ("clean", "inspected"):
                literals.append(f"{state}({obj.name})")
    literals += [f"robot_at({r.name}, {p})" for r in world.robots[:2] for p in places[:3]]
    return literals


def _generated_world(rng: random.Random, robots: int, kinds: int, places: int, objects: int, heavy: bool) -> World:
    """A small kitchen-like world: a fridge and a drawer that open, a lamp, things to carry, a sink."""
    place_names = [f"room_{i}" for i in range(places)]
    data = {
        "name": "generated",
        "places": [{"name": p, "kind": "room", "xy": [3.0 * i, float(i % 2)]} for i, p in enumerate(place_names)]
        + [{"name": "dock", "kind": "charger", "xy": [0, 4]}],
        "objects": [
            {"name": "fridge", "type": "fridge", "location": place_names[0], "pickable": False, "receptacle": True, "mass": 80, "states": {"open": False}},
            {"name": "drawer", "type": "drawer", "location": place_names[-1], "pickable": False, "receptacle": True, "mass": 10, "states": {"open": True}},
            {"name": "lamp", "type": "lamp", "location": place_names[-1], "pickable": False, "mass": 3, "states": {"switched_on": False}},
            {"name": "sink", "type": "sink", "location": place_names[0], "pickable": False, "mass": 20},
        ]
        + [
            {
                "name": f"thing_{i}",
                "type": "box",
                "location": rng.choice(place_names),
                "mass": 9.0 if heavy and i == 0 else 0.5,
                "states": {"clean": False} if i % 2 else {},
            }
            for i in range(objects)
        ],
        "robot_kinds": {
            "arm": {"capabilities": ["navigate", "grasp", "carry", "manipulate"], "speed": 0.6, "payload": 5,
                    "battery": {"capacity_wh": 300, "travel_wh_per_m": 0.2, "charge_w": 150}},
            "runner": {"capabilities": ["navigate", "grasp", "carry", "inspect"], "speed": 1.0, "payload": 5,
                       "battery": {"capacity_wh": 120, "travel_wh_per_m": 0.1, "charge_w": 80}},
        },
        "robots": [
            {"name": f"r{i}", "kind": "arm" if i % kinds == 0 else "runner", "start": rng.choice(place_names)}
            for i in range(robots)
        ],
    }
    return world_from_dict(data)


WORLD_SHAPES = [  # robots, kinds, places, objects, heavy
    (6, 2, 2, 3, False),  # more robots than places
    (2, 2, 4, 6, False),  # fewer robots than things to carry
    (1, 1, 3, 4, False),  # one robot only
    (4, 1, 3, 4, True),  # a load that needs two robots
]
BUNDLED = {name: load_world(name) for name in ("household", "warehouse")}


@st.composite
def worlds_and_goals(draw):
    choice = draw(st.sampled_from(list(BUNDLED) + list(range(len(WORLD_SHAPES)))))
    if isinstance(choice, str):
        world = BUNDLED[choice]
    else:
        world = _generated_world(random.Random(draw(st.integers(0, 1000))), *WORLD_SHAPES[choice])
    literals = _goal_literals(world)
    # one wish per thing (where it goes, each state, where a robot ends): no contradictions to refuse
    goal = draw(st.lists(st.sampled_from(literals), min_size=1, max_size=6, unique_by=_subject))
    return world, goal


def _subject(literal: str) -> str:
    """What a literal is about: an object's place, one state of a thing, a robot's place."""
    predicate, args = literal.removeprefix("not ").split("(", 1)
    first = args.split(",")[0].rstrip(")")
    return f"{first}:place" if predicate in ("in", "at", "robot_at") else f"{first}:{predicate}"


@pytest.mark.integration
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=worlds_and_goals())
def test_every_accepted_goal_reaches_its_goal(case):
    world, goal = case
    try:
        parse_goal(world, goal)
    except ValueError:
        return  # contradictory or ill-typed literals are refused before planning
    assert_executes(world, goal)
