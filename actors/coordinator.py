"""Coordinator: one per fleet; plans missions, assigns and dispatches subtasks, recovers from faults.

Event-driven: robot calls are awaited in their own asyncio tasks, and every change wakes one
dispatch pass. Every change is written to Redis before it is acted on, so a restarted coordinator
(Ray restarts it) rebuilds its missions from the store and resumes each running attempt under
the same attempt id, which robots never execute twice.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Optional

import ray
from ray.exceptions import RayActorError

from fleet.config import FleetConfig
from fleet.costs import needs_charge, travel_energy_wh, travel_seconds
from fleet.dispatch import Dispatcher, Job, RobotSlot, Start, allocate_round, chain_lock
from fleet.errors import FleetBusy, FleetError
from fleet.metrics import FleetMetrics
from fleet.goals import parse_goal
from fleet.literals import Literal
from fleet.models import (
    Attempt,
    Event,
    Exemplar,
    Feedback,
    MissionResult,
    MissionSpec,
    MissionStatus,
    Outcome,
    OutcomeKind,
    PlanningInfo,
    RobotStatus,
    SubtaskState,
    SubtaskStatus,
)
from fleet.plan import Plan, Subtask
from fleet.state import WorldState
from fleet.store import MEMORY_MAX, Store
from fleet.validate import check_plan, role_binding
from policies.base import make_policy
from policies.learned import LearnedPolicy, describe as describe_weights, latest as latest_weights
from policies.reliability import ReliabilityModel, ReliabilityRow
from actors.robot import robot_actor_name

COORDINATOR_NAME = "coordinator"


@dataclass
class _Robot:
    """The coordinator's view of one robot."""

    name: str
    handle: Any
    status: Optional[RobotStatus] = None
    busy: bool = False
    lock: Optional[str] = None  # "<mission>/<chain>" this robot is in the middle of (`Job.lock`)
    alive: bool = True
    working_on: Optional[tuple[str, str, str]] = None  # (mission, chain, subtask) it runs or ran last
    busy_until: float = 0.0  # wall time its current subtask is expected to end
    bound_for: Optional[str] = None  # where that subtask leaves it
    battery_after_wh: float = 0.0  # and how charged


@dataclass
class _Mission:
    """A mission in memory: its stored record plus what dispatch needs."""

    record: MissionResult
    goal: Optional[list[Literal]] = None
    excluded: dict[str, set[str]] = field(default_factory=dict)  # chain -> robots that failed it
    done: asyncio.Event = field(default_factory=asyncio.Event)
    replanning: bool = False

    @property
    def plan(self) -> Plan:
        assert self.record.plan is not None
        return self.record.plan

    def job(self) -> Job:
        """The mission as dispatch sees it; chains that start are written into the record's `chains`."""
        record = self.record
        status = {s.id: s.status for s in record.subtasks}
        return Job(key=record.id, plan=self.plan, status=status, teams=record.chains, excluded=self.excluded, priority=record.spec.priority)


def _prefixed(plan: Plan, prefix: str) -> Plan:
    """Rename a plan's subtask and chain ids so a new plan can sit beside an old one."""
    plan = plan.model_copy(deep=True)
    for subtask in plan.subtasks:
        subtask.id = prefix + subtask.id
        subtask.dependencies = [prefix + d for d in subtask.dependencies]
        for role in subtask.roles:
            role.chain = prefix + role.chain
    return plan


def report_training(namespace: str, line: str) -> None:
    """Pass a line of the planner's training (run as a Ray task) to the fleet's coordinator."""
    ray.get_actor(COORDINATOR_NAME, namespace=namespace).training_progress.remote(line)


