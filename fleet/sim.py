"""Simulation core: execute a plan with a robot assignment in virtual time, deterministically per seed.

Travel takes shortest-path distance over speed, skills take their duration, batteries drain with
distance and work and are recharged by a detour to the nearest charger when a subtask would
leave less than the reserve. Faults come from a seeded fault model with a drift schedule.
Benchmarks and the reinforcement-learning environment run on this; no Ray involved.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Generator, Optional

from pydantic import BaseModel, Field, model_validator

from fleet.allocation import Allocate, RobotView, TeamRequest, can_exclude, tails, team_request
from fleet.costs import (
    charge_seconds,
    nearest_charger,
    needs_charge,
    travel_energy_wh,
    travel_seconds,
    typical_travel_seconds,
)
from fleet.errors import FleetError
from fleet.models import Feedback, OutcomeKind, SubtaskStatus
from fleet.literals import Literal
from fleet.plan import Plan, Subtask, topological_order
from fleet.staffing import chain_needs, may_start, waits
from fleet.state import WorldState
from fleet.validate import role_binding
from fleet.world import RUNTIME_FLUENTS, World


class FailureRate(BaseModel):
    """Probability that a robot fails one execution of a skill; `*` matches any."""

    robot: str = "*"
    skill: str = "*"
    probability: float = Field(ge=0, le=1)

    def matches(self, robot: str, skill: str) -> bool:
        return self.robot in ("*", robot) and self.skill in ("*", skill)


class DriftEvent(FailureRate):
    """A failure rate that takes over once a trigger is passed (time, executions or missions)."""

    at_time_s: Optional[float] = None
    after_executions: Optional[int] = None  # executions of this skill by this robot
    after_missions: Optional[int] = None  # missions the fleet has finished (the runtime counts)

    @model_validator(mode="after")
    def _one_trigger(self) -> "DriftEvent":
        triggers = [self.at_time_s, self.after_executions, self.after_missions]
        if sum(t is not None for t in triggers) != 1:
            raise ValueError("a drift event needs exactly one of at_time_s, after_executions, after_missions")
        return self

    def triggered(self, now_s: float, executions: int, missions: int) -> bool:
        if self.at_time_s is not None:
            return now_s >= self.at_time_s
        if self.after_executions is not None:
            return executions >= self.after_executions
        return missions >= (self.after_missions or 0)


class FaultModel(BaseModel):
    """Failure probabilities per robot and skill; later entries override earlier ones."""

    rates: list[FailureRate] = []
    drift: list[DriftEvent] = []

    def probability(self, robot: str, skill: str, now_s: float = 0.0, executions: int = 0, missions: int = 0) -> float:
        p = 0.0
        for rate in self.rates:
            if rate.matches(robot, skill):
                p = rate.probability
        for event in self.drift:
            if event.matches(robot, skill) and event.triggered(now_s, executions, missions):
                p = event.probability
        return p


class SimConfig(BaseModel):
    """Knobs of the simulation core."""

    battery_reserve: float = Field(default=0.2, ge=0, lt=1)  # fraction kept for reaching a charger
    max_attempts: int = Field(default=3, ge=1)  # executions of a subtask before it fails for good
    missions_done: int = 0  # passed to drift events triggered by mission count


class SubtaskRecord(BaseModel):
    """What happened to one subtask."""

    id: str
    skill: str
    robots: list[str]
    status: SubtaskStatus
    attempts: int = 0
    start_s: Optional[float] = None
    end_s: Optional[float] = None
    failures: list[str] = []


class SimResult(BaseModel):
    """The outcome of one simulated plan execution."""

    succeeded: bool  # every subtask succeeded and the goal holds
    goal_reached: bool
    makespan_s: float
    travel_m: float
    energy_wh: float
    charges: int
    subtasks: list[SubtaskRecord]
    final_facts: list[str] = []
    feedback: list[Feedback] = []  # every try, as the live coordinator records it, in the order they started
    decisions: int = 0  # allocation rounds (the time they took is on the Simulation: it is not repeatable)


def _outcome_kind(reason: str) -> OutcomeKind:
    """The runtime's name for how a simulated attempt failed."""
    if reason.startswith("precondition"):
        return OutcomeKind.PRECONDITION
    if reason.endswith("ran out of battery"):
        return OutcomeKind.BATTERY_LOW
    return OutcomeKind.SKILL_FAILED


