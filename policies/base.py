"""The allocation policy interface and its registry: which robots take which ready subtask."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Callable, ClassVar, Optional

import numpy as np

from fleet.allocation import RobotView, TeamRequest
from fleet.registry import Registry
from fleet.world import World
from policies.cost import CostModel, Estimates

__all__ = [
    "AllocationPolicy",
    "Offered",
    "alone",
    "POLICIES",
    "RobotView",
    "TeamRequest",
    "make_policy",
    "pick_team",
    "register",
    "smallest_team",
]


class AllocationPolicy(ABC):
    """Chooses a team for each request from the robots offered; a request may stay unserved.

    Every policy prices robots with the shared `CostModel` (expected finish time with travel,
    charging, queue and the learned estimates) and respects its feasibility: capabilities,
    exclusions, named robots, payload (teams) and battery.
    """

    name: ClassVar[str]

    def __init__(self, estimates: Optional[Estimates] = None, battery_reserve: float = 0.2):
        self.estimates = estimates or Estimates()
        self.battery_reserve = battery_reserve
        self._costs: Optional[CostModel] = None

    def costs(self, world: World) -> CostModel:
        """The cost model for a world, built once (it holds the world's distance matrix)."""
        if self._costs is None or self._costs.world is not world:
            self._costs = CostModel(world, self.estimates, self.battery_reserve)
        self._costs.estimates = self.estimates
        return self._costs

    @abstractmethod
    def assign(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        """Request key to team; each robot in at most one team per call unless the policy queues work."""


POLICIES: Registry[AllocationPolicy] = Registry("policy")


def register(cls: type[AllocationPolicy]) -> type[AllocationPolicy]:
    """Class decorator: make a policy available by its `name`."""
    return POLICIES.register(cls.name)(cls)


def make_policy(name: str, **options) -> AllocationPolicy:
    """A policy by name; an unknown name lists the known ones."""
    import policies.auction  # noqa: F401  - these register the bundled policies
    import policies.greedy  # noqa: F401
    import policies.learned  # noqa: F401
    import policies.optimal  # noqa: F401

    return POLICIES.get(name)(**options)


class Offered:
    """The robots of one round as arrays, for picking teams quickly."""

    def __init__(self, robots: list[RobotView]):
        self.robots = robots
        self.payload = np.array([r.payload for r in robots])
        self.names = np.array([r.name for r in robots])
        self.rows = {r.name: i for i, r in enumerate(robots)}


def alone(requests: list[TeamRequest], offered: Offered, capable: np.ndarray) -> np.ndarray:
    """Robots x requests: which robot could take a request by itself (carries the load; is the named one)."""
    load = np.array([q.load_kg for q in requests])
    mask = capable & (offered.payload[:, None] >= load[None, :])
    for j, request in enumerate(requests):
        if request.robot is not None:
            mask[:, j] &= offered.names == request.robot
    return mask


def pick_team(
    request: TeamRequest, offered: Offered, cost: np.ndarray, open_: np.ndarray, max_coalition: int
) -> Optional[list[int]]:
    """Rows of the cheapest team for one request: the single best robot that can carry the load, else
    the smallest team of one kind (see `smallest_team`). `cost` is this request's column (inf where
    infeasible), `open_` marks robots still free to take it. None when no team fits.
    """
    usable = open_ & np.isfinite(cost)
    if not usable.any():
        return None
    if request.coalition_size <= 1:
        alone = usable & (offered.payload >= request.load_kg)
        if request.robot is not None:
            alone &= offered.names == request.robot
        if alone.any():
            return [int(np.argmin(np.where(alone, cost, math.inf)))]
    candidates = [offered.robots[i] for i in np.flatnonzero(usable)]
    team = smallest_team(request, candidates, lambda r: float(cost[offered.rows[r.name]]), max_coalition)
    return [offered.rows[r.name] for r in team] if team else None


def eligible(request: TeamRequest, robot: RobotView) -> bool:
    """Whether a robot can play the requested role at all."""
    return set(request.capabilities) <= set(robot.capabilities) and robot.name not in request.excluded


def smallest_team(
    request: TeamRequest, candidates: list[RobotView], cost: Callable[[RobotView], float], max_coalition: int
) -> Optional[list[RobotView]]:
    """The cheapest team for a request: one robot if one can carry the load, else robots of one kind.

    `cost` ranks robots (e.g. travel time to the subtask); a team costs what its slowest member
    costs. A named robot is always in the team. None when no team of at most `max_coalition` fits.
    """
    eligible_ones = [r for r in candidates if eligible(request, r)]
    if request.robot is not None:
        named = [r for r in eligible_ones if r.name == request.robot]
        if not named:
            return None
        others = sorted((r for r in eligible_ones if r.kind == named[0].kind and r is not named[0]), key=cost)
        team = named
        for robot in others:
            if sum(r.payload for r in team) >= request.load_kg and len(team) >= request.coalition_size:
                break
            team.append(robot)
        return team if _fits(request, team, max_coalition) else None
    best: Optional[list[RobotView]] = None
    by_kind: dict[str, list[RobotView]] = {}
    for robot in eligible_ones:
        by_kind.setdefault(robot.kind, []).append(robot)
    for robots in by_kind.values():
        team: list[RobotView] = []
        for robot in sorted(robots, key=lambda r: (cost(r), r.name)):
            team.append(robot)
            if _fits(request, team, max_coalition):
                break
        if _fits(request, team, max_coalition):
            if best is None or (max(map(cost, team)), len(team)) < (max(map(cost, best)), len(best)):
                best = team
    return best


def _fits(request: TeamRequest, team: list[RobotView], max_coalition: int) -> bool:
    return (
        0 < len(team) <= max(max_coalition, request.coalition_size)
        and len(team) >= request.coalition_size
        and sum(r.payload for r in team) >= request.load_kg
    )
