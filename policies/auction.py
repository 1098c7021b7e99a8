"""Auction allocation (the default): robots bid their expected finish time, queue included; lowest bid wins.

Open-RMF's task dispatcher works this way. Requests are auctioned one at a time, and a request
only after the ones it waits for, which lets the auction look ahead along the plan's
dependencies: a robot may stay for work that is about to become ready instead of driving off.
Every robot bids the time at which it would finish the chain: after the work it has started and
the work it has already won this round, with travel, charging and its learned speed and
reliability. Which request goes next is a rule: the one that can finish soonest (min-min), the
one that would finish latest (max-min), or the one with the longest work still behind it, or the one that loses most if its best bidder goes
elsewhere (regret); each
round runs every rule and keeps the plan that finishes first. Whatever has not started is
auctioned again next round, so a robot that frees up or a better bid takes it over, and a
failed robot's work is re-auctioned.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, ClassVar, Generator, Optional

import numpy as np

from fleet.errors import FleetError
from fleet.world import World
from policies.base import AllocationPolicy, Offered, RobotView, TeamRequest, alone, pick_team, register
from policies.cost import Bids, CostModel, Estimates, Prepared

# Which open request to auction next (the lowest key), from all bids, the best bid per request
# and each request's tail (the work that waits on it).
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _regret(finish: np.ndarray, best: np.ndarray, tail: np.ndarray) -> np.ndarray:
    """The request that loses most if its best bidder goes elsewhere goes first."""
    if finish.shape[0] < 2:
        return best
    second = np.partition(finish, 1, axis=0)[1]
    regret = np.full(best.shape, 1e9)  # only one robot can: nobody else would take it
    known = np.isfinite(second)
    regret[known] = second[known] - best[known]
    return -regret


RULES: dict[str, Rule] = {
    "soonest": lambda finish, best, tail: best,
    "latest": lambda finish, best, tail: -best,
    "longest_tail": lambda finish, best, tail: -(best + tail),
    "regret": _regret,
}


@dataclass
class Choice:
    """An open choice in an auction: which robot takes request `j` (any row where its bid is finite).

    `bids` are the bids at this moment (queues so far included); `best` is the lowest bidder.
    """

    request: TeamRequest
    j: int
    bids: Bids
    robots: list[RobotView]
    best: int


# An auction that hands some choices to its caller: yields each Choice, is sent back a row.
Decisions = Generator[Choice, int, dict[str, list[str]]]


def drive(decisions: Decisions, choose: Callable[[Choice], int]) -> dict[str, list[str]]:
    """Run an auction to the end, answering each choice it leaves open with `choose`."""
    try:
        choice = next(decisions)
        while True:
            choice = decisions.send(choose(choice))
    except StopIteration as stop:
        return stop.value


@dataclass
class _Pass:
    teams: dict[str, list[str]]
    awarded: int
    makespan_s: float


@register
class AuctionPolicy(AllocationPolicy):
    """Sequential single-item auctions on expected finish time, in dependency order; the best of a few rules."""

    name = "auction"
    asks: ClassVar[bool] = False  # whether single-robot awards are left to `choose` instead of the lowest bid

    def __init__(
        self,
        estimates: Optional[Estimates] = None,
        battery_reserve: float = 0.2,
        rules: tuple[str, ...] = tuple(RULES),
        awards_per_robot: float = 2.0,
        min_horizon: int = 32,
        portfolio_limit: int = 2_000,
    ):
        super().__init__(estimates, battery_reserve)
        unknown = [r for r in rules if r not in RULES]
        if unknown or not rules:
            raise FleetError(f"unknown auction rules {unknown}; known: {', '.join(RULES)}")
        self.rules = rules
        self.awards_per_robot = awards_per_robot  # how far one round plans ahead, in chains per idle robot
        self.min_horizon = min_horizon  # but at least this many chains
        self.portfolio_limit = portfolio_limit  # robots x requests above which only the first rule runs

    def assign(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        return drive(self.decisions(world, requests, robots), self.choose)

    def choose(self, choice: Choice) -> int:
        """Which robot takes a request one robot can do; the auction's answer is the lowest bid."""
        return choice.best

    def decisions(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> Decisions:
        """The round as a generator: yields the choices this policy `asks` about, returns the teams."""
        if not robots or not requests:
            return {}
        costs = self.costs(world)
        prepared = costs.prepare(requests)
        bids = costs.bids(prepared, robots)
        # a request one robot can do alone is only bid on by robots that can do it alone
        by_itself = alone(requests, Offered(robots), bids.capable)
        single = np.array([q.coalition_size <= 1 for q in requests]) & by_itself.any(axis=0)
        bids.capable = np.where(single[None, :], by_itself, bids.capable)
        bids.feasible &= bids.capable
        bids.rest_s = np.where(bids.capable, bids.rest_s, np.inf)
        small = len(robots) * len(requests) <= self.portfolio_limit
        rules = self.rules if small else self.rules[:1]  # large rounds: one pass keeps decisions fast
        passes = []
        for rule in rules:
            passes.append((yield from self._auction(world, costs, prepared, copy.deepcopy(bids), robots, single, RULES[rule])))
        # serve the most, then finish soonest
        return min(passes, key=lambda p: (-p.awarded, p.makespan_s)).teams

    def _auction(
        self,
        world: World,
        costs: CostModel,
        prepared: Prepared,
        bids: Bids,
        robots: list[RobotView],
        single: np.ndarray,
        rule: Rule,
    ) -> Generator[Choice, int, _Pass]:
        requests = prepared.requests
        offered = Offered(robots)
        everyone = np.ones(len(robots), dtype=bool)
        wh_per_m = np.array([world.robot_kinds[r.kind].battery.travel_wh_per_m for r in robots])
        place = [r.place for r in robots]  # where, how charged, and when each robot's awards so far leave it
        battery = [r.battery_wh for r in robots]
        index = {q.key: j for j, q in enumerate(requests)}
        waiting = np.zeros(len(requests), dtype=int)
        dependents: dict[int, list[int]] = {}
        for j, request in enumerate(requests):
            for key in request.waits_for:
                if key in index:
                    waiting[j] += 1
                    dependents.setdefault(index[key], []).append(j)

        finish = bids.finish_s
        best_row = finish.argmin(axis=0)
        columns = np.arange(len(requests))
        best = finish[best_row, columns]
        tail = np.array([q.tail_s for q in requests])
        priority = np.array([q.priority for q in requests], dtype=float)
        tiers = priority.min() != priority.max()
        open_ = (waiting == 0) & np.isfinite(best)
        teams: dict[str, list[str]] = {}
        waits = np.zeros(len(robots), dtype=bool)  # planned to wait for work that is not ready yet
        awarded, makespan = 0, 0.0
        horizon = max(self.min_horizon, int(self.awards_per_robot * sum(r.idle for r in robots)))
        while awarded < horizon and open_.any():
            top = open_ & (priority == priority[open_].max()) if tiers else open_
            j = int(np.argmin(np.where(top, rule(finish, best, tail), np.inf)))
            open_[j] = False
            request = requests[j]
            if single[j]:
                rows = [int(best_row[j])]
                if self.asks and np.isfinite(finish[:, j]).sum() > 1:
                    rows = [int((yield Choice(request=request, j=j, bids=bids, robots=robots, best=rows[0])))]
                    if not np.isfinite(finish[rows[0], j]):
                        raise FleetError(f"robot {robots[rows[0]].name} was chosen for {request.key}, which it cannot take")
            else:
                rows = pick_team(request, offered, finish[:, j], everyone, world.max_coalition)
                if not rows:
                    continue  # nobody can: what waits on it is not auctioned either
            awarded += 1
            if not request.ready:
                waits[rows] = True
            elif not waits[rows].any():  # ready work planned after a wait stays unpromised until then
                teams[request.key] = [robots[i].name for i in rows]
            done_at = float(finish[rows, j].max())  # a team finishes together
            makespan = max(makespan, done_at)
            last_place = (request.route or [request.place or place[rows[0]]])[-1]
            for i in rows:  # its later bids start from where and when this chain leaves it
                metres = costs.distance[costs.index[place[i]], prepared.first[j]] + prepared.along_m[j]
                battery[i] = max(battery[i] - request.energy_wh - metres * wh_per_m[i], 0.0)
                place[i] = last_place
                costs.rebid(prepared, bids, i, robots[i], place[i], battery[i], done_at)
                finish[i] = np.maximum(bids.free_in_s[i], bids.ready_at_s) + bids.rest_s[i]
            later = dependents.get(j, [])
            for k in later:
                bids.ready_at_s[k] = max(bids.ready_at_s[k], done_at)
                finish[:, k] = np.maximum(bids.free_in_s, bids.ready_at_s[k]) + bids.rest_s[:, k]
                waiting[k] -= 1
                open_[k] = waiting[k] == 0
            # only columns whose best bidder just won (its bids rose) or that just opened can change
            stale = np.flatnonzero(best_row == rows[0] if len(rows) == 1 else np.isin(best_row, rows))
            if later:
                stale = np.union1d(stale, later)
            best_row[stale] = finish[:, stale].argmin(axis=0)
            best[stale] = finish[best_row[stale], stale]
            open_ &= np.isfinite(best)
        return _Pass(teams=teams, awarded=awarded, makespan_s=makespan)
