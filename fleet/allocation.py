"""What a dispatcher tells an allocation policy: the chains that need robots and the robots there are."""

from __future__ import annotations

from typing import Callable, Optional

from pydantic import BaseModel

from fleet.plan import Plan, Role, Subtask
from fleet.validate import capable_robots, coalition_size
from fleet.world import World


class TeamRequest(BaseModel):
    """A role of a ready subtask that needs robots: its whole same-robot chain, from that subtask on."""

    key: str  # unique per request, e.g. "<mission>/<subtask>/<param>"
    mission: str
    chain: str = ""  # the plan's chain it staffs
    subtask: str
    skill: str
    place: Optional[str]
    capabilities: list[str]
    coalition_size: int = 1
    load_kg: float = 0.0
    robot: Optional[str] = None  # a robot the mission names: it must be in the team
    excluded: list[str] = []  # robots that already failed this chain
    priority: int = 0
    route: list[str] = []  # places the chain visits in order (the first is `place`)
    work_s: float = 0.0  # skill time of the whole chain at its places, without travel
    energy_wh: float = 0.0  # skill energy of the whole chain, without travel
    tail_s: float = 0.0  # longest chain of work that waits on this one: long tails go first
    arrival: int = 0  # when it was first offered, for first come first served
    ready_in_s: float = 0.0  # expected wait for started work it depends on; 0 when nothing is running for it
    waits_for: list[str] = []  # keys of other requests in the same call that must finish first

    @property
    def ready(self) -> bool:
        """Whether it can start now; requests that are not ready are offered only so policies can look ahead."""
        return self.ready_in_s <= 0.0 and not self.waits_for


class RobotView(BaseModel):
    """What a policy may know about a robot: where and how charged it will be once its committed work is done."""

    name: str
    kind: str
    place: str
    battery_wh: float
    capabilities: list[str]
    payload: float
    speed: float
    free_in_s: float = 0.0  # seconds until it finishes the work it has started; 0 when idle

    @property
    def idle(self) -> bool:
        return self.free_in_s <= 0.0


# A dispatcher's view of a policy: requests and robots in, request key to team out.
Allocate = Callable[[list[TeamRequest], list[RobotView]], dict[str, list[str]]]


def can_exclude(world: World, capabilities: list[str], load_kg: float, excluded: set[str]) -> bool:
    """Whether a chain could still get a team if these robots were left out (else retry with them)."""
    candidates = [n for n in capable_robots(world, set(capabilities)) if n not in excluded]
    return bool(candidates) and coalition_size(world, candidates, load_kg) is not None


def chain_route(plan: Plan, chain: str, start: str) -> list[Subtask]:
    """The subtasks of a chain from `start` on, in plan order."""
    by_id = plan.by_id()
    members = [sid for sid, _ in plan.chains().get(chain, [])]
    later = members[members.index(start):] if start in members else members
    return [by_id[sid] for sid in later]


def tails(plan: Plan, travel_s: Optional[Callable[[str, str], float]] = None) -> dict[str, float]:
    """For each subtask, the longest run of work among the subtasks that wait on it (transitively).

    Work is skill time plus, when `travel_s(a, b)` is given, the trip from each place to the next.
    """
    children: dict[str, list[Subtask]] = {s.id: [] for s in plan.subtasks}
    for subtask in plan.subtasks:
        for dep in subtask.dependencies:
            children[dep].append(subtask)
    by_id = plan.by_id()
    tail: dict[str, float] = {}

    def trip(a: Optional[str], b: Optional[str]) -> float:
        return travel_s(a, b) if (travel_s and a and b) else 0.0

    def visit(sid: str) -> float:
        if sid not in tail:
            here = by_id[sid].place
            tail[sid] = max((trip(here, c.place) + c.duration_s + visit(c.id) for c in children[sid]), default=0.0)
        return tail[sid]

    for subtask in reversed(plan.subtasks):
        visit(subtask.id)
    return tail


def team_request(
    world: World,
    steps: list[Subtask],
    subtask: Subtask,
    role: Role,
    *,
    key: str,
    mission: str = "",
    priority: int = 0,
    excluded: Optional[list[str]] = None,
    tail_s: float = 0.0,
    arrival: int = 0,
) -> TeamRequest:
    """The request for a role's chain; `steps` are the chain's subtasks from `subtask` on (see `chain_route`)."""
    route: list[str] = []
    for step in steps:
        if step.place and (not route or route[-1] != step.place):
            route.append(step.place)
    return TeamRequest(
        key=key,
        mission=mission,
        chain=role.chain,
        subtask=subtask.id,
        skill=subtask.skill,
        place=subtask.place,
        capabilities=role.capabilities,
        coalition_size=role.coalition_size,
        load_kg=role.load_kg,
        robot=role.robot,
        excluded=excluded or [],
        priority=priority,
        route=route,
        work_s=sum(s.duration_s for s in steps),
        energy_wh=sum(world.skills_by_name[s.skill].energy_wh for s in steps),
        tail_s=tail_s,
        arrival=arrival,
    )
