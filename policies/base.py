"""The allocation policy interface and its registry: which robots take which ready subtask."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, ClassVar, Optional

from pydantic import BaseModel

from fleet.registry import Registry
from fleet.world import World


class TeamRequest(BaseModel):
    """A role of a ready subtask that needs robots (a whole chain, from its first subtask)."""

    key: str  # unique per request, e.g. "<mission>/<chain>"
    mission: str
    subtask: str
    skill: str
    place: Optional[str]
    capabilities: list[str]
    coalition_size: int = 1
    load_kg: float = 0.0
    robot: Optional[str] = None  # a robot the mission names: it must be in the team
    excluded: list[str] = []  # robots that already failed this chain
    priority: int = 0


class RobotView(BaseModel):
    """What a policy may know about a robot that is free to take work."""

    name: str
    kind: str
    place: str
    battery_wh: float
    capabilities: list[str]
    payload: float
    speed: float


class AllocationPolicy(ABC):
    """Chooses a team for each request from the free robots; a request may stay unserved."""

    name: ClassVar[str]

    @abstractmethod
    def assign(self, world: World, requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
        """Request key to team; each robot in at most one team; teams cover capabilities and load."""


POLICIES: Registry[AllocationPolicy] = Registry("policy")


def register(cls: type[AllocationPolicy]) -> type[AllocationPolicy]:
    """Class decorator: make a policy available by its `name`."""
    return POLICIES.register(cls.name)(cls)


def make_policy(name: str) -> AllocationPolicy:
    """A policy by name; an unknown name lists the known ones."""
    import policies.greedy  # noqa: F401  - registers the bundled policies

    return POLICIES.get(name)()


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
