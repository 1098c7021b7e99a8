"""RobotActor: one robot's state and work, named `robot:<name>` in the fleet's namespace."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional

import ray

from fleet.config import FleetConfig
from fleet.costs import charge_seconds, nearest_charger, needs_charge, travel_energy_wh, travel_seconds
from fleet.models import Attempt, Event, Outcome, OutcomeKind, RobotStatus
from fleet.metrics import FleetMetrics
from fleet.store import Store
from actors.drivers import Clock, make_driver


def robot_actor_name(robot: str) -> str:
    return f"robot:{robot}"


@ray.remote(num_cpus=0, max_restarts=0)
class RobotActor:
    """Holds a robot's place, battery and load; runs attempts through its driver, once per attempt id.

    The coordinator calls `travel`, then `work`, for every attempt (and `charge` when needed). Each
    call is idempotent per attempt id: a repeated call joins the running one or returns its stored
    outcome, so a restarted coordinator never makes a robot do the same thing twice.
    """

    def __init__(self, name: str, config: dict[str, Any], store_url: str):
        self.config = FleetConfig.model_validate(config)
        self.world = self.config.load_world()
        self.name = name
        self.kind = self.world.kind_of(name)
        self.store = Store(store_url, self.config.namespace)
        self.metrics = FleetMetrics(self.config.namespace)
        saved = self.store.load_robot(name)
        robot = self.world.robots_by_name[name]
        self.place = saved.place if saved else robot.start
        self.battery_wh = saved.battery_wh if saved else robot.battery_level * self.kind.battery.capacity_wh
        held_at_start = [o.name for o in self.world.objects if o.location == name]
        self.holding: list[str] = saved.holding if saved else held_at_start
        self.completed = saved.completed_attempts if saved else 0
        self.clock = Clock(self.config.time_scale)
        self.driver = make_driver(self.config.driver, name, self.config, self.clock)
        self.inflight: dict[str, asyncio.Task] = {}
        self.missions: dict[str, str] = {}  # in-flight key -> mission id, for cancel
        self.committing: set[str] = set()  # attempts whose skill is done and being reported
        self.queue: list[str] = saved.queue if saved else []
        self.current: Optional[str] = None
        self._checkpoint()

    # ---- state -------------------------------------------------------------------------------
    def _status(self) -> RobotStatus:
        capacity = self.kind.battery.capacity_wh
        return RobotStatus(
            name=self.name,
            kind=self.world.robots_by_name[self.name].kind,
            place=self.place,
            battery_wh=round(self.battery_wh, 3),
            battery_fraction=round(self.battery_wh / capacity, 4),
            holding=list(self.holding),
            current=self.current,
            queue=list(self.queue),
            paused=not self.clock.running.is_set(),
            completed_attempts=self.completed,
        )

    async def status(self) -> RobotStatus:
        return self._status()

    def _checkpoint(self) -> None:
        status = self._status()
        self.store.save_robot(status)
        state = "paused" if status.paused else "working" if status.current else "idle"
        self.metrics.robot(self.name, status.battery_fraction, state)

    # ---- idempotent phases -------------------------------------------------------------------
    async def _once(self, attempt_id: str, mission_id: str, phase: str, body: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Run a phase of an attempt at most once: join it if running, replay it if done."""
        key = f"{attempt_id}/{phase}"
        stored = self.store.load_outcome(self.name, attempt_id, phase)
        if stored is not None:
            return stored
        if key not in self.inflight:
            self.inflight[key] = asyncio.get_running_loop().create_task(body())
            self.missions[key] = mission_id
        try:
            outcome = await asyncio.shield(self.inflight[key])
        except asyncio.CancelledError:
            outcome = Outcome(attempt_id=attempt_id, robot=self.name, kind=OutcomeKind.CANCELLED, message="cancelled")
        self.inflight.pop(key, None)
        self.missions.pop(key, None)
        self.current = None
        outcome.status = self._status()
        if outcome.kind != OutcomeKind.CANCELLED:
            self.store.save_outcome(self.name, phase, outcome)
        self._checkpoint()
        return outcome

    async def travel(self, attempt: Attempt) -> Outcome:
        """Go to the attempt's place, unless the battery could not cover the work and a charger after."""

        async def body() -> Outcome:
            place = attempt.place or self.place
            if needs_charge(self.world, self.name, self.battery_wh, self.place, place, attempt.energy_wh, self.config.battery_reserve):
                return Outcome(
                    attempt_id=attempt.attempt_id,
                    robot=self.name,
                    kind=OutcomeKind.BATTERY_LOW,
                    message=f"{self.name} has {self.battery_wh:.0f} Wh: not enough to work at {place} and reach a charger",
                )
            self.current = attempt.attempt_id
            await self._go(place)
            return Outcome(attempt_id=attempt.attempt_id, robot=self.name, kind=OutcomeKind.SUCCEEDED)

        return await self._once(attempt.attempt_id, attempt.mission_id, "travel", body)

    async def work(self, attempt: Attempt) -> Outcome:
        """Run the skill with the team; update what this robot holds from the effects.

        Only a skill the world declares, and whose capability this robot's kind has, ever runs.
        """
        refusal = self._cannot_run(attempt.skill)
        if refusal:
            return Outcome(attempt_id=attempt.attempt_id, robot=self.name, kind=OutcomeKind.SKILL_FAILED, message=refusal)

        async def body() -> Outcome:
            self.current = attempt.attempt_id
            self.store.add_event(
                Event(kind="robot_working", mission=attempt.mission_id, subtask=attempt.subtask_id, robot=self.name,
                      message=attempt.skill)
            )
            await self.driver.perform(attempt)
            self.committing.add(attempt.attempt_id)  # from here on the work is done: no cancel
            try:
                kind, message = await self.driver.report(attempt)
            finally:
                self.committing.discard(attempt.attempt_id)
            self.battery_wh -= attempt.energy_wh
            if kind == OutcomeKind.SUCCEEDED:
                self.completed += 1
                self._update_holding(attempt)
                self.queue = list(attempt.upcoming.get(self.name, []))
            return Outcome(attempt_id=attempt.attempt_id, robot=self.name, kind=kind, message=message)

        return await self._once(attempt.attempt_id, attempt.mission_id, "work", body)

    def _cannot_run(self, skill_name: str) -> Optional[str]:
        skill = self.world.skills_by_name.get(skill_name)
        if skill is None:
            return f"{self.name} refused {skill_name!r}: the world declares no such skill"
        if skill.capability not in self.kind.capabilities:
            return f"{self.name} refused {skill_name!r}: its kind lacks the {skill.capability!r} capability"
        return None

    async def charge(self, attempt_id: str, mission_id: str = "") -> Outcome:
        """Go to the nearest charger and charge to full."""

        async def body() -> Outcome:
            charger = nearest_charger(self.world, self.place)
            if charger is None:
                return Outcome(attempt_id=attempt_id, robot=self.name, kind=OutcomeKind.BATTERY_LOW, message="no charger in this world")
            self.current = attempt_id
            await self._go(charger)
            await self.driver.charge(charge_seconds(self.world, self.name, self.battery_wh))
            self.battery_wh = self.kind.battery.capacity_wh
            return Outcome(attempt_id=attempt_id, robot=self.name, kind=OutcomeKind.SUCCEEDED, message=f"charged at {charger}")

        return await self._once(attempt_id, mission_id, "charge", body)

    async def _go(self, place: str) -> None:
        if place == self.place:
            return
        seconds = travel_seconds(self.world, self.name, self.place, place)
        energy = travel_energy_wh(self.world, self.name, self.place, place)
        self.store.add_event(Event(kind="robot_moving", robot=self.name, message=f"{self.place} -> {place}"))
        await self.driver.travel(place, seconds)
        self.battery_wh -= energy
        self.place = place
        self.store.add_event(Event(kind="robot_arrived", robot=self.name, message=place))

    def _update_holding(self, attempt: Attempt) -> None:
        skill = self.world.skills_by_name[attempt.skill]
        for effect in skill.effect_literals:
            if effect.predicate != "holding" or self.name not in attempt.roles.get(effect.args[0], []):
                continue
            obj = attempt.binding[effect.args[1]]
            if effect.negated and obj in self.holding:
                self.holding.remove(obj)
            elif not effect.negated and obj not in self.holding:
                self.holding.append(obj)

    # ---- control -----------------------------------------------------------------------------
    async def cancel(self, mission_id: str) -> int:
        """Stop whatever this robot does for a mission; returns how many phases were stopped."""
        keys = [
            k for k, m in self.missions.items() if m == mission_id and k.rsplit("/", 1)[0] not in self.committing
        ]
        for key in keys:
            self.inflight[key].cancel()
        return len(keys)

    async def drop_all(self) -> list[str]:
        """Put down everything held (after a cancel); the WorldActor mirrors it."""
        dropped, self.holding, self.queue = self.holding, [], []
        self._checkpoint()
        return dropped

    async def pause(self) -> RobotStatus:
        self.clock.running.clear()
        self._checkpoint()
        return self._status()

    async def resume(self) -> RobotStatus:
        self.clock.running.set()
        self._checkpoint()
        return self._status()
