"""Simulation core: execute a plan with a robot assignment in virtual time, deterministically per seed.

Travel takes shortest-path distance over speed, skills take their duration, batteries drain with
distance and work and are recharged by a detour to the nearest charger when a subtask would
leave less than the reserve. Faults come from a seeded fault model with a drift schedule.
Dispatch decisions come from `fleet.dispatch`, the ones the live coordinator makes. Benchmarks
and the reinforcement-learning environment run on this; no Ray involved.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass, field
from typing import Generator, Optional

from pydantic import BaseModel, Field, model_validator

from fleet.allocation import Allocate, RobotView, TeamRequest
from fleet.costs import charge_seconds, nearest_charger, needs_charge, travel_energy_wh, travel_seconds
from fleet.dispatch import Dispatcher, Job, RobotSlot, allocate_round
from fleet.errors import FleetError
from fleet.models import Feedback, OutcomeKind, SubtaskStatus
from fleet.literals import Literal
from fleet.plan import Plan, Subtask, topological_order
from fleet.state import WorldState
from fleet.validate import role_binding
from fleet.world import World


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


class AssignmentError(FleetError):
    """An assignment leaves a role unstaffed or gives it robots that cannot do the work."""


@dataclass
class _Robot:
    name: str
    place: str
    battery_wh: float
    busy: bool = False
    busy_until: float = 0.0
    lock: Optional[str] = None  # `Job.lock` of the chain this robot is in the middle of
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
            teams = {q.key: assignment[q.chain] for q in requests}
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
        """Execute a resolved plan, asking `allocate` for teams as `fleet.dispatch` decides, as the live coordinator does.

        Every attempt is recorded as the `Feedback` the live coordinator writes, under the `mission` label.
        """
        self.decision_s = 0.0
        self.decisions = 0
        rounds = self.rounds(plan, goal, lookahead, mission)
        try:
            requests, views = next(rounds)
            while True:
                clock = time.perf_counter()
                offers = allocate_round(allocate, requests, views, self._slots(mission))
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
        if topological_order(plan) is None:
            raise AssignmentError("the plan's dependencies form a cycle")
        dispatcher = Dispatcher(self.world, lookahead)
        job = Job(key=mission, plan=plan, status={s.id: SubtaskStatus.PENDING for s in plan.subtasks}, teams={})
        facts = dispatcher.facts(job)
        by_id, order, chain_members = facts.by_id, facts.order, facts.chain_members
        status, staffed = job.status, job.teams
        records = {sid: SubtaskRecord(id=sid, skill=by_id[sid].skill, robots=[], status=SubtaskStatus.SKIPPED) for sid in order}
        feedback: list[Feedback] = []
        self.feedback = feedback
        events: list[tuple[float, int, str, bool, str]] = []
        sequence = 0
        now = self.now = 0.0

        def release(subtask: Subtask, chain_over: bool) -> None:
            for role in subtask.roles:
                members = chain_members[role.chain]
                for name in staffed[role.chain]:
                    robot = self.robots[name]
                    robot.busy = False
                    robot.lock = None if (members[-1] == subtask.id or chain_over or len(members) == 1) else job.lock(role.chain)

        while True:
            for sid in order:  # in plan order, so what waits on skipped work is skipped too
                if status[sid] == SubtaskStatus.PENDING and any(
                    status[d] in (SubtaskStatus.FAILED, SubtaskStatus.SKIPPED) for d in by_id[sid].dependencies
                ):
                    status[sid] = SubtaskStatus.SKIPPED
            slots = self._slots(mission)
            round_ = dispatcher.round([job], slots)
            if round_ is not None:
                requests, views = round_
                dispatcher.offer(requests, (yield requests, views))
            for start in dispatcher.starts([job], slots):
                subtask = start.subtask
                members = [self.robots[n] for n in start.robots]
                record = records[subtask.id]
                record.robots = sorted(start.robots)
                outcome, reason, end = self._execute(subtask, members, start.teams, now, record)
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
                status[subtask.id] = SubtaskStatus.RUNNING
                for chain, team in start.teams.items():
                    for name in team:
                        robot = self.robots[name]
                        robot.busy, robot.busy_until = True, end
                        robot.current, robot.chain = subtask.id, chain
                sequence += 1
                heapq.heappush(events, (end, sequence, subtask.id, outcome, reason))
            if not events:
                break
            now = self.now = events[0][0]
            while events and events[0][0] == now:  # everything that ends at this instant, then decide once
                _, _, sid, outcome, reason = heapq.heappop(events)
                subtask = by_id[sid]
                record = records[sid]
                record.end_s = now
                if outcome:
                    status[sid] = SubtaskStatus.SUCCEEDED
                    release(subtask, chain_over=False)
                    continue
                record.failures.append(reason)
                final = record.attempts >= self.config.max_attempts or reason.startswith("precondition")
                status[sid] = SubtaskStatus.FAILED if final else SubtaskStatus.PENDING
                fresh = all(chain_members[role.chain][0] == sid for role in subtask.roles)
                release(subtask, chain_over=final or fresh)
                if fresh and not final:  # nothing held yet: offer the chains again, as the runtime does
                    for role in subtask.roles:
                        dispatcher.exclude(job, role.chain, staffed.pop(role.chain))
                    dispatcher.invalidate()  # the chain waits again: decide again even if all else looks the same

        for sid in order:
            if status[sid] == SubtaskStatus.PENDING:  # never staffed: say who it waited for
                records[sid].failures.append(self._blocked_reason(by_id[sid], staffed, mission))
                status[sid] = SubtaskStatus.FAILED
            records[sid].status = status[sid]
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

    def _blocked_reason(self, subtask: Subtask, staffed: dict[str, list[str]], mission: str) -> str:
        """Why a subtask never started: the chains it needed robots for and who held the robots."""
        chains = sorted({role.chain for role in subtask.roles})
        held = [f"{r.name} stayed in chain {r.lock.removeprefix(mission + '/')}" for r in self.robots.values() if r.lock]
        teams = [f"chain {c} had {', '.join(staffed[c])}" for c in chains if c in staffed]
        waited = "; ".join(teams + held) or "no policy offered a team"
        return f"blocked: chain {', '.join(chains)} never got its robots ({waited})"

    def _slots(self, mission: str) -> dict[str, RobotSlot]:
        """Every robot as dispatch sees it (`fleet.dispatch`)."""
        holders = {fact[1] for fact in self.state.facts if fact[0] == "holding"}
        return {
            name: RobotSlot(
                name=name,
                place=robot.place,  # an attempt moves its robots when it starts
                battery_wh=robot.battery_wh,
                busy=robot.busy,
                busy_for_s=max(robot.busy_until - self.now, 0.0) if robot.busy else 0.0,
                lock=robot.lock,
                job=mission if (robot.busy or robot.lock) else None,
                chain=robot.chain,
                subtask=robot.current,
                holding=name in holders,
            )
            for name, robot in self.robots.items()
        }

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
        unmet = self.state.blockers(skill, binding)
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
        self.state.apply_skill(skill, binding)
        return True, "", end
