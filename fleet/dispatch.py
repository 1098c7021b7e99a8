"""Dispatch decisions, one logic for the simulation core and the live coordinator.

A `Dispatcher` decides, for the plans in progress (`Job`s) and the robots as they stand
(`RobotSlot`s), which chains get which robots and which ready subtasks start now:

- a new allocation round happens only when the situation changes: a robot came free, work
  became ready, or a chain must be staffed again after its first step failed (`invalidate`);
- a round offers the policy every chain that has not started: the ready ones and, with
  look-ahead, those still waiting on other work (marked not ready, with the expected wait); and
  every available robot, a busy one with where, when and how charged its started work leaves it;
- the teams the policy gives ready chains become the robots' queues, in the policy's order; a
  subtask starts once its whole team is free: steps of started chains first, then queued chains
  in queue order, then by job (the caller's order, e.g. priority) and plan order;
- a chain that may wait once started starts only under the banker's rule (`fleet.staffing`);
- a robot that holds something a request names it for is kept for that request (`allocate_round`).

Both callers drive the same three calls each time something happens: `round` (the requests
and robot views when a new allocation is due), `offer` (the policy's teams), `starts` (what to
start now; it records each started chain's team in `Job.teams`). The simulation core does it in
virtual time, the coordinator actor with Ray robots, so the allocation benchmark measures the
decisions the live fleet makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Optional

from fleet.allocation import Allocate, RobotView, TeamRequest, can_exclude, tails, team_request
from fleet.costs import travel_energy_wh, travel_seconds, typical_travel_seconds
from fleet.models import SubtaskStatus
from fleet.plan import Plan, Subtask, topological_order
from fleet.staffing import ChainNeeds, chain_needs, may_start, waits
from fleet.world import World


def chain_lock(job: str, chain: str) -> str:
    """The lock a robot holds while it is in the middle of a job's chain."""
    return f"{job}/{chain}"


@dataclass
class Job:
    """A plan in progress as dispatch sees it; `teams` gains each chain's team when the chain starts."""

    key: str  # the mission id
    plan: Plan
    status: dict[str, SubtaskStatus]  # every subtask's status
    teams: dict[str, list[str]]  # chain -> its robots, once it has started
    excluded: dict[str, set[str]] = field(default_factory=dict)  # chain -> robots that failed its first step
    priority: int = 0

    def lock(self, chain: str) -> str:
        return chain_lock(self.key, chain)


@dataclass
class RobotSlot:
    """One robot as dispatch sees it; for a busy robot, place and battery are where its current subtask leaves it."""

    name: str
    place: str
    battery_wh: float
    busy: bool = False
    busy_for_s: float = 0.0  # seconds until its current subtask ends
    lock: Optional[str] = None  # `Job.lock` of the chain it is in the middle of
    job: Optional[str] = None  # the job, chain and subtask it runs or ran last
    chain: Optional[str] = None
    subtask: Optional[str] = None
    holding: bool = False  # it holds something: kept for a request that names it
    available: bool = True  # alive and reporting

    @property
    def free(self) -> bool:
        """Idle and in no chain: a robot any chain may take now."""
        return self.available and not self.busy and self.lock is None


@dataclass
class Start:
    """A subtask to start now, with each of its chains' teams."""

    job: Job
    subtask: Subtask
    teams: dict[str, list[str]]  # chain -> robots

    @property
    def robots(self) -> list[str]:
        return [name for team in self.teams.values() for name in team]


@dataclass
class _PlanFacts:
    """What dispatch derives from a plan once (again when a replan extends it)."""

    size: int
    by_id: dict[str, Subtask]
    order: list[str]
    position: dict[str, int]
    chain_members: dict[str, list[str]]
    needs: dict[str, ChainNeeds]
    waits: dict[str, set[str]]
    requests: dict[str, TeamRequest]  # chain -> its request, as offered when it has not started


def allocate_round(
    allocate: Allocate, requests: list[TeamRequest], views: list[RobotView], robots: dict[str, RobotSlot]
) -> dict[str, list[str]]:
    """Ask the policy for teams; a robot that holds something a request names it for is kept for that request.

    (A robot left holding a thing no request needs, such as a knife after slicing, works as any other.)
    """
    named = {q.robot for q in requests if q.robot is not None}
    holding = {name for name, slot in robots.items() if slot.holding and slot.free and name in named}
    if not holding:
        return allocate(requests, views)
    unpinned = [q for q in requests if q.robot is None]
    pinned = [q for q in requests if q.robot is not None]
    offers = allocate(unpinned, [v for v in views if v.name not in holding]) if unpinned else {}
    if pinned:
        offers.update(allocate(pinned, views))
    return offers


