"""The one cost model every policy shares: when would this robot finish this chain, and can it at all.

A robot's expected finish time for a request is the time until it is free, plus a detour to
charge when the chain would eat into its battery reserve (the runtime inserts that detour),
plus travel to the chain's first place and along its route, plus the chain's skill time scaled
by the robot's learned duration factor and divided by its learned success rate (a failed
attempt is done again). Computed for all robots and requests at once with numpy, so a round
over 100 robots and hundreds of requests takes a millisecond or two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

from fleet.allocation import RobotView, TeamRequest
from fleet.costs import nearest_charger
from fleet.world import World


class SkillEstimate(BaseModel):
    """What the fleet has learned about one robot running one skill."""

    success: float = Field(default=1.0, gt=0, le=1)  # chance an attempt succeeds
    duration_factor: float = Field(default=1.0, gt=0)  # actual over expected skill time


class Estimates(BaseModel):
    """Reliability and duration estimates per robot and skill; unknown pairs are taken at face value."""

    by_robot_skill: dict[str, dict[str, SkillEstimate]] = {}

    def get(self, robot: str, skill: str) -> SkillEstimate:
        return self.by_robot_skill.get(robot, {}).get(skill) or _FACE_VALUE


_FACE_VALUE = SkillEstimate()


@dataclass
class Bids:
    """Per robot (rows) and request (columns): expected finish time, travel time, and feasibility.

    A robot starts a chain when it is free and the chain is ready, whichever is later, then
    travels and works: finish = max(free_in, ready_at) + rest.
    """

    rest_s: np.ndarray  # travel, route and work; inf where infeasible
    free_in_s: np.ndarray  # per robot
    ready_at_s: np.ndarray  # per request
    travel_s: np.ndarray  # travel to the first place (with any charging detour)
    feasible: np.ndarray  # bool: capable, not excluded, battery enough after a charge
    capable: np.ndarray  # bool: capabilities, exclusions, named robots, battery after a charge
    slowdown: np.ndarray  # learned duration factor over success rate

    @property
    def finish_s(self) -> np.ndarray:
        return np.maximum(self.free_in_s[:, None], self.ready_at_s[None, :]) + self.rest_s

    def finish_column(self, j: int) -> np.ndarray:
        return np.maximum(self.free_in_s, self.ready_at_s[j]) + self.rest_s[:, j]


@dataclass
class Prepared:
    """Requests turned into arrays: first place, route length, trip to a charger, work."""

    requests: list[TeamRequest]
    placed: np.ndarray
    first: np.ndarray
    along_m: np.ndarray
    back_m: np.ndarray
    full_first_m: np.ndarray
    work_s: np.ndarray
    work_wh: np.ndarray


class CostModel:
    """Expected finish times of robots for requests in one world, with a fixed battery reserve."""

    def __init__(self, world: World, estimates: Estimates | None = None, battery_reserve: float = 0.2):
        self.world = world
        self.estimates = estimates or Estimates()
        self.reserve = battery_reserve
        names = [p.name for p in world.places]
        self.index = {name: i for i, name in enumerate(names)}
        self.distance = np.array([[world.distance(a, b) for b in names] for a in names])
        chargers = [nearest_charger(world, name) for name in names]
        self.has_chargers = chargers[0] is not None
        self.charger = np.array([self.index[c] if c else i for i, c in enumerate(chargers)])
        self.to_charger = self.distance[np.arange(len(names)), self.charger]

    def prepare(self, requests: list[TeamRequest]) -> "Prepared":
        """The request side of the bids, computed once per round."""
        routes = [q.route or ([q.place] if q.place else []) for q in requests]
        placed = np.array([bool(r) for r in routes], dtype=bool)
        first = np.array([self.index[r[0]] if r else 0 for r in routes], dtype=int)
        last = np.array([self.index[r[-1]] if r else 0 for r in routes], dtype=int)
        along = [sum(self.distance[self.index[a], self.index[b]] for a, b in zip(r, r[1:])) for r in routes]
        return Prepared(
            requests=requests,
            placed=placed,
            first=first,
            along_m=np.array(along, dtype=float),
            back_m=np.where(placed, self.to_charger[last], 0.0),
            full_first_m=np.where(placed, self.to_charger[first], 0.0),
            work_s=np.array([q.work_s for q in requests], dtype=float),
            work_wh=np.array([q.energy_wh for q in requests], dtype=float),
        )

    def bids(self, requests: "list[TeamRequest] | Prepared", robots: list[RobotView]) -> Bids:
        """Expected finish time of every robot for every request (inf where it cannot take it)."""
        prepared = requests if isinstance(requests, Prepared) else self.prepare(requests)
        kinds = [self.world.robot_kinds[r.kind].battery for r in robots]
        column = lambda values: np.array(values, dtype=float)[:, None]  # noqa: E731 - robots down the rows
        capacity = column([k.capacity_wh for k in kinds])
        wh_per_m = column([k.travel_wh_per_m for k in kinds])
        if self.has_chargers:  # after a full charge the chain must still leave the reserve
            after_charge = (prepared.full_first_m + prepared.along_m + prepared.back_m) * wh_per_m
            battery_ok = after_charge + prepared.work_wh <= capacity * (1.0 - self.reserve)
        else:
            battery_ok = np.ones((len(robots), len(prepared.requests)), dtype=bool)
        factor, success = self._learned(prepared.requests, robots)
        bids = Bids(
            rest_s=np.empty(0),
            free_in_s=np.array([max(r.free_in_s, 0.0) for r in robots]),
            ready_at_s=np.array([q.ready_in_s for q in prepared.requests]),
            travel_s=np.empty(0),
            feasible=np.empty(0, dtype=bool),
            capable=self._capable(prepared.requests, robots) & battery_ok,
            slowdown=factor / success,
        )
        bids.travel_s, bids.rest_s, bids.feasible = self._price(
            prepared,
            bids,
            here=np.array([self.index[r.place] for r in robots])[:, None],
            speed=column([r.speed for r in robots]),
            battery=column([r.battery_wh for r in robots]),
            capacity=capacity,
            wh_per_m=wh_per_m,
            charge_w=column([k.charge_w for k in kinds]),
            rows=slice(None),
        )
        return bids

    def rebid(
        self, prepared: "Prepared", bids: Bids, row: int, robot: RobotView, place: str, battery_wh: float, free_in_s: float
    ) -> None:
        """Recompute one robot's row for where, how charged and when its work so far leaves it."""
        battery = self.world.robot_kinds[robot.kind].battery
        bids.free_in_s[row] = max(free_in_s, 0.0)
        travel, rest, feasible = self._price(
            prepared,
            bids,
            here=self.index[place],
            speed=robot.speed,
            battery=battery_wh,
            capacity=battery.capacity_wh,
            wh_per_m=battery.travel_wh_per_m,
            charge_w=battery.charge_w,
            rows=row,
        )
        bids.travel_s[row], bids.rest_s[row], bids.feasible[row] = travel, rest, feasible

    def _price(self, prepared: "Prepared", bids: Bids, *, here, speed, battery, capacity, wh_per_m, charge_w, rows):
        """Travel, time from start to finish, and feasibility for robots as columns of numbers (or one as scalars)."""
        to_first = np.where(prepared.placed, self.distance[here, prepared.first], 0.0)
        needed = (to_first + prepared.along_m + prepared.back_m) * wh_per_m + prepared.work_wh
        travel = to_first / speed
        capable = bids.capable[rows]
        if self.has_chargers:
            # the runtime charges first when the chain would leave less than the reserve
            detour = needed > battery - self.reserve * capacity
            if detour.any():
                charger = self.charger[here]
                to_charger = self.distance[here, charger]
                via_charger = np.where(prepared.placed, self.distance[charger, prepared.first], 0.0)
                charging_s = (capacity - np.maximum(battery - to_charger * wh_per_m, 0.0)) / charge_w * 3600.0
                travel = np.where(detour, (to_charger + via_charger) / speed + charging_s, travel)
        else:
            capable = capable & (needed - prepared.back_m * wh_per_m <= battery)
        rest = travel + prepared.along_m / speed + prepared.work_s * bids.slowdown[rows]
        feasible = capable & np.isfinite(rest)
        return travel, np.where(feasible, rest, math.inf), feasible

    def _capable(self, requests: list[TeamRequest], robots: list[RobotView]) -> np.ndarray:
        """Capabilities, exclusions and a named robot's kind, as a robots x requests mask."""
        bits: dict[str, int] = {}
        for name in {c for r in robots for c in r.capabilities} | {c for q in requests for c in q.capabilities}:
            bits[name] = 1 << len(bits)
        dtype = np.int64 if len(bits) < 63 else object  # object ints once there are too many capabilities
        has = np.array([sum(bits[c] for c in set(r.capabilities)) for r in robots], dtype=dtype)[:, None]
        needs = np.array([sum(bits[c] for c in set(q.capabilities)) for q in requests], dtype=dtype)[None, :]
        capable = ((has & needs) == needs).astype(bool)
        row = {r.name: i for i, r in enumerate(robots)}
        kinds = np.array([r.kind for r in robots])
        for j, request in enumerate(requests):
            for name in request.excluded:
                if name in row:
                    capable[row[name], j] = False
            if request.robot:  # teammates of a named robot are of its kind
                pinned = row.get(request.robot)
                capable[:, j] &= kinds == kinds[pinned] if pinned is not None else False
        return capable

    def _learned(self, requests: list[TeamRequest], robots: list[RobotView]) -> tuple[np.ndarray, np.ndarray]:
        """Duration factors and success rates, robots x requests, for each request's skill."""
        factor = np.ones((len(robots), len(requests)))
        success = np.ones((len(robots), len(requests)))
        known = self.estimates.by_robot_skill
        if not known:
            return factor, success
        skills = np.array([q.skill for q in requests])
        for i, robot in enumerate(robots):
            for skill, estimate in known.get(robot.name, {}).items():
                columns = skills == skill
                factor[i, columns], success[i, columns] = estimate.duration_factor, estimate.success
        return factor, success