@ray.remote(num_cpus=0, max_restarts=-1)
class Coordinator:
    """Mission intake, planning, allocation, dispatch, monitoring, feedback and replanning."""

    def __init__(self, config: dict[str, Any], store_url: str):
        self.config = FleetConfig.model_validate(config)
        self.world = self.config.load_world()
        self.store = Store(store_url, self.config.namespace)
        self.metrics = FleetMetrics(self.config.namespace)
        self.policy = make_policy(self.config.policy, battery_reserve=self.config.battery_reserve)
        self.reliability, problems = ReliabilityModel.from_store(self.store.load_reliability())
        self.policy.estimates = self.reliability.estimates()
        self.world_actor = ray.get_actor("world", namespace=self.config.namespace)
        saved_belief = self.store.load_facts("belief")
        self.belief = WorldState(self.world, saved_belief) if saved_belief is not None else WorldState.initial(self.world)
        self.robots: dict[str, _Robot] = {}
        for robot in self.world.robots:
            try:
                handle = ray.get_actor(robot_actor_name(robot.name), namespace=self.config.namespace)
                self.robots[robot.name] = _Robot(robot.name, handle, self.store.load_robot(robot.name))
            except ValueError:
                self.robots[robot.name] = _Robot(robot.name, None, alive=False)
        self.missions: dict[str, _Mission] = {}  # in progress, and the newest finished ones
        self.finished: deque[str] = deque()  # finished missions still in memory, oldest first
        self.dispatcher = Dispatcher(self.world)  # the simulation core's dispatch decisions
        self.wake = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()
        self.ready = asyncio.Event()
        self.planner_lock = asyncio.Lock()  # unified-planning keeps global state: one plan at a time
        for problem in problems:
            self._event("reliability_reset", message=problem)
        self.rejected_version = 0  # a published version that could not be read, not to be tried again
        self.texts_since_retrain = 0  # text missions that succeeded since the planner last retrained
        self.retraining: Optional[asyncio.Task] = None
        self.metrics.policy(self.policy.name, 0)
        if self._learns():
            self._swap_policy()  # a restarted coordinator goes on with the newest published version
            self._policy_changed()
            self._spawn(self._follow_policy())
        self._spawn(self._main())
        if self.config.planner == "llm" and self.config.planner_training.on_new_world:
            self._spawn(self._tune_for_world())

    # ---- plumbing ----------------------------------------------------------------------------
    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        """Forget a finished task; a crash goes to the event stream instead of vanishing."""
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._event("coordinator_error", message=repr(task.exception()))

    def _event(self, kind: str, mission: Optional[str] = None, subtask: Optional[str] = None, robot: Optional[str] = None, message: str = "") -> None:
        self.store.add_event(Event(kind=kind, mission=mission, subtask=subtask, robot=robot, message=message))
        self.metrics.event(kind)

    def _save(self, mission: _Mission) -> None:
        self.store.save_mission(mission.record)

    async def _main(self) -> None:
        await self._recover()
        self.ready.set()
        while True:
            await self.wake.wait()
            self.wake.clear()
            try:
                self._dispatch()
            except Exception as err:  # noqa: BLE001 - the loop must survive any one bad mission
                self._event("coordinator_error", message=repr(err))

    # ---- learned policy versions ---------------------------------------------------------------
    def _learns(self) -> bool:
        return isinstance(self.policy, LearnedPolicy)

    def _swap_policy(self) -> bool:
        """Load the newest published weights when they are newer than the ones in use."""
        newest = self.store.policy_version(LearnedPolicy.name)
        if newest <= self.policy.version or newest == self.rejected_version:
            return False
        try:
            weights = latest_weights(self.store)
        except FleetError as err:  # a bad upload must not stop dispatch: keep the weights in use
            self.rejected_version = newest
            self._event("policy_rejected", message=f"version {newest}: {err}")
            return False
        if weights is None or weights.meta.version <= self.policy.version:
            return False
        self.policy.load(weights)
        return True

    async def _follow_policy(self) -> None:
        """Swap in new versions as the trainer publishes them; dispatch goes on meanwhile."""
        while True:
            await asyncio.sleep(self.config.trainer.poll_s)
            if self._swap_policy():
                self._policy_changed()

    def _policy_changed(self) -> None:
        self.metrics.policy(self.policy.name, self.policy.version)
        self._event("policy_version", message=describe_weights(self.policy.meta))

    async def policy_info(self) -> dict[str, Any]:
        """The allocation policy in use and, for the learned one, the version of its weights."""
        info: dict[str, Any] = {"policy": self.policy.name}
        if self._learns():
            info.update(version=self.policy.version, weights=self.policy.meta.model_dump(mode="json"))
        return info

    async def _recover(self) -> None:
        """Rebuild in-flight missions from the store and resume their running attempts."""
        for name, robot in self.robots.items():
            if robot.handle is None:
                continue
            try:
                robot.status = await robot.handle.status.remote()
            except RayActorError:
                robot.alive = False
        for mission_id in self.store.active_mission_ids():
            record = self.store.load_mission(mission_id)
            if record is None:
                continue
            mission = _Mission(record, goal=parse_goal(self.world, record.goal) if record.goal else None)
            self.missions[mission_id] = mission
            if record.status in (MissionStatus.QUEUED, MissionStatus.PLANNING):
                self._spawn(self._plan(mission))
                continue
            self._event("mission_recovered", mission_id)
            by_id = mission.plan.by_id()
            for chain, team in record.chains.items():
                if self._chain_open(mission, chain):
                    for name in team:
                        self.robots[name].lock = chain_lock(mission_id, chain)
            for state in record.subtasks:
                if state.status == SubtaskStatus.RUNNING:
                    for name in state.robots:
                        self.robots[name].busy = True
                    self._spawn(self._run(mission, by_id[state.id], resume=True))
            self._check_done(mission)
        self.wake.set()

    # ---- public API --------------------------------------------------------------------------
    async def ping(self) -> bool:
        await self.ready.wait()
        return True

    async def get_config(self) -> dict[str, Any]:
        return self.config.model_dump(mode="json")

    async def store_url(self) -> str:
        return self.store.url

    async def footprint(self) -> dict[str, float]:
        """What this coordinator holds: missions in memory (in progress, finished) and its resident memory in MB."""
        import psutil

        in_progress = sum(1 for m in self.missions.values() if not m.record.status.terminal)
        return {
            "missions_in_memory": len(self.missions),
            "missions_in_progress": in_progress,
            "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
        }

    async def events(self, count: int = 1000, mission: Optional[str] = None) -> list[Event]:
        return self.store.events(count, mission)

    async def submit(self, spec: dict[str, Any]) -> str:
        """Accept a mission: it is stored before this returns, then planned in the background."""
        await self.ready.wait()
        mission_spec = MissionSpec.model_validate(spec)
        in_progress = sum(1 for m in self.missions.values() if not m.record.status.terminal)
        if in_progress >= self.config.max_missions_in_progress:
            raise FleetBusy(
                f"the fleet has {in_progress} missions in progress, as many as it takes (max_missions_in_progress); "
                f"submit again in {self.config.busy_retry_after_s:g} s",
                self.config.busy_retry_after_s,
            )
        record = MissionResult(
            id=uuid.uuid4().hex[:12], status=MissionStatus.QUEUED, spec=mission_spec, time_scale=self.config.time_scale
        )
        mission = _Mission(record)
        self.missions[record.id] = mission
        self._save(mission)
        self._event("mission_submitted", record.id, message=mission_spec.summary())
        self._spawn(self._plan(mission))
        return record.id

    async def mission(self, mission_id: str) -> Optional[MissionResult]:
        await self.ready.wait()
        if mission_id in self.missions:
            return self.missions[mission_id].record
        return self.store.load_mission(mission_id)

    async def missions_list(self, offset: int = 0, limit: Optional[int] = 100) -> tuple[int, list[MissionResult]]:
        """All missions ever submitted, and a page of their records in submission order (from Redis, the archive)."""
        await self.ready.wait()
        ids = self.store.mission_ids(offset, limit)
        return self.store.mission_count(), [r for r in (self.store.load_mission(m) for m in ids) if r is not None]

    async def wait(self, mission_id: str, timeout: float) -> Optional[MissionResult]:
        """The mission's record once it is terminal, or as it stands after `timeout` seconds."""
        await self.ready.wait()
        mission = self.missions.get(mission_id)
        if mission is None:
            return self.store.load_mission(mission_id)
        try:
            await asyncio.wait_for(mission.done.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return mission.record

    async def robots_status(self) -> list[RobotStatus]:
        """Every robot's own report; a robot whose actor died is listed as not alive."""
        await self.ready.wait()

        async def one(robot: _Robot) -> RobotStatus:
            if robot.alive and robot.handle is not None:
                try:
                    robot.status = await asyncio.wait_for(robot.handle.status.remote(), 10)
                    return robot.status
                except (RayActorError, asyncio.TimeoutError):
                    robot.alive = False
            last = robot.status or RobotStatus(name=robot.name, kind=self.world.robots_by_name[robot.name].kind,
                                               place="", battery_wh=0, battery_fraction=0)
            return last.model_copy(update={"alive": False})

        return list(await asyncio.gather(*(one(r) for r in self.robots.values())))

    async def cancel(self, mission_id: str) -> Optional[MissionResult]:
        """Stop a mission: running robots stop, what they hold for it is put down, nothing more starts."""
        await self.ready.wait()
        mission = self.missions.get(mission_id)
        if mission is None or mission.record.status.terminal:
            return await self.mission(mission_id)
        record = mission.record
        involved = {n for s in record.subtasks if s.status == SubtaskStatus.RUNNING for n in s.robots}
        involved |= {n for n, r in self.robots.items() if r.lock and r.lock.startswith(f"{mission_id}/")}
        record.status = MissionStatus.CANCELLED
        for state in record.subtasks:
            if state.status in (SubtaskStatus.PENDING, SubtaskStatus.RUNNING):
                state.status = SubtaskStatus.CANCELLED
        record.finished_at = time.time()
        self._save(mission)
        for name in involved:
            robot = self.robots[name]
            if robot.alive and robot.handle is not None:
                try:
                    await robot.handle.cancel.remote(mission_id)
                except RayActorError:
                    robot.alive = False
        for name in involved:
            await self._drop(name)
            if self.robots[name].lock and self.robots[name].lock.startswith(f"{mission_id}/"):
                self.robots[name].lock = None
        self._event("mission_cancelled", mission_id)
        self._retire(mission)
        return record

    def _retire(self, mission: _Mission) -> None:
        """A mission has ended (its record is saved): wake its waiters, and keep memory bounded by
        evicting the oldest finished missions; Redis keeps them all."""
        self.dispatcher.forget(mission.record.id)
        mission.done.set()
        self.finished.append(mission.record.id)
        while len(self.finished) > self.config.finished_missions_kept:
            self.missions.pop(self.finished.popleft(), None)
        self.wake.set()

    def _live_robot(self, name: str) -> _Robot:
        robot = self.robots.get(name)
        if robot is None:
            raise FleetError(f"no robot named {name!r}; robots: {', '.join(self.robots)}")
        if not robot.alive or robot.handle is None:
            raise FleetError(f"robot {name!r} is not running")
        return robot

    async def pause_robot(self, name: str) -> RobotStatus:
        return await self._live_robot(name).handle.pause.remote()

    async def resume_robot(self, name: str) -> RobotStatus:
        return await self._live_robot(name).handle.resume.remote()

    async def belief_facts(self) -> list[str]:
        return self.belief.sorted_facts()

    # ---- planning ----------------------------------------------------------------------------
    async def _plan(self, mission: _Mission) -> None:
        record = mission.record
        record.status = MissionStatus.PLANNING
        self._save(mission)
        try:
            plan = await self._make_plan(mission)
        except (FleetError, ValueError) as err:
            self._finish(mission, MissionStatus.REJECTED, str(err))
            return
        if record.status.terminal:  # cancelled while planning
            return
        self._install_plan(mission, plan)
        record.status = MissionStatus.RUNNING
        self._save(mission)
        self._event("mission_planned", record.id, message=f"{len(plan.subtasks)} subtasks")
        if not plan.subtasks:  # the goal already holds
            self._check_done(mission)
        self.wake.set()

    async def _make_plan(self, mission: _Mission) -> Plan:
        spec = mission.record.spec
        state = self.belief.copy()
        if spec.text is not None:
            return await self._plan_text(mission, spec.text, state)
        if spec.goal is not None:
            mission.goal = parse_goal(self.world, spec.goal)
            mission.record.goal = [str(g) for g in mission.goal]
            return await self._plan_goal(mission.goal, state, spec.tidy)
        assert spec.plan is not None
        return check_plan(self.world, spec.plan, None, state)

    async def _plan_text(self, mission: _Mission, text: str, state: WorldState) -> Plan:
        """Ask the language planner (a Serve app) for a plan, and check it here before anything runs."""
        if self.config.planner != "llm":
            raise FleetError(
                f"text missions need the language planner, and this fleet runs planner={self.config.planner!r}; "
                "start it with planner='llm', or submit a goal or a plan"
            )
        from serve_apps.planner import PlanRequest

        request = PlanRequest(
            text=text,
            world=self.world,
            facts=sorted(state.facts),
            exemplars=self.store.memory(self.world.name, 200),
            tidy=mission.record.spec.tidy,
        )
        response = await self._ask_planner(mission, request)
        record = mission.record
        record.planning = PlanningInfo(
            model=response.model,
            model_version=response.model_version,
            engine=response.engine,
            mode=response.mode.value,
            attempts=len(response.attempts),
            tokens=response.tokens,
            seconds=round(response.seconds, 3),
            repaired=response.repaired,
        )
        if response.already_holds:  # what was asked is true already: done, as a goal mission that holds is
            mission.goal = parse_goal(self.world, response.already_holds)
            record.goal = [str(g) for g in mission.goal]
            self._event("mission_understood", record.id, message=f"{', '.join(record.goal)} (already so: nothing to do)")
            return Plan(goal=record.goal)
        if not response.ok or response.plan is None:
            raise FleetError(response.reason or "the language planner refused the mission")
        mission.goal = parse_goal(self.world, response.goal)
        record.goal = [str(g) for g in mission.goal]
        self._event("mission_understood", record.id, message=", ".join(record.goal))
        return check_plan(self.world, response.plan, mission.goal, state)  # never dispatch an unchecked plan

    async def _ask_planner(self, mission: _Mission, request: Any) -> Any:
        """Send a request to the planner app; while it is unreachable (a replica restarting) ask
        again for up to `planner_unavailable_s` seconds, then refuse naming the error."""
        from serve_apps.deployment import planner_handle

        deadline = time.monotonic() + self.config.planner_unavailable_s
        while True:
            try:
                return await planner_handle(self.config.planner_app).plan.remote(request)
            except Exception as err:  # noqa: BLE001 - the planner app is missing or crashed
                if time.monotonic() >= deadline or mission.record.status.terminal:
                    raise FleetError(f"the language planner is not available: {err}") from None
                self._event("planner_unavailable", mission.record.id, message=f"asking again in 1 s: {type(err).__name__}")
                await asyncio.sleep(1.0)

    async def _plan_goal(self, goal: list[Literal], state: WorldState, tidy: bool = True) -> Plan:
        """Run the classical planner off the event loop, one problem at a time."""
        from fleet.planning import plan_goal

        async with self.planner_lock:
            return await asyncio.to_thread(plan_goal, self.world, goal, state, self.config.planning_timeout_s, tidy=tidy)

    def _install_plan(self, mission: _Mission, plan: Plan) -> None:
        record = mission.record
        if record.plan is None:
            record.plan = plan
        else:
            record.plan.subtasks.extend(plan.subtasks)
        for subtask in plan.subtasks:
            record.subtasks.append(SubtaskState(id=subtask.id, skill=subtask.skill, args=subtask.args))

    async def _replan(self, mission: _Mission, reason: str) -> None:
        """Drop what is left of the plan and plan the goal again from what the fleet now believes."""
        record = mission.record
        mission.replanning = True
        if mission.goal is None or record.replans >= self.config.max_replans:
            mission.replanning = False
            self._finish(mission, MissionStatus.FAILED, reason)
            return
        record.replans += 1
        for state in record.subtasks:
            if state.status == SubtaskStatus.PENDING:
                state.status = SubtaskStatus.SKIPPED
                state.error = "replaced by a new plan"
        for robot in self.robots.values():
            if robot.lock and robot.lock.startswith(f"{record.id}/"):
                robot.lock = None
        self._save(mission)
        self._event("mission_replanning", record.id, message=reason)
        try:
            plan = await self._plan_goal(mission.goal, self.belief.copy(), record.spec.tidy)
        except FleetError as err:
            mission.replanning = False
            self._finish(mission, MissionStatus.FAILED, f"{reason}; replanning failed: {err}")
            return
        mission.replanning = False
        if record.status.terminal:  # cancelled meanwhile
            return
        self._install_plan(mission, _prefixed(plan, f"r{record.replans}."))
        self._save(mission)
        self._check_done(mission)
        self.wake.set()

    # ---- dispatch ----------------------------------------------------------------------------
    def _chain_open(self, mission: _Mission, chain: str) -> bool:
        """Whether a chain has started and still has subtasks to run."""
        states = {s.id: s.status for s in mission.record.subtasks}
        members = [sid for sid, _ in mission.plan.chains().get(chain, [])]
        started = any(states.get(m) == SubtaskStatus.SUCCEEDED for m in members)
        remaining = any(states.get(m) in (SubtaskStatus.PENDING, SubtaskStatus.RUNNING) for m in members)
        return started and remaining

    def _holders(self) -> dict[str, list[str]]:
        held: dict[str, list[str]] = {}
        for fact in self.belief.facts:
            if fact[0] == "holding":
                held.setdefault(fact[1], []).append(fact[2])
        return held

    def _jobs(self) -> tuple[list[Job], int]:
        """Running missions in dispatch order (priority, then age), and how many subtasks are ready.

        A ready subtask whose chain lost its robots is handled first (`_team_lost`).
        """
        running = [m for m in self.missions.values() if m.record.status == MissionStatus.RUNNING and not m.replanning]
        running.sort(key=lambda m: (-m.record.spec.priority, m.record.submitted_at))
        jobs, ready = [], 0
        for mission in running:
            job = mission.job()
            subtasks = self.dispatcher.ready(job)
            if any(self._team_lost(mission, subtask) for subtask in subtasks):
                continue
            jobs.append(job)
            ready += len(subtasks)
        return jobs, ready

    def _team_lost(self, mission: _Mission, subtask: Subtask) -> bool:
        """Handle chains whose robots died: reassign if nothing is held yet, else replan (True)."""
        for role in subtask.roles:
            team = mission.record.chains.get(role.chain, [])
            dead = [n for n in team if not self.robots[n].alive]
            if not dead:
                continue
            if self._chain_open(mission, role.chain):
                mission.replanning = True
                self._spawn(self._replan(mission, f"{', '.join(dead)} stopped in the middle of {subtask.describe()}'s chain"))
                return True
            mission.record.chains.pop(role.chain)
            mission.excluded.setdefault(role.chain, set()).update(dead)
        return False

    def _slot(self, robot: _Robot, holders: set[str], now: float) -> RobotSlot:
        """A robot as dispatch sees it (`fleet.dispatch`): a busy one where and when its subtask leaves it."""
        status = robot.status
        busy = robot.busy and robot.working_on is not None
        mission, chain, subtask = robot.working_on or (None, None, None)
        return RobotSlot(
            name=robot.name,
            place=(robot.bound_for if busy else None) or (status.place if status else self.world.robots_by_name[robot.name].start),
            battery_wh=robot.battery_after_wh if busy else (status.battery_wh if status else 0.0),
            busy=robot.busy,
            busy_for_s=max(robot.busy_until - now, 0.0) * self.config.time_scale if busy else 0.0,
            lock=robot.lock,
            job=mission if (robot.busy or robot.lock) else None,
            chain=chain,
            subtask=subtask,
            holding=robot.name in holders,
            available=robot.alive and status is not None,
        )

    def _dispatch(self) -> None:
        """One pass of the shared dispatch logic (`fleet.dispatch`): allocate when due, start what can start."""
        jobs, ready = self._jobs()
        if not ready:
            self.metrics.queue(0)
            return
        now = time.time()
        holders = set(self._holders())
        slots = {name: self._slot(robot, holders, now) for name, robot in self.robots.items()}
        round_ = self.dispatcher.round(jobs, slots)
        if round_ is not None:
            requests, views = round_
            offers = allocate_round(partial(self.policy.assign, self.world), requests, views, slots)
            self.dispatcher.offer(requests, offers)
        starts = self.dispatcher.starts(jobs, slots)
        for start in starts:
            mission = self.missions[start.job.key]
            self._occupy(start, now)
            self._spawn(self._run(mission, start.subtask))
        self.metrics.queue(ready - len(starts))

    def _occupy(self, start: Start, now: float) -> None:
        """Mark a starting subtask's robots busy, with when, where and how charged it is expected to leave them."""
        subtask = start.subtask
        energy = self.world.skills_by_name[subtask.skill].energy_wh
        trips = {}
        for name in start.robots:
            status = self.robots[name].status
            here = status.place if status else ""
            trips[name] = (travel_seconds(self.world, name, here, subtask.place), travel_energy_wh(self.world, name, here, subtask.place)) if subtask.place and here else (0.0, 0.0)
        ends = now + (max(t for t, _ in trips.values()) + subtask.duration_s) / self.config.time_scale
        for chain, team in start.teams.items():
            for name in team:
                robot = self.robots[name]
                robot.busy = True
                robot.working_on = (start.job.key, chain, subtask.id)
                robot.busy_until = ends
                robot.bound_for = subtask.place or (robot.status.place if robot.status else None)
                robot.battery_after_wh = (robot.status.battery_wh if robot.status else 0.0) - trips[name][1] - energy

    # ---- one attempt -------------------------------------------------------------------------
    async def _run(self, mission: _Mission, subtask: Subtask, resume: bool = False) -> None:
        record = mission.record
        state = record.subtask(subtask.id)
        roles = {role.param: record.chains[role.chain] for role in subtask.roles}
        if not resume:
            state.attempts += 1
            state.status = SubtaskStatus.RUNNING
            state.robots = [n for team in roles.values() for n in team]
            state.started_at = state.started_at or time.time()
            record.started_at = record.started_at or state.started_at
            self._save(mission)
            self._event("subtask_started", record.id, subtask.id, message=",".join(state.robots))
            if state.attempts > 1:
                self.metrics.retried()
        binding = role_binding(subtask)
        for param, team in roles.items():
            binding[param] = team[0]
        skill = self.world.skills_by_name[subtask.skill]
        attempt = Attempt(
            attempt_id=f"{record.id}/{subtask.id}/{state.attempts}",
            mission_id=record.id,
            subtask_id=subtask.id,
            skill=subtask.skill,
            place=subtask.place,
            duration_s=subtask.duration_s,
            binding=binding,
            roles=roles,
            energy_wh=skill.energy_wh,
            upcoming=self._upcoming(mission, subtask, roles),
        )
        outcome, work_s = await self._execute(mission, attempt)
        if outcome.ok:
            self._believe(subtask, attempt)  # it happened, whatever the mission's status now
        elif outcome.kind == OutcomeKind.PRECONDITION:
            await self._observe(subtask, attempt)
        if record.status.terminal:  # cancelled while running
            if outcome.ok:  # it finished before the cancel reached it: put down what it took
                for name in attempt.team:
                    await self._drop(name)
            self._release(mission, subtask, attempt)
            return
        await self._settle(mission, subtask, attempt, outcome, work_s)

    def _upcoming(self, mission: _Mission, subtask: Subtask, roles: dict[str, list[str]]) -> dict[str, list[str]]:
        """For each robot of the attempt, the later subtasks of its chain: its queue once this is done."""
        states = {s.id: s.status for s in mission.record.subtasks}
        chains = mission.plan.chains()
        upcoming: dict[str, list[str]] = {}
        for role in subtask.roles:
            later = [
                f"{mission.record.id}/{sid}"
                for sid, _ in chains.get(role.chain, [])
                if sid != subtask.id and states.get(sid) == SubtaskStatus.PENDING
            ]
            for name in roles[role.param]:
                upcoming.setdefault(name, []).extend(later)
        return upcoming

    async def _call(self, name: str, method: str, *args: Any) -> Outcome:
        """Call a robot; an actor that died becomes a ROBOT_DIED outcome."""
        robot = self.robots[name]
        try:
            outcome = await getattr(robot.handle, method).remote(*args)
        except RayActorError:
            robot.alive = False
            return Outcome(attempt_id=str(args[0]), robot=name, kind=OutcomeKind.ROBOT_DIED, message=f"robot {name} stopped responding")
        if outcome.status is not None:
            robot.status = outcome.status
        return outcome

    async def _execute(self, mission: _Mission, attempt: Attempt) -> tuple[Outcome, float]:
        """Charge if needed, gather the team at the place, then run the skill together.

        Returns the outcome and the wall seconds the skill itself took (0 if it never started).
        """

        async def arrive(name: str) -> Outcome:
            status = self.robots[name].status
            place = attempt.place or (status.place if status else "")
            for round_ in range(2):
                if status and needs_charge(self.world, name, status.battery_wh, status.place, place, attempt.energy_wh, self.config.battery_reserve):
                    charged = await self._call(name, "charge", f"{attempt.attempt_id}/charge{round_}", attempt.mission_id)
                    if not charged.ok:
                        return charged
                    self._event("robot_charged", attempt.mission_id, attempt.subtask_id, name, charged.message)
                outcome = await self._call(name, "travel", attempt)
                if outcome.kind != OutcomeKind.BATTERY_LOW:
                    return outcome
                status = self.robots[name].status
            return outcome

        arrivals = await asyncio.gather(*(arrive(n) for n in attempt.team))
        failed = [o for o in arrivals if not o.ok]
        if failed:
            return failed[0], 0.0
        if mission.record.status.terminal:  # cancelled while the team travelled
            cancelled = Outcome(attempt_id=attempt.attempt_id, robot=attempt.lead, kind=OutcomeKind.CANCELLED, message="cancelled")
            return cancelled, 0.0
        started = time.time()
        results = await asyncio.gather(*(self._call(n, "work", attempt) for n in attempt.team))
        work_s = time.time() - started
        died = [o for o in results if o.kind == OutcomeKind.ROBOT_DIED]
        if died:
            return died[0], work_s
        return next(o for o in results if o.robot == attempt.lead), work_s

    def _believe(self, subtask: Subtask, attempt: Attempt) -> None:
        """Update the fleet's world model with a subtask that succeeded."""
        skill = self.world.skills_by_name[subtask.skill]
        for name in attempt.team:
            if subtask.place:
                self.belief.move_robot(name, subtask.place)
        self.belief.apply_skill(skill, attempt.binding)
        self.store.save_facts("belief", sorted(self.belief.facts))

    async def _observe(self, subtask: Subtask, attempt: Attempt) -> None:
        """The world was not as believed: take in what the robots saw of the facts they checked."""
        skill = self.world.skills_by_name[subtask.skill]
        atoms = sorted({lit.bind(attempt.binding).atom for lit in skill.precondition_literals})
        try:
            seen = await self.world_actor.observe.remote(atoms)
        except RayActorError:
            return
        for atom, true in seen:
            if true:
                self.belief.facts.add(tuple(atom))
            else:
                self.belief.facts.discard(tuple(atom))
        self.store.save_facts("belief", sorted(self.belief.facts))
        self._event("belief_corrected", attempt.mission_id, subtask.id, message=f"{len(seen)} facts observed")

    def _release(self, mission: _Mission, subtask: Subtask, attempt: Attempt) -> None:
        """Free the team; robots stay locked to a chain they are in the middle of."""
        for role in subtask.roles:
            key = chain_lock(mission.record.id, role.chain)
            # a failed step of a started chain is retried by the same robots (or the mission replans)
            keep = not mission.record.status.terminal and self._chain_open(mission, role.chain)
            for name in attempt.roles[role.param]:
                robot = self.robots[name]
                robot.busy = False
                robot.lock = key if keep else (None if robot.lock == key else robot.lock)
        self.wake.set()

    async def _settle(self, mission: _Mission, subtask: Subtask, attempt: Attempt, outcome: Outcome, work_s: float) -> None:
        record = mission.record
        state = record.subtask(subtask.id)
        self._learn(
            Feedback(
                mission=record.id,
                subtask=subtask.id,
                attempt_id=attempt.attempt_id,
                attempt=state.attempts,
                skill=subtask.skill,
                robots=attempt.team,
                place=subtask.place,
                expected_s=subtask.duration_s,
                actual_s=work_s * self.config.time_scale,
                success=outcome.ok,
                reason=outcome.kind.value if not outcome.ok else "",
                energy_wh=attempt.energy_wh * len(attempt.team),
            )
        )
        if outcome.ok:
            state.status = SubtaskStatus.SUCCEEDED
            state.finished_at = time.time()
            state.error = None
            self._release(mission, subtask, attempt)
            self._save(mission)
            self._event("subtask_succeeded", record.id, subtask.id, message=",".join(attempt.team))
            self._check_done(mission)
            return

        state.error = f"attempt {state.attempts}: {outcome.message or outcome.kind.value}"
        self._event("subtask_failed", record.id, subtask.id, outcome.robot, state.error)
        dead = [n for n in attempt.team if not self.robots[n].alive]
        for name in dead:
            self._event("robot_died", record.id, subtask.id, name)
            self.metrics.robot(name, 0.0, "dead")
            await self._drop(name)
        chains_started = any(self._chain_open(mission, r.chain) for r in subtask.roles)
        self._release(mission, subtask, attempt)
        retry = outcome.kind in (OutcomeKind.SKILL_FAILED, OutcomeKind.ROBOT_DIED, OutcomeKind.BATTERY_LOW)
        if retry and state.attempts < self.config.max_attempts and not (dead and chains_started):
            state.status = SubtaskStatus.PENDING
            if not chains_started:
                # nothing is held yet: try other robots, if any other team could do it
                job = mission.job()
                for role in subtask.roles:
                    self.dispatcher.exclude(job, role.chain, attempt.roles[role.param])
                    mission.record.chains.pop(role.chain, None)
                self.dispatcher.invalidate()  # the chain waits again: decide again even if all else looks the same
            self._save(mission)
            self.wake.set()
            return
        state.status = SubtaskStatus.FAILED
        state.finished_at = time.time()
        self._save(mission)
        reason = f"subtask {subtask.describe()} failed: {state.error}"
        mission.replanning = True  # before any other completion can look at this mission
        await self._replan(mission, reason)

    def _learn(self, feedback: Feedback) -> None:
        """Record an attempt's outcome and update the estimates every policy prices robots with."""
        self.store.add_feedback(feedback)
        for robot in self.reliability.update(feedback):
            self.store.save_reliability(robot, self.reliability.robot_json(robot))
        self.policy.estimates = self.reliability.estimates()

    async def reliability_table(self) -> list[ReliabilityRow]:
        """Learned success rate and duration factor per robot and skill."""
        return self.reliability.table()

    async def _drop(self, name: str) -> None:
        """A robot that stopped puts down what it held, in the world and in the belief."""
        try:
            await self.world_actor.drop_held.remote(name)
        except RayActorError:
            return
        place = self.belief.robot_place(name)
        for fact in [f for f in self.belief.facts if f[0] == "holding" and f[1] == name]:
            self.belief.facts.discard(fact)
            if place:
                self.belief.facts.add(("at", fact[2], place))
        self.belief.facts.add(("free", name))
        self.store.save_facts("belief", sorted(self.belief.facts))
        robot = self.robots[name]
        if robot.alive and robot.handle is not None:
            try:
                await robot.handle.drop_all.remote()
            except RayActorError:
                robot.alive = False

    # ---- completion --------------------------------------------------------------------------
    def _check_done(self, mission: _Mission) -> None:
        """Once nothing is pending or running, confirm the goal on the ground truth."""
        record = mission.record
        if record.status != MissionStatus.RUNNING or mission.replanning:
            return
        if any(s.status in (SubtaskStatus.PENDING, SubtaskStatus.RUNNING) for s in record.subtasks):
            return
        self._spawn(self._confirm_goal(mission))

    async def _confirm_goal(self, mission: _Mission) -> None:
        record = mission.record
        if record.status.terminal:
            return
        if record.goal:
            unmet = await self.world_actor.unmet_goal.remote(record.goal)
            if unmet and not mission.replanning and not record.status.terminal:
                mission.replanning = True
                await self._replan(mission, f"the plan ran but {', '.join(unmet)} does not hold")
                return
        self._finish(mission, MissionStatus.SUCCEEDED, None)

    def _count_for_retraining(self) -> None:
        """Retrain the planner's model every `planner_training.every_missions` text successes."""
        training = self.config.planner_training
        if training.every_missions is None or self.config.planner != "llm":
            return
        self.texts_since_retrain += 1
        if self.texts_since_retrain >= training.every_missions and self.retraining is None:
            self.texts_since_retrain = 0
            self.retraining = self._spawn(self._retrain_planner())

    def _planner_model_dir(self) -> str:
        """Where this fleet's tuned planner versions go: per world vocabulary when fleets train for their world."""
        from serve_apps.tuning import world_model_dir

        training = self.config.planner_training
        return world_model_dir(training.model_dir, self.world) if training.on_new_world else training.model_dir

    async def _tune_for_world(self) -> None:
        """At start: serve the model tuned for this world's vocabulary, or train one in the background."""
        from serve_apps.deployment import switch_planner_model
        from serve_apps.tuning import latest_version

        latest = latest_version(self._planner_model_dir())
        if latest is None:
            self.retraining = self._spawn(self._retrain_planner("no tuned model for this world yet"))
            return
        try:
            await asyncio.to_thread(switch_planner_model, latest, self.config.planner_app)
            self._event("planner_tuned_model", message=f"serving {latest}, tuned for this world's vocabulary")
        except Exception as err:  # noqa: BLE001 - the base model goes on serving
            self._event("planner_retrain_failed", message=f"could not serve {latest}: {err}")

    def training_progress(self, line: str) -> None:
        """A line from the planner's background training: an event, and the progress gauge."""
        self._event("planner_training_progress", message=line)
        step = re.match(r"step (\d+)/(\d+)", line)
        if step:
            self.metrics.planner_progress(int(step.group(1)) / int(step.group(2)))

    async def _retrain_planner(self, reason: str = "") -> None:
        """One retraining as a Ray task; the planner app switches only if the new version wins."""
        from serve_apps.deployment import retrain_and_serve

        training = self.config.planner_training
        config = training.model_copy(update={"worlds": training.worlds or [self.config.world], "model_dir": self._planner_model_dir()})
        memory = {self.world.name: self.store.memory(self.world.name, MEMORY_MAX)}
        remembered = f"{len(memory[self.world.name])} remembered missions"
        self._event("planner_retraining", message=f"{reason}: {remembered}" if reason else remembered)
        self.metrics.planner_progress(0.0)
        try:
            task = ray.remote(retrain_and_serve).options(num_cpus=training.num_cpus)
            progress = partial(report_training, self.config.namespace)
            result = await task.remote(config, memory, self.config.planner_app, progress)
            self.metrics.planner_progress(1.0)
            verdict = "now serving" if result.promoted else "kept the served model"
            self._event(
                "planner_retrained",
                message=f"v{result.version} scored {result.score:.3f}, served {result.served_score:.3f}: {verdict}",
            )
        except Exception as err:  # noqa: BLE001 - a failed retraining leaves the served model as it was
            self._event("planner_retrain_failed", message=str(err))
        finally:
            self.retraining = None

    def _finish(self, mission: _Mission, status: MissionStatus, error: Optional[str]) -> None:
        record = mission.record
        if record.status.terminal:
            return
        record.status = status
        record.error = error
        record.finished_at = time.time()
        for state in record.subtasks:
            if state.status == SubtaskStatus.PENDING:
                state.status = SubtaskStatus.SKIPPED
        for robot in self.robots.values():
            if robot.lock and robot.lock.startswith(f"{record.id}/"):
                robot.lock = None
        self._save(mission)
        if status == MissionStatus.SUCCEEDED and record.spec.text and record.goal:
            # the plan memory: the planner's worked examples for missions like this one
            self.store.remember(self.world.name, Exemplar(text=record.spec.text, goal=record.goal, mission=record.id))
            self._count_for_retraining()
        self._event(f"mission_{status.value}", record.id, message=error or "")
        self.world_actor.mission_finished.remote()  # fire and forget: only drift schedules read it
        self._retire(mission)
