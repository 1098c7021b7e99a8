"""Allocation policies on hand-made cases with a known best answer, and the team rules they share."""

from __future__ import annotations

import pytest

from fleet.errors import FleetError
from fleet.world import world_from_dict
from policies.base import RobotView, TeamRequest, make_policy

POLICIES = ["greedy", "optimal", "auction"]


def view(world, name: str, place: str | None = None, **fields) -> RobotView:
    robot = world.robots_by_name[name]
    kind = world.robot_kinds[robot.kind]
    defaults = dict(battery_wh=kind.battery.capacity_wh)
    return RobotView(name=name, kind=robot.kind, place=place or robot.start, capabilities=kind.capabilities,
                     payload=kind.payload, speed=kind.speed, **{**defaults, **fields})


def request(key: str, **fields) -> TeamRequest:
    defaults = dict(mission="m", subtask="s1", skill="pick", place="shelf_a", capabilities=["grasp"], work_s=5.0)
    return TeamRequest(key=key, **{**defaults, **fields})


# ---- the rules every policy keeps --------------------------------------------------------------
@pytest.mark.parametrize("policy", POLICIES)
def test_light_load_goes_to_the_fast_drone_heavy_load_never_does(warehouse, policy):
    robots = [view(warehouse, n) for n in ("drone_2", "manip_2")]
    chosen = make_policy(policy)
    assert chosen.assign(warehouse, [request("a", place="transfer_zone", load_kg=0.5)], robots) == {"a": ["drone_2"]}
    assert chosen.assign(warehouse, [request("a", place="transfer_zone", load_kg=8)], robots) == {"a": ["manip_2"]}


@pytest.mark.parametrize("policy", POLICIES)
def test_heavy_load_gets_the_smallest_team_of_one_kind(warehouse, policy):
    robots = [view(warehouse, n) for n in ("amr_1", "amr_2", "amr_3", "manip_1")]
    lift = request("a", skill="lift", place="staging_area", capabilities=["lift"], load_kg=900, coalition_size=2)
    teams = make_policy(policy).assign(warehouse, [lift], robots)
    assert len(teams["a"]) == 2 and "amr_3" in teams["a"]  # amr_3 already stands in the staging area
    assert {warehouse.robots_by_name[n].kind for n in teams["a"]} == {"amr"}


@pytest.mark.parametrize("policy", POLICIES)
def test_excluded_or_incapable_robots_are_never_chosen(warehouse, policy):
    robots = [view(warehouse, "manip_1"), view(warehouse, "manip_2"), view(warehouse, "amr_1")]
    requests = [request("c", load_kg=8, excluded=["manip_1", "manip_2"])]
    assert make_policy(policy).assign(warehouse, requests, robots) == {}


@pytest.mark.parametrize("policy", POLICIES)
def test_a_named_robot_is_used_or_nothing(warehouse, policy):
    robots = [view(warehouse, "manip_1"), view(warehouse, "manip_2")]
    chosen = make_policy(policy)
    assert chosen.assign(warehouse, [request("a", robot="manip_1")], robots) == {"a": ["manip_1"]}
    assert chosen.assign(warehouse, [request("a", robot="drone_1")], robots) == {}


@pytest.mark.parametrize("policy", POLICIES)
def test_higher_priority_is_served_first(warehouse, policy):
    robots = [view(warehouse, "manip_2")]
    teams = make_policy(policy).assign(warehouse, [request("low", priority=0), request("high", priority=5)], robots)
    assert teams["high"] == ["manip_2"]
    assert list(teams)[0] == "high"  # first in the robot's queue
    assert teams.get("low") in (None, ["manip_2"])  # queued behind it, or left for later


@pytest.mark.parametrize("policy", POLICIES)
def test_work_that_is_not_ready_is_never_handed_out(warehouse, policy):
    robots = [view(warehouse, "manip_2")]
    later = request("later", place="shelf_b", ready_in_s=5.0)
    assert make_policy(policy).assign(warehouse, [later], robots) == {}


@pytest.mark.parametrize("policy", POLICIES)
def test_a_robot_that_cannot_make_the_trip_even_fully_charged_is_never_chosen(warehouse_data, policy):
    warehouse_data["robot_kinds"]["drone"]["battery"]["capacity_wh"] = 5.0  # 20 m of flight with the reserve
    world = world_from_dict(warehouse_data)
    far = request("far", skill="inspect", place="cold_storage", route=["cold_storage", "loading_dock_b"],
                  capabilities=["inspect"])
    robots = [view(world, "drone_1", "cold_storage")]
    assert make_policy(policy).assign(world, [far], robots) == {}
    near = request("near", skill="inspect", place="charger_2", capabilities=["inspect"])
    assert make_policy(policy).assign(world, [near], robots) == {"near": ["drone_1"]}


@pytest.mark.parametrize("policy", ["optimal", "auction"])
def test_a_robot_that_would_have_to_charge_first_loses_to_a_charged_one(warehouse, policy):
    low = view(warehouse, "manip_2", "shelf_a", battery_wh=101.0)  # would dip below the 20% reserve: charges first
    full = view(warehouse, "manip_1", "shelf_c")
    teams = make_policy(policy).assign(warehouse, [request("a", place="shelf_a", load_kg=8)], [low, full])
    assert teams == {"a": ["manip_1"]}