def _chain_of(request_key: str) -> str:
    """The chain a simulation request key names (its last part)."""
    return request_key.rsplit("/", 1)[-1]


class AssignmentError(FleetError):
    """An assignment leaves a role unstaffed or gives it robots that cannot do the work."""


@dataclass
class _Robot:
    name: str
    place: str
    battery_wh: float
    busy: bool = False
    busy_until: float = 0.0
    lock: Optional[str] = None  # chain this robot is in the middle of
    current: Optional[str] = None  # the subtask it runs or ran last
    chain: Optional[str] = None  # the chain of that subtask
    executions: dict[str, int] = field(default_factory=dict)
    travel_m: float = 0.0
    energy_wh: float = 0.0


def check_assignment(world: World, plan: Plan, assignment: dict[str, list[str]]) -> None:
    """Raise AssignmentError unless every chain has capable robots that can carry its load."""
    chains = plan.chains()
    by_id = plan.by_id()
    for chain, members in chains.items():
        team = assignment.get(chain)
        role = next(r for r in by_id[members[0][0]].roles if r.param == members[0][1])
        if not team:
            raise AssignmentError(f"chain {chain} ({members[0][0]} {by_id[members[0][0]].skill}) has no robot assigned")
        for robot in team:
            if robot not in world.robots_by_name:
                raise AssignmentError(f"chain {chain}: unknown robot {robot!r}")
            missing = set(role.capabilities) - set(world.kind_of(robot).capabilities)
            if missing:
                raise AssignmentError(f"chain {chain}: {robot} lacks {', '.join(sorted(missing))}")
        if role.robot and role.robot not in team:
            raise AssignmentError(f"chain {chain} must include {role.robot}, which the mission names")
        payload = sum(world.kind_of(r).payload for r in team)
        if payload < role.load_kg:
            raise AssignmentError(f"chain {chain}: {', '.join(team)} carry {payload:g} kg, the load is {role.load_kg:g} kg")
    for subtask in plan.subtasks:
        seen: set[str] = set()
        for role in subtask.roles:
            team = set(assignment[role.chain])
            if team & seen:
                raise AssignmentError(f"{subtask.id}: one robot cannot play two roles ({', '.join(sorted(team & seen))})")
            seen |= team


