"""Optimal allocation per dispatch round: the assignment of robots to requests with the least total expected cost.

Solved as a linear assignment (scipy's `linear_sum_assignment`) on the shared cost model's
finish times. A request that needs a coalition gets as many columns as its cheapest team has
members, each open only to robots of that team's kind. When there are more requests than
robots, the most urgent ones (priority, then the longest work waiting on them) are preferred.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from fleet.world import World
from policies.base import AllocationPolicy, Offered, RobotView, TeamRequest, alone, pick_team, register

_UNUSABLE = 1e12  # cost of a pair that may not be matched
_PRIORITY = 1e7  # a priority step outweighs any time difference


@register
class OptimalPolicy(AllocationPolicy):
    """Per round, minimise the sum of expected finish times (less urgency) over a one-to-one assignment."""

    name = "optimal"
    columns_per_robot = 1  # requests considered per round, per robot
    tail_weight = 2.0  # cost of a second of work waiting on a request: tails are underestimates (no waits)

    def assign(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        # ready requests, and those waiting only on work already running: a robot matched to one of
        # those waits for it (one step of look ahead) instead of taking something worse now
        requests = [q for q in requests if not q.waits_for]
        if not robots or not requests:
            return {}
        # at most one request per robot is matched per round: consider the most urgent few
        urgent = sorted(range(len(requests)), key=lambda j: (-requests[j].priority, -requests[j].tail_s, requests[j].arrival))
        chosen = [requests[j] for j in urgent[: self.columns_per_robot * len(robots)]]
        bids = self.costs(world).bids(chosen, robots)
        offered = Offered(robots)
        everyone = np.ones(len(robots), dtype=bool)
        kinds = np.array([r.kind for r in robots])
        by_itself = alone(chosen, offered, bids.feasible)
        columns: list[np.ndarray] = []
        owner: list[int] = []
        for j, request in enumerate(chosen):
            cost = bids.finish_s[:, j]
            team = pick_team(request, offered, cost, everyone, world.max_coalition)
            if not team:
                continue
            urgency = self.tail_weight * request.tail_s + _PRIORITY * request.priority
            if len(team) == 1:
                columns.append(np.where(by_itself[:, j], cost - urgency, _UNUSABLE))
                owner.append(j)
                continue
            same_kind = np.isfinite(cost) & (kinds == kinds[team[0]])
            for slot in range(len(team)):
                fits = same_kind & (offered.names == request.robot) if (slot == 0 and request.robot) else same_kind
                columns.append(np.where(fits, cost - urgency, _UNUSABLE))
                owner.append(j)
        if not columns:
            return {}
        matrix = np.column_stack(columns)
        rows, cols = linear_sum_assignment(matrix)
        members: dict[int, list[int]] = {}
        for i, c in zip(rows, cols):
            if matrix[i, c] < _UNUSABLE / 2:
                members.setdefault(owner[c], []).append(int(i))
        teams: dict[str, list[str]] = {}
        free = np.ones(len(robots), dtype=bool)
        split: list[int] = []  # coalitions the matching gave only part of a team
        for j, rows_ in members.items():
            request = chosen[j]
            team = [robots[i] for i in rows_]
            big_enough = len(team) >= request.coalition_size and sum(r.payload for r in team) >= request.load_kg
            named = request.robot is None or request.robot in {r.name for r in team}
            if big_enough and named:
                free[rows_] = False
                if request.ready:
                    teams[request.key] = [r.name for r in team]
            else:
                split.append(j)
        # the matching may split robots between two coalitions: the more urgent one gets a whole team
        for j in sorted(split, key=lambda j: (-chosen[j].priority, -chosen[j].tail_s, chosen[j].arrival)):
            rows_ = pick_team(chosen[j], offered, bids.finish_s[:, j], free, world.max_coalition)
            if rows_:
                free[rows_] = False
                if chosen[j].ready:
                    teams[chosen[j].key] = [robots[i].name for i in rows_]
        return teams