def test_unknown_policy_names_the_known_ones():
    with pytest.raises(FleetError, match="unknown policy 'auctionx'; known: auction, greedy, learned, optimal"):
        make_policy("auctionx")


# ---- where the policies differ ------------------------------------------------------------------
def two_jobs_two_manipulators(warehouse):
    """Job a at shelf_c, job b at shelf_a; manip_2 is 6 m from both, manip_1 12 m from a and 21 m from b."""
    robots = [view(warehouse, "manip_1", "loading_dock_b"), view(warehouse, "manip_2", "shelf_b")]
    jobs = [request("a", place="shelf_c", arrival=0, work_s=0.0), request("b", place="shelf_a", arrival=1, work_s=0.0)]
    return robots, jobs


def test_greedy_serves_first_come_with_the_nearest_robot(warehouse):
    robots, jobs = two_jobs_two_manipulators(warehouse)
    assert make_policy("greedy").assign(warehouse, jobs, robots) == {"a": ["manip_2"], "b": ["manip_1"]}


def test_optimal_minimises_the_total_expected_time(warehouse):
    robots, jobs = two_jobs_two_manipulators(warehouse)
    # 11.7 s + 6 s beats greedy's 6 s + 20.6 s
    assert make_policy("optimal").assign(warehouse, jobs, robots) == {"a": ["manip_1"], "b": ["manip_2"]}


def test_auction_finishes_the_last_job_soonest(warehouse):
    robots, jobs = two_jobs_two_manipulators(warehouse)
    # both on manip_2 ends at 18 s, greedy's split at 20.6 s, this one at 11.7 s
    assert make_policy("auction").assign(warehouse, jobs, robots) == {"b": ["manip_2"], "a": ["manip_1"]}


def test_auction_queues_a_second_job_on_a_robot_when_that_is_soonest(warehouse):
    robots = [view(warehouse, "manip_2", "shelf_a"), view(warehouse, "manip_1", "loading_dock_b")]
    jobs = [request("a", place="shelf_a", work_s=2.0), request("b", place="shelf_b", work_s=2.0)]
    # manip_2: a done at 2 s, b at 10 s; manip_1 would reach shelf_b after 15.6 s
    teams = make_policy("auction").assign(warehouse, jobs, robots)
    assert teams == {"a": ["manip_2"], "b": ["manip_2"]}


def test_a_busy_robot_that_frees_up_soon_beats_a_distant_idle_one_except_for_greedy(warehouse):
    busy_near = view(warehouse, "manip_2", "shelf_a", free_in_s=3.0)
    idle_far = view(warehouse, "manip_1", "loading_dock_b")
    job = [request("a", place="shelf_a")]
    assert make_policy("auction").assign(warehouse, job, [busy_near, idle_far]) == {"a": ["manip_2"]}
    assert make_policy("optimal").assign(warehouse, job, [busy_near, idle_far]) == {"a": ["manip_2"]}
    assert make_policy("greedy").assign(warehouse, job, [busy_near, idle_far]) == {"a": ["manip_1"]}


def test_auction_keeps_a_robot_for_work_about_to_be_ready_next_to_it(warehouse):
    """manip_2 stands at shelf_a where a pick becomes ready in 2 s; an inspection 15 m away is ready now.

    Best: manip_2 waits for the pick and manip_1 (31 m away) takes the inspection. Greedy and the
    per-round optimum send manip_2 off to inspect, and the pick waits for manip_1's long trip.
    """
    robots = [view(warehouse, "manip_2", "shelf_a"), view(warehouse, "manip_1", "loading_dock_b")]
    inspect = request("inspect", skill="inspect", place="cold_storage", capabilities=["inspect"], work_s=5.0)
    pick = request("pick", place="shelf_a", ready_in_s=2.0, work_s=30.0, tail_s=60.0)
    teams = make_policy("auction").assign(warehouse, [inspect, pick], robots)
    assert teams == {"inspect": ["manip_1"]}
    assert make_policy("greedy").assign(warehouse, [inspect, pick], robots) == {"inspect": ["manip_2"]}


@pytest.mark.parametrize("policy", POLICIES)
def test_two_coalitions_wanting_the_same_robots_one_gets_a_whole_team(warehouse, policy):
    robots = [view(warehouse, "amr_1"), view(warehouse, "amr_3")]
    first = request("first", skill="lift", place="staging_area", capabilities=["lift"], load_kg=900, coalition_size=2)
    second = request("second", skill="lift", place="cold_storage", capabilities=["lift"], load_kg=700, coalition_size=2,
                     arrival=1)
    teams = make_policy(policy).assign(warehouse, [first, second], robots)
    whole = [key for key, team in teams.items() if sorted(team) == ["amr_1", "amr_3"]]
    assert whole, f"{policy} split the two robots between the coalitions: {teams}"
    assert all(sorted(team) == ["amr_1", "amr_3"] for team in teams.values())
