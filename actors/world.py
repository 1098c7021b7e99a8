"""WorldActor: the simulated ground truth, its fault model and goal checks."""

from __future__ import annotations

import random
import time
from typing import Any

import ray

from fleet.config import FleetConfig
from fleet.goals import parse_goal
from fleet.models import OutcomeKind
from fleet.state import WorldState
from fleet.store import Store
from fleet.world import STATIC_SIGNATURES


@ray.remote(num_cpus=0)
class WorldActor:
    """What is really true in a simulated deployment; drivers apply skills here."""

    def __init__(self, config: dict[str, Any], store_url: str):
        cfg = FleetConfig.model_validate(config)
        self.world = cfg.load_world()
        self.store = Store(store_url, cfg.namespace)
        saved = self.store.load_facts("world")
        self.state = WorldState(self.world, saved) if saved is not None else WorldState.initial(self.world)
        self.faults = cfg.faults
        self.time_scale = cfg.time_scale
        self.rng = random.Random(cfg.seed)
        self.executions: dict[tuple[str, str], int] = {}
        self.applied = self.store.applications("world")  # attempt id -> times its effects were applied
        self.missions_done = 0
        self.started = time.monotonic()

    def facts(self) -> list[str]:
        return self.state.sorted_facts()

    def raw_facts(self) -> list[tuple[str, ...]]:
        return sorted(self.state.facts)

    def _save(self) -> None:
        self.store.save_facts("world", sorted(self.state.facts))

    def move(self, robot: str, place: str) -> None:
        self.state.move_robot(robot, place)
        self._save()

    def perform(self, skill_name: str, binding: dict[str, str], team: list[str], place: str | None, attempt_id: str = "") -> tuple[str, str]:
        """Run a skill on the ground truth for a team: check, draw faults, apply effects.

        Applications are counted per attempt id (`Store.applications`): an attempt whose effects
        land twice is a bug that the chaos benchmark looks for.
        """
        skill = self.world.skills_by_name[skill_name]
        if place:
            for robot in team:
                self.state.move_robot(robot, place)
        unmet = self.state.blockers(skill, binding)
        if unmet:
            return OutcomeKind.PRECONDITION.value, f"precondition not met: {'; '.join(unmet)}"
        now_s = (time.monotonic() - self.started) * self.time_scale
        for robot in team:
            count = self.executions.get((robot, skill_name), 0)
            self.executions[(robot, skill_name)] = count + 1
            p = self.faults.probability(robot, skill_name, now_s, count, self.missions_done)
            if p > 0 and self.rng.random() < p:
                return OutcomeKind.SKILL_FAILED.value, f"{robot} failed {skill_name}"
        self.state.apply_skill(skill, binding)
        if attempt_id:
            self.applied[attempt_id] = self.applied.get(attempt_id, 0) + 1
        self.store.save_facts("world", sorted(self.state.facts), (attempt_id, self.applied[attempt_id]) if attempt_id else None)
        return OutcomeKind.SUCCEEDED.value, ""

    def change(self, facts: list[str]) -> list[str]:
        """Outside changes nobody in the fleet made (a person opens a door): literals to make true."""
        for literal in parse_goal(self.world, facts):
            if literal.negated:
                self.state.facts.discard(literal.atom)
            else:
                self.state.facts.add(literal.atom)
        self._save()
        return self.state.sorted_facts()

    def observe(self, atoms: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], bool]]:
        """What robots at the scene see of some fluent facts (static facts are not reported)."""
        fluents = [tuple(a) for a in atoms if a[0] not in STATIC_SIGNATURES]
        return [(atom, atom in self.state.facts) for atom in fluents]

    def drop_held(self, robot: str) -> list[str]:
        """A robot that stops for good drops what it holds where it stands."""
        place = self.state.robot_place(robot)
        dropped = [f[2] for f in self.state.facts if f[0] == "holding" and f[1] == robot]
        for obj in dropped:
            self.state.facts.discard(("holding", robot, obj))
            if place:
                self.state.facts.add(("at", obj, place))
        self.state.facts.add(("free", robot))
        self._save()
        return dropped

    def unmet_goal(self, goal: list[str]) -> list[str]:
        """The goal literals that do not hold in the ground truth."""
        return [str(lit) for lit in parse_goal(self.world, goal) if not self.state.holds(lit)]

    def mission_finished(self) -> int:
        """Count finished missions (drift schedules may depend on it)."""
        self.missions_done += 1
        return self.missions_done
