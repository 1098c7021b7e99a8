"""Drivers: the boundary between a robot actor and its hardware, chosen by name."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

import ray

from fleet.config import FleetConfig
from fleet.models import Attempt, OutcomeKind
from fleet.registry import Registry


class Clock:
    """Simulated time for a robot: waits scale by time_scale and stop while the robot is paused."""

    def __init__(self, time_scale: float):
        self.time_scale = time_scale
        self.running = asyncio.Event()
        self.running.set()

    async def spend(self, simulated_s: float) -> None:
        remaining = simulated_s / self.time_scale
        while remaining > 0:
            await self.running.wait()
            step = min(remaining, 0.05)
            await asyncio.sleep(step)
            remaining -= step


class Driver(ABC):
    """Moves one robot and runs its skills; real robots implement the same four calls."""

    def __init__(self, robot: str, config: FleetConfig, clock: Clock):
        self.robot = robot
        self.config = config
        self.clock = clock

    @abstractmethod
    async def travel(self, place: str, seconds: float) -> None:
        """Go to a place; `seconds` is the expected travel time."""

    @abstractmethod
    async def perform(self, attempt: Attempt) -> None:
        """Carry out the attempt's skill at its place; a cancel may interrupt this."""

    @abstractmethod
    async def report(self, attempt: Attempt) -> tuple[OutcomeKind, str]:
        """The skill's outcome once performed; never interrupted (the lead reports for the team)."""

    @abstractmethod
    async def charge(self, seconds: float) -> None:
        """Charge at the charger the robot stands at."""


DRIVERS: Registry[Driver] = Registry("driver")


def make_driver(name: str, robot: str, config: FleetConfig, clock: Clock) -> Driver:
    return DRIVERS.get(name)(robot, config, clock)


@DRIVERS.register("sim")
class SimDriver(Driver):
    """Simulated hardware: waits out durations in scaled wall time, applies effects on the WorldActor."""

    def __init__(self, robot: str, config: FleetConfig, clock: Clock):
        super().__init__(robot, config, clock)
        self.world_actor = ray.get_actor("world", namespace=config.namespace)

    async def travel(self, place: str, seconds: float) -> None:
        await self.clock.spend(seconds)
        await self.world_actor.move.remote(self.robot, place)

    async def perform(self, attempt: Attempt) -> None:
        await self.clock.spend(attempt.duration_s)

    async def report(self, attempt: Attempt) -> tuple[OutcomeKind, str]:
        if attempt.lead != self.robot:
            return OutcomeKind.SUCCEEDED, ""
        kind, message = await self.world_actor.perform.remote(attempt.skill, attempt.binding, attempt.team, attempt.place, attempt.attempt_id)
        return OutcomeKind(kind), message

    async def charge(self, seconds: float) -> None:
        await self.clock.spend(seconds)
