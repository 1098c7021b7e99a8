"""Travel, energy and charging estimates shared by the simulation core, robots and the coordinator."""

from __future__ import annotations

from typing import Optional

from fleet.world import World


def chargers(world: World) -> list[str]:
    """Places of kind charger."""
    return [p.name for p in world.places if p.kind == "charger"]


def nearest_charger(world: World, place: str) -> Optional[str]:
    """The charger closest by travel distance (ties by name), or None without chargers."""
    options = chargers(world)
    return min(options, key=lambda c: (world.distance(place, c), c)) if options else None


def typical_travel_seconds(world: World, a: str, b: str) -> float:
    """Travel time between two places at the fleet's mean speed, for estimates before robots are chosen."""
    speeds = [world.robot_kinds[r.kind].speed for r in world.robots] or [1.0]
    return world.distance(a, b) * len(speeds) / sum(speeds)


def travel_seconds(world: World, robot: str, a: str, b: str) -> float:
    return world.distance(a, b) / world.kind_of(robot).speed


def travel_energy_wh(world: World, robot: str, a: str, b: str) -> float:
    return world.distance(a, b) * world.kind_of(robot).battery.travel_wh_per_m


def needs_charge(
    world: World, robot: str, battery_wh: float, here: str, place: str, work_wh: float, reserve: float
) -> bool:
    """Whether going to `place` and working there would leave less than the reserve after reaching a charger."""
    charger = nearest_charger(world, place)
    if charger is None or place == charger:
        return False
    needed = travel_energy_wh(world, robot, here, place) + work_wh + travel_energy_wh(world, robot, place, charger)
    capacity = world.kind_of(robot).battery.capacity_wh
    return battery_wh - needed < reserve * capacity


def charge_seconds(world: World, robot: str, battery_wh: float) -> float:
    """Seconds to charge from a level to full."""
    battery = world.kind_of(robot).battery
    return max(0.0, battery.capacity_wh - battery_wh) / battery.charge_w * 3600.0
