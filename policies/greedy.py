"""Greedy allocation: each request, first come first served, takes the nearest capable free robots."""

from __future__ import annotations

from fleet.world import World
from policies.base import AllocationPolicy, RobotView, TeamRequest, register, smallest_team


@register
class GreedyPolicy(AllocationPolicy):
    """Nearest capable free robot(s) by travel time; requests served in priority then arrival order."""

    name = "greedy"

    def assign(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        free = {r.name: r for r in robots}
        teams: dict[str, list[str]] = {}
        for request in sorted(requests, key=lambda q: -q.priority):

            def travel(robot: RobotView) -> float:
                return world.distance(robot.place, request.place) / robot.speed if request.place else 0.0

            team = smallest_team(request, list(free.values()), travel, world.max_coalition)
            if team:
                teams[request.key] = [r.name for r in team]
                for robot in team:
                    free.pop(robot.name)
        return teams