class Simulation:
    """Virtual-time execution of plans against a world state, one robot timeline per robot."""

    def __init__(
        self,
        world: World,
        fault_model: Optional[FaultModel] = None,
        seed: int = 0,
        config: Optional[SimConfig] = None,
        state: Optional[WorldState] = None,
    ):
        self.world = world
        self.faults = fault_model or FaultModel()
        self.rng = random.Random(seed)
        self.config = config or SimConfig()
        self.state = state.copy() if state else WorldState.initial(world)
        self.robots = {
            r.name: _Robot(r.name, r.start, r.battery_level * world.robot_kinds[r.kind].battery.capacity_wh)
            for r in world.robots
        }
        self.charges = 0
        self.decision_s = 0.0  # wall time spent in allocation calls by the last dispatch
        self.decisions = 0
        self.now = 0.0  # virtual time of the run in progress
        self.feedback: list[Feedback] = []  # its attempts so far

    # ---- timing and energy -----------------------------------------------------------------
    def _travel(self, robot: _Robot, place: str) -> float:
        """Move a robot, returning the seconds it took; drains the battery on the way."""
        energy = travel_energy_wh(self.world, robot.name, robot.place, place)
        seconds = travel_seconds(self.world, robot.name, robot.place, place)
        robot.travel_m += self.world.distance(robot.place, place)
        robot.energy_wh += energy
        robot.battery_wh -= energy
        robot.place = place
        return seconds

    def _charge_detour_if_needed(self, robot: _Robot, place: str, work_wh: float) -> float:
        """Seconds spent going to charge first, when the work would eat into the reserve."""
        if not needs_charge(
            self.world, robot.name, robot.battery_wh, robot.place, place, work_wh, self.config.battery_reserve
        ):
            return 0.0
        seconds = self._travel(robot, nearest_charger(self.world, robot.place) or robot.place)
        seconds += charge_seconds(self.world, robot.name, robot.battery_wh)
        robot.battery_wh = self.world.kind_of(robot.name).battery.capacity_wh
        self.charges += 1
        return seconds

    # ---- execution ---------------------------------------------------------------------------
    def run(self, plan: Plan, assignment: dict[str, list[str]], goal: Optional[list[Literal]] = None) -> SimResult:
        """Execute a resolved plan with a fixed team per chain; returns what happened, in virtual time."""
        check_assignment(self.world, plan, assignment)

        def fixed(requests: list[TeamRequest], robots: list[RobotView]) -> dict[str, list[str]]:
            idle = {r.name for r in robots if r.idle}
            teams = {q.key: assignment[_chain_of(q.key)] for q in requests}
            return {key: team for key, team in teams.items() if set(team) <= idle}

        return self.dispatch(plan, fixed, goal, lookahead=False)

    def dispatch(
        self,
        plan: Plan,
        allocate: Allocate,
        goal: Optional[list[Literal]] = None,
        lookahead: bool = True,
        mission: str = "sim",
    ) -> SimResult:
        """Execute a resolved plan, asking `allocate` for teams whenever chains are ready and unstarted.

        Each time something happens, every chain that has not started is offered again (with
        `lookahead`, also those still waiting on others, marked not ready) with a view of every
        robot (where and when its started work leaves it); the teams for ready chains become the
        robots' queues. A chain starts once its whole team is free, in queue order. Every attempt
        is recorded as the `Feedback` the live coordinator writes, under the `mission` label.
        """
        self.decision_s = 0.0
        self.decisions = 0
        rounds = self.rounds(plan, goal, lookahead, mission)
        try:
            requests, views = next(rounds)
            while True:
                clock = time.perf_counter()
                offers = allocate(requests, views)
                self.decision_s += time.perf_counter() - clock
                self.decisions += 1
                requests, views = rounds.send(offers)
        except StopIteration as stop:
            return stop.value

    def rounds(
        self, plan: Plan, goal: Optional[list[Literal]] = None, lookahead: bool = True, mission: str = "sim"
    ) -> Generator[tuple[list[TeamRequest], list[RobotView]], dict[str, list[str]], SimResult]:
        """`dispatch` as a generator: yields each allocation round's requests and robot views, is
        sent the teams, and returns the result. `now` and `feedback` show the clock and the
        attempts so far, for a caller that steps through a run (the learning environment).
        """
        order = topological_order(plan)
        if order is None:
            raise AssignmentError("the plan's dependencies form a cycle")
        by_id = plan.by_id()
        position = {sid: i for i, sid in enumerate(order)}
        chain_members = {chain: [sid for sid, _ in members] for chain, members in plan.chains().items()}
        needs, chain_waits = chain_needs(plan), waits(plan)
        cached: dict[str, TeamRequest] = {}
        situation: Optional[tuple[frozenset, frozenset]] = None  # idle robots and chains waiting, at the last decision
        records = {sid: SubtaskRecord(id=sid, skill=by_id[sid].skill, robots=[], status=SubtaskStatus.SKIPPED) for sid in order}
        staffed: dict[str, list[str]] = {}  # chain -> team, once it has started
        queued: dict[str, list[str]] = {}  # chain -> team, promised by the last allocation
        done: dict[str, SubtaskStatus] = {}
        feedback: list[Feedback] = []
        self.feedback = feedback
        running: set[str] = set()
        events: list[tuple[float, int, str, bool, str]] = []
        sequence = 0
        now = self.now = 0.0

        def release(subtask: Subtask, chain_over: bool) -> None:
            for role in subtask.roles:
                for name in staffed[role.chain]:
                    robot = self.robots[name]
                    robot.busy = False
                    last = chain_members[role.chain][-1] == subtask.id
                    robot.lock = None if (last or chain_over or len(chain_members[role.chain]) == 1) else role.chain

        while True:
            ready = []
            for sid in order:
                if sid in done or sid in running:
                    continue
                dep_states = [done.get(d) for d in by_id[sid].dependencies]
                if any(s in (SubtaskStatus.FAILED, SubtaskStatus.SKIPPED) for s in dep_states):
                    done[sid] = SubtaskStatus.SKIPPED
                elif all(s == SubtaskStatus.SUCCEEDED for s in dep_states):
                    ready.append(by_id[sid])

            # decide again only when a robot came free or work became ready: a robot that is
            # just on to the next step of its chain changes nothing worth a new round
            idle = frozenset(n for n, r in self.robots.items() if not r.busy and r.lock is None)
            waiting = frozenset(s.id for s in ready if any(role.chain not in staffed for role in s.roles))
            if (idle, waiting) != situation:
                situation = (idle, waiting)
                queued.clear()
                if waiting:
                    views = [self._view(name, now, by_id, chain_members) for name in self.robots]
                    requests = self._requests(plan, ready, staffed, done, views, cached, lookahead)
                    offers = yield requests, views
                    ready_keys = {q.key for q in requests if q.ready}
                    for key, team in offers.items():  # in the policy's order: the robots' queue order
                        if team and key in ready_keys:  # the rest was only a look ahead
                            queued[_chain_of(key)] = list(team)

            queue_order = {chain: i for i, chain in enumerate(queued)}

            def queue_place(subtask: Subtask) -> tuple[int, int, int]:
                chains = [role.chain for role in subtask.roles]
                started = all(c in staffed for c in chains)
                return (0 if started else 1, max((queue_order.get(c, 0) for c in chains), default=0), position[subtask.id])

            for subtask in sorted(ready, key=queue_place):
                teams = {role.chain: staffed.get(role.chain) or queued.get(role.chain) for role in subtask.roles}
                if not all(teams.values()):
                    continue
                members = [self.robots[n] for team in teams.values() for n in team]
                if len({r.name for r in members}) != len(members):
                    continue  # one robot offered for two roles of the same subtask
                chain_of_robot = {n: chain for chain, team in teams.items() for n in team}
                if any(r.busy or r.lock not in (None, chain_of_robot[r.name]) for r in members):
                    continue
                waiting_chains = [c for c in teams if c not in staffed and chain_waits.get(c)]
                if waiting_chains:  # only chains that may wait once started need the check
                    free = [n for n, r in self.robots.items() if not r.busy and r.lock is None]
                    if not all(may_start(self.world, chain_waits[c], needs, teams[c], free, staffed) for c in waiting_chains):
                        continue  # it could hold robots that the work it waits for needs
                for chain, team in teams.items():
                    staffed[chain] = team
                    queued.pop(chain, None)
                assignment = {chain: team for chain, team in teams.items()}
                record = records[subtask.id]
                record.robots = sorted({r.name for r in members})
                outcome, reason, end = self._execute(subtask, members, assignment, now, record)
                feedback.append(
                    Feedback(
                        mission=mission,
                        subtask=subtask.id,
                        attempt_id=f"{mission}/{subtask.id}/{record.attempts}",
                        attempt=record.attempts,
                        skill=subtask.skill,
                        robots=record.robots,
                        place=subtask.place,
                        expected_s=subtask.duration_s,
                        actual_s=subtask.duration_s,  # the simulation core runs skills at their expected time
                        success=outcome,
                        reason="" if outcome else _outcome_kind(reason).value,
                        energy_wh=self.world.skills_by_name[subtask.skill].energy_wh * len(members),
                        at=end,
                    )
                )
                running.add(subtask.id)
                for robot in members:
                    robot.busy = True
                    robot.busy_until = end
                    robot.current = subtask.id
                    robot.chain = chain_of_robot[robot.name]
                sequence += 1
                heapq.heappush(events, (end, sequence, subtask.id, outcome, reason))
            if not events:
                break
            now = self.now = events[0][0]
            while events and events[0][0] == now:  # everything that ends at this instant, then decide once
                _, _, sid, outcome, reason = heapq.heappop(events)
                running.discard(sid)
                subtask = by_id[sid]
                record = records[sid]
                record.end_s = now
                if outcome:
                    done[sid] = SubtaskStatus.SUCCEEDED
                    release(subtask, chain_over=False)
                else:
                    record.failures.append(reason)
                    final = record.attempts >= self.config.max_attempts or reason.startswith("precondition")
                    if final:
                        done[sid] = SubtaskStatus.FAILED
                    fresh = all(chain_members[role.chain][0] == sid for role in subtask.roles)
                    release(subtask, chain_over=final or fresh)
                    if fresh and not final:  # nothing held yet: offer the chains again, as the runtime does
                        for role in subtask.roles:
                            self._exclude(cached[role.chain], staffed.pop(role.chain))
                        situation = None  # the chain waits again: decide again even if all else looks the same

        for sid in order:
            status = done.get(sid)
            if status is None:  # never staffed: say who it waited for
                records[sid].failures.append(self._blocked_reason(by_id[sid], staffed))
                status = SubtaskStatus.FAILED
            records[sid].status = status
        goal_reached = all(self.state.holds(g) for g in goal or [])
        all_ok = all(r.status == SubtaskStatus.SUCCEEDED for r in records.values())
        ends = [r.end_s for r in records.values() if r.end_s is not None]
        return SimResult(
            succeeded=all_ok and goal_reached,
            goal_reached=goal_reached,
            makespan_s=max(ends, default=0.0),
            travel_m=sum(r.travel_m for r in self.robots.values()),
            energy_wh=sum(r.energy_wh for r in self.robots.values()),
            charges=self.charges,
            subtasks=[records[sid] for sid in order],
            final_facts=self.state.sorted_facts(),
            feedback=feedback,
            decisions=self.decisions,
        )

    def _blocked_reason(self, subtask: Subtask, staffed: dict[str, list[str]]) -> str:
        """Why a subtask never started: the chains it needed robots for and who held the robots."""
        chains = sorted({role.chain for role in subtask.roles})
        held = [f"{r.name} stayed in chain {r.lock}" for r in self.robots.values() if r.lock]
        teams = [f"chain {c} had {', '.join(staffed[c])}" for c in chains if c in staffed]
        waited = "; ".join(teams + held) or "no policy offered a team"
        return f"blocked: chain {', '.join(chains)} never got its robots ({waited})"

    def _exclude(self, request: TeamRequest, team: list[str]) -> None:
        """Leave a failed team out of a chain's next offers, unless no other team could do it."""
        excluded = set(request.excluded) | set(team)
        if can_exclude(self.world, request.capabilities, request.load_kg, excluded):
            request.excluded = sorted(excluded)

    def _requests(
        self,
        plan: Plan,
        ready: list[Subtask],
        staffed: dict[str, list[str]],
        done: dict[str, SubtaskStatus],
        views: list[RobotView],
        cached: dict[str, TeamRequest],
        lookahead: bool,
    ) -> list[TeamRequest]:
        """A request per chain that has not started: ready ones, and with `lookahead` the ones waiting too."""
        if not cached:  # requests depend only on the plan; what changes is filled in below
            tail = tails(plan, partial(typical_travel_seconds, self.world))
            by_id = plan.by_id()
            for chain, members in plan.chains().items():
                first, param = members[0]
                steps = [by_id[sid] for sid, _ in members]
                role = next(r for r in by_id[first].roles if r.param == param)
                cached[chain] = team_request(
                    self.world, steps, by_id[first], role, key=f"{first}/{param}/{chain}", tail_s=tail[first], arrival=len(cached)
                )
        ready_ids = {s.id for s in ready}
        by_id = plan.by_id()
        free_in = {v.name: v.free_in_s for v in views}
        requests = []
        for chain, request in cached.items():
            if chain in staffed or request.subtask in done:
                continue
            request.ready_in_s, request.waits_for = 0.0, []
            if request.subtask not in ready_ids:
                if not lookahead:
                    continue
                for dep in by_id[request.subtask].dependencies:
                    if done.get(dep) == SubtaskStatus.SUCCEEDED:
                        continue
                    for role in by_id[dep].roles:
                        if role.chain in staffed:  # running: expect it when its team is through
                            request.ready_in_s = max([request.ready_in_s, *(free_in[n] for n in staffed[role.chain])])
                        elif role.chain != chain:
                            request.waits_for.append(cached[role.chain].key)
                request.ready_in_s = max(request.ready_in_s, 1e-6)  # not ready, even if the wait is unknown
            requests.append(request)
        return requests

    def _view(self, name: str, now: float, by_id: dict[str, Subtask], chain_members: dict[str, list[str]]) -> RobotView:
        """A robot as a policy sees it: where, when and how charged its started work leaves it."""
        robot = self.robots[name]
        kind = self.world.kind_of(name)
        free_in = max(robot.busy_until - now, 0.0) if robot.busy else 0.0
        place, battery = robot.place, robot.battery_wh
        if robot.busy or robot.lock:  # the rest of the chain it is in the middle of
            members = chain_members[robot.chain or ""] if robot.chain in chain_members else []
            for sid in members[members.index(robot.current) + 1 :] if robot.current in members else []:
                subtask = by_id[sid]
                if subtask.place:
                    free_in += travel_seconds(self.world, name, place, subtask.place)
                    battery -= travel_energy_wh(self.world, name, place, subtask.place)
                    place = subtask.place
                free_in += subtask.duration_s
                battery -= self.world.skills_by_name[subtask.skill].energy_wh
        return RobotView(
            name=name,
            kind=self.world.robots_by_name[name].kind,
            place=place,
            battery_wh=max(battery, 0.0),
            capabilities=kind.capabilities,
            payload=kind.payload,
            speed=kind.speed,
            free_in_s=free_in,
        )

    def _execute(
        self, subtask: Subtask, team: list[_Robot], assignment: dict[str, list[str]], now: float, record: SubtaskRecord
    ) -> tuple[bool, str, float]:
        """Start one attempt: travel, check, run; returns (success, failure reason, end time)."""
        skill = self.world.skills_by_name[subtask.skill]
        record.attempts += 1
        place = subtask.place
        arrivals = []
        for robot in team:
            seconds = 0.0
            if place:
                seconds += self._charge_detour_if_needed(robot, place, skill.energy_wh)
                seconds += self._travel(robot, place)
            arrivals.append(now + seconds)
        start = max(arrivals, default=now)
        if record.start_s is None:
            record.start_s = start
        end = start + subtask.duration_s
        for robot in team:
            robot.battery_wh -= skill.energy_wh
            robot.energy_wh += skill.energy_wh
            robot.executions[skill.name] = robot.executions.get(skill.name, 0) + 1

        binding = role_binding(subtask)
        for role in subtask.roles:
            binding[role.param] = assignment[role.chain][0]  # the team's lead stands for it in facts
            if place:
                self.state.move_robot(binding[role.param], place)
        checked = [c for c in skill.preconditions_parsed if not (isinstance(c, Literal) and c.predicate in RUNTIME_FLUENTS)]
        unmet = self.state.unmet(checked, binding)
        if unmet:
            return False, f"precondition not met: {'; '.join(unmet)}", end
        for robot in team:
            p = self.faults.probability(
                robot.name, skill.name, start, robot.executions[skill.name] - 1, self.config.missions_done
            )
            if p > 0 and self.rng.random() < p:
                return False, f"{robot.name} failed {skill.name} (attempt {record.attempts})", end
            if robot.battery_wh < 0:
                return False, f"{robot.name} ran out of battery", end
        self.state.apply(skill.effect_literals, binding)
        return True, "", end