class Dispatcher:
    """Dispatch state across allocation rounds: the last situation decided on and the robots' queues."""

    def __init__(self, world: World, lookahead: bool = True):
        self.world = world
        self.lookahead = lookahead
        self.queued: dict[tuple[str, str], list[str]] = {}  # (job, chain) -> team, in queue order
        self._facts: dict[str, _PlanFacts] = {}
        self._keys: dict[str, tuple[str, str]] = {}  # request key -> (job, chain)
        self._situation: Optional[tuple[frozenset, frozenset]] = None
        self._arrivals = 0  # chains offered so far: first come, first served

    # ---- plans -------------------------------------------------------------------------------
    def facts(self, job: Job) -> _PlanFacts:
        """The job's plan facts, derived again when the plan has grown."""
        known = self._facts.get(job.key)
        if known is not None and known.size == len(job.plan.subtasks):
            return known
        plan = job.plan
        order = topological_order(plan)
        if order is None:
            raise ValueError(f"{job.key}: the plan's dependencies form a cycle")
        by_id = plan.by_id()
        chains = plan.chains()
        tail = tails(plan, partial(typical_travel_seconds, self.world))
        requests = dict(known.requests) if known else {}
        for chain, members in chains.items():
            if chain in requests:
                continue
            first, param = members[0]
            role = next(r for r in by_id[first].roles if r.param == param)
            key = f"{job.key}/{first}/{param}"
            steps = [by_id[sid] for sid, _ in members]
            requests[chain] = team_request(
                self.world, steps, by_id[first], role, key=key, mission=job.key, tail_s=tail[first], arrival=self._arrivals
            )
            self._keys[key] = (job.key, chain)
            self._arrivals += 1
        facts = _PlanFacts(
            size=len(plan.subtasks),
            by_id=by_id,
            order=order,
            position={sid: i for i, sid in enumerate(order)},
            chain_members={chain: [sid for sid, _ in members] for chain, members in chains.items()},
            needs=chain_needs(plan),
            waits=waits(plan),
            requests=requests,
        )
        self._facts[job.key] = facts
        return facts

    def forget(self, job_key: str) -> None:
        """Drop a finished job's plan facts and queued teams."""
        facts = self._facts.pop(job_key, None)
        for request in facts.requests.values() if facts else []:
            self._keys.pop(request.key, None)
        for key in [k for k in self.queued if k[0] == job_key]:
            del self.queued[key]

    def ready(self, job: Job) -> list[Subtask]:
        """Pending subtasks whose dependencies all succeeded, in plan order."""
        facts = self.facts(job)
        status = job.status
        return [
            facts.by_id[sid]
            for sid in facts.order
            if status.get(sid) == SubtaskStatus.PENDING
            and all(status.get(d) == SubtaskStatus.SUCCEEDED for d in facts.by_id[sid].dependencies)
        ]

    def exclude(self, job: Job, chain: str, team: list[str]) -> None:
        """Leave a team that failed a chain's first step out of its next offers, unless no other team could do it."""
        request = self.facts(job).requests[chain]
        excluded = job.excluded.get(chain, set()) | set(team)
        if can_exclude(self.world, request.capabilities, request.load_kg, excluded):
            job.excluded[chain] = excluded

    def invalidate(self) -> None:
        """Decide again at the next round even if robots and ready work look as before."""
        self._situation = None

    # ---- one pass ----------------------------------------------------------------------------
    def round(self, jobs: list[Job], robots: dict[str, RobotSlot]) -> Optional[tuple[list[TeamRequest], list[RobotView]]]:
        """The requests and robot views to allocate now, or None when nothing changed since the last round."""
        idle = frozenset(name for name, slot in robots.items() if slot.free)
        waiting = frozenset(
            (job.key, subtask.id)
            for job in jobs
            for subtask in self.ready(job)
            if any(role.chain not in job.teams for role in subtask.roles)
        )
        if (idle, waiting) == self._situation:
            return None
        self._situation = (idle, waiting)
        self.queued.clear()
        if not waiting:
            return None
        views = [self.view(slot, jobs) for slot in robots.values() if slot.available]
        requests = [q for job in jobs for q in self._requests(job, views)]
        return requests, views

    def offer(self, requests: list[TeamRequest], offers: dict[str, list[str]]) -> None:
        """Take the policy's teams: those for ready chains become the robots' queues, in the policy's order."""
        ready_keys = {q.key for q in requests if q.ready}
        for key, team in offers.items():
            if team and key in ready_keys:  # the rest was only a look ahead
                self.queued[self._keys[key]] = list(team)

    def starts(self, jobs: list[Job], robots: dict[str, RobotSlot]) -> list[Start]:
        """The ready subtasks whose teams are free now; records each newly started chain's team in its job."""
        queue_index = {key: i for i, key in enumerate(self.queued)}
        candidates = []
        for rank, job in enumerate(jobs):
            facts = self.facts(job)
            for subtask in self.ready(job):
                chains = [role.chain for role in subtask.roles]
                started = all(c in job.teams for c in chains)
                place = max((queue_index.get((job.key, c), 0) for c in chains), default=0)
                candidates.append(((0 if started else 1, place, rank, facts.position[subtask.id]), job, subtask))
        candidates.sort(key=lambda candidate: candidate[0])

        taken: set[str] = set()
        starts = []
        for _, job, subtask in candidates:
            teams = self._teams(job, subtask, robots, taken)
            if teams is None:
                continue
            for chain, team in teams.items():
                job.teams[chain] = team
                self.queued.pop((job.key, chain), None)
            start = Start(job, subtask, teams)
            taken.update(start.robots)
            starts.append(start)
        return starts

    def _teams(self, job: Job, subtask: Subtask, robots: dict[str, RobotSlot], taken: set[str]) -> Optional[dict[str, list[str]]]:
        """Each chain's team if the subtask can start now with them, else None."""
        teams: dict[str, list[str]] = {}
        for role in subtask.roles:
            team = job.teams.get(role.chain) or self.queued.get((job.key, role.chain))
            if not team:
                return None
            teams[role.chain] = list(team)
        names = [name for team in teams.values() for name in team]
        if len(set(names)) != len(names):
            return None  # one robot offered for two roles of the same subtask
        for chain, team in teams.items():
            for name in team:
                slot = robots.get(name)
                if slot is None or name in taken or not slot.available or slot.busy or slot.lock not in (None, job.lock(chain)):
                    return None
        facts = self.facts(job)
        waiting = [c for c in teams if c not in job.teams and facts.waits.get(c)]
        if waiting:  # only chains that may wait once started need the check
            free = [name for name, slot in robots.items() if slot.free and name not in taken]
            if not all(may_start(self.world, facts.waits[c], facts.needs, teams[c], free, job.teams) for c in waiting):
                return None  # it could hold robots that the work it waits for needs
        return teams

    def _requests(self, job: Job, views: list[RobotView]) -> list[TeamRequest]:
        """A request per chain of the job that has not started: ready ones, and with look-ahead the waiting ones."""
        facts = self.facts(job)
        ready_ids = {s.id for s in self.ready(job)}
        free_in = {v.name: v.free_in_s for v in views}
        requests = []
        for chain, request in facts.requests.items():
            if chain in job.teams or job.status.get(request.subtask) != SubtaskStatus.PENDING:
                continue
            request.priority = job.priority
            request.excluded = sorted(job.excluded.get(chain, set()))
            request.ready_in_s, request.waits_for = 0.0, []
            if request.subtask not in ready_ids:
                if not self.lookahead:
                    continue
                for dep in facts.by_id[request.subtask].dependencies:
                    if job.status.get(dep) == SubtaskStatus.SUCCEEDED:
                        continue
                    for role in facts.by_id[dep].roles:
                        if role.chain in job.teams:  # running: expect it when its team is through
                            request.ready_in_s = max([request.ready_in_s, *(free_in.get(n, 0.0) for n in job.teams[role.chain])])
                        elif role.chain != chain:
                            request.waits_for.append(facts.requests[role.chain].key)
                request.ready_in_s = max(request.ready_in_s, 1e-6)  # not ready, even if the wait is unknown
            requests.append(request)
        return requests

    def view(self, slot: RobotSlot, jobs: list[Job]) -> RobotView:
        """A robot as a policy sees it: where, when and how charged its started work leaves it."""
        kind = self.world.kind_of(slot.name)
        free_in = slot.busy_for_s if slot.busy else 0.0
        place, battery = slot.place, slot.battery_wh
        job = next((j for j in jobs if j.key == slot.job), None)
        if (slot.busy or slot.lock) and job is not None:  # the rest of the chain it is in the middle of
            facts = self.facts(job)
            members = facts.chain_members.get(slot.chain or "", [])
            later = members[members.index(slot.subtask) + 1 :] if slot.subtask in members else []
            for sid in later:
                subtask = facts.by_id[sid]
                if subtask.place:
                    free_in += travel_seconds(self.world, slot.name, place, subtask.place)
                    battery -= travel_energy_wh(self.world, slot.name, place, subtask.place)
                    place = subtask.place
                free_in += subtask.duration_s
                battery -= self.world.skills_by_name[subtask.skill].energy_wh
        return RobotView(
            name=slot.name,
            kind=self.world.robots_by_name[slot.name].kind,
            place=place,
            battery_wh=max(battery, 0.0),
            capabilities=kind.capabilities,
            payload=kind.payload,
            speed=kind.speed,
            free_in_s=free_in,
        )
