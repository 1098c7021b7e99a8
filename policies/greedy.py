"""Greedy allocation, the baseline: first come first served, each request takes the nearest capable idle robots."""

from __future__ import annotations

import numpy as np

from fleet.world import World
from policies.base import AllocationPolicy, Offered, RobotView, TeamRequest, pick_team, register


@register
class GreedyPolicy(AllocationPolicy):
    """Requests in priority then arrival order; each takes the idle robot(s) with the shortest trip to it."""

    name = "greedy"

    def assign(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        idle = [r for r in robots if r.idle]
        requests = [q for q in requests if q.ready]
        if not idle or not requests:
            return {}
        bids = self.costs(world).bids(requests, idle)
        nearest = np.where(bids.feasible, bids.travel_s, np.inf)
        offered = Offered(idle)
        open_ = np.ones(len(idle), dtype=bool)
        teams: dict[str, list[str]] = {}
        for j in sorted(range(len(requests)), key=lambda j: (-requests[j].priority, requests[j].arrival)):
            rows = pick_team(requests[j], offered, nearest[:, j], open_, world.max_coalition)
            if rows:
                teams[requests[j].key] = [idle[i].name for i in rows]
                open_[rows] = False
                if not open_.any():
                    break
        return teams
