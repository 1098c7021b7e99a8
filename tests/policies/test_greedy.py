"""The greedy policy and the shared team rules, on hand-made cases with a known best answer."""

from __future__ import annotations

import pytest

from fleet.errors import FleetError
from policies.base import RobotView, TeamRequest, make_policy


def view(world, name: str, place: str | None = None) -> RobotView:
    robot = world.robots_by_name[name]
    kind = world.robot_kinds[robot.kind]
    return RobotView(name=name, kind=robot.kind, place=place or robot.start, battery_wh=kind.battery.capacity_wh,
                     capabilities=kind.capabilities, payload=kind.payload, speed=kind.speed)


def request(key: str, **fields) -> TeamRequest:
    defaults = dict(mission="m", subtask="s1", skill="pick", place="shelf_a", capabilities=["grasp"])
    return TeamRequest(key=key, **{**defaults, **fields})


def test_nearest_capable_robot_wins(warehouse):
    robots = [view(warehouse, "manip_1", "loading_dock_b"), view(warehouse, "manip_2", "shelf_b"), view(warehouse, "amr_1")]
    teams = make_policy("greedy").assign(warehouse, [request("a", load_kg=8)], robots)
    assert teams == {"a": ["manip_2"]}


def test_light_load_goes_to_the_fast_drone_heavy_load_never_does(warehouse):
    robots = [view(warehouse, n) for n in ("drone_2", "manip_2")]
    policy = make_policy("greedy")
    assert policy.assign(warehouse, [request("a", place="transfer_zone", load_kg=0.5)], robots) == {"a": ["drone_2"]}
    assert policy.assign(warehouse, [request("a", place="transfer_zone", load_kg=8)], robots) == {"a": ["manip_2"]}


def test_heavy_load_gets_the_smallest_team_of_one_kind(warehouse):
    robots = [view(warehouse, n) for n in ("amr_1", "amr_2", "amr_3", "manip_1")]
    teams = make_policy("greedy").assign(
        warehouse, [request("a", skill="lift", place="staging_area", capabilities=["lift"], load_kg=900, coalition_size=2)], robots
    )
    assert len(teams["a"]) == 2 and "amr_3" in teams["a"]  # amr_3 already stands in the staging area


def test_each_robot_serves_one_request_and_excluded_or_incapable_robots_none(warehouse):
    robots = [view(warehouse, "manip_1"), view(warehouse, "manip_2"), view(warehouse, "amr_1")]
    requests = [request("a", load_kg=8), request("b", load_kg=8), request("c", load_kg=8, excluded=["manip_1", "manip_2"])]
    teams = make_policy("greedy").assign(warehouse, requests, robots)
    assert set(teams) == {"a", "b"} and {teams["a"][0], teams["b"][0]} == {"manip_1", "manip_2"}


def test_a_named_robot_is_used_or_nothing(warehouse):
    robots = [view(warehouse, "manip_1"), view(warehouse, "manip_2")]
    policy = make_policy("greedy")
    assert policy.assign(warehouse, [request("a", robot="manip_1")], robots) == {"a": ["manip_1"]}
    assert policy.assign(warehouse, [request("a", robot="drone_1")], robots) == {}


def test_higher_priority_is_served_first(warehouse):
    robots = [view(warehouse, "manip_2")]
    teams = make_policy("greedy").assign(warehouse, [request("low", priority=0), request("high", priority=5)], robots)
    assert teams == {"high": ["manip_2"]}


def test_unknown_policy_names_the_known_ones():
    with pytest.raises(FleetError, match="unknown policy 'auctionx'; known: auction, greedy, optimal"):
        make_policy("auctionx")
