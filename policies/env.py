"""The gymnasium environment the learned policy trains in: the simulation core running seeded scenarios.

An episode is one generated scenario (`fleet.scenarios`) executed by the simulation core with
the learned policy's auction. Each step is one award the auction leaves open: the observation
describes the request and its lowest bidders (`policies.learned.observe`), the action picks one.
Rewards are the virtual time that passes (minus one per minute) and a penalty per failed
attempt, so an episode's return is minus its makespan in minutes minus the failure penalties.

Failures come from a fault model: every skill fails `base_failure` of the time, and in each
episode a few robot-skill pairs are unreliable, failing at a rate drawn from
`unreliable_failure`. With `estimates`, the episodes are calibrated instead: the world's own
fleet, failure rates and duration factors as the fleet has learned them. The policy sees the
same estimates the coordinator would give it.

    env = DispatchEnv({"world": "warehouse"})
    observation, info = env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step(0)   # the lowest bidder
"""

from __future__ import annotations

import random
from typing import Any, Optional

import gymnasium as gym
import numpy as np
from pydantic import BaseModel, Field

from fleet.errors import FleetError
from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import FailureRate, FaultModel, Simulation
from policies.auction import Choice, Decisions
from policies.cost import Estimates, SkillEstimate
from policies.learned import CANDIDATES, ChoosingAuction, action_space, observation_space, observe


class EnvConfig(BaseModel):
    """What episodes look like; every field has a default that trains a useful policy in minutes."""

    world: str = "warehouse"
    robots: tuple[int, int] = (4, 9)  # fleet size range (ignored when calibrated: the world's fleet)
    subtasks: tuple[int, int] = (8, 16)
    dependency_probability: float = Field(default=0.3, ge=0, le=1)
    heavy_fraction: float = Field(default=0.1, ge=0, le=1)
    battery_range: tuple[float, float] = (0.5, 1.0)
    base_failure: float = Field(default=0.02, ge=0, le=1)
    unreliable_pairs: tuple[int, int] = (1, 3)  # robot-skill pairs per episode that fail more often
    unreliable_failure: tuple[float, float] = (0.2, 0.7)
    failure_penalty: float = Field(default=1.0, ge=0)  # reward lost per failed attempt, in minutes
    estimates: Optional[Estimates] = None  # calibrated episodes: the fleet as it has been measured

    def check(self) -> "EnvConfig":
        for name in ("robots", "subtasks", "unreliable_pairs"):
            low, high = getattr(self, name)
            if not 0 <= low <= high or (name != "unreliable_pairs" and low < 1):
                raise FleetError(f"environment config {name} must be a range low..high of positive counts; got {low}..{high}")
        return self


class DispatchEnv(gym.Env):
    """Assign ready subtasks to candidate robots in the simulation core; one step per open award."""

    metadata = {"render_modes": []}

    def __init__(self, config: Optional[dict[str, Any] | EnvConfig] = None):
        super().__init__()
        self.config = (config if isinstance(config, EnvConfig) else EnvConfig.model_validate(dict(config or {}))).check()
        self.observation_space = observation_space()
        self.action_space = action_space()
        self.auction = ChoosingAuction()  # the agent answers its open choices
        self.episodes = 0
        self._zero = np.zeros(self.observation_space.shape, dtype=np.float32)

    # ---- gymnasium ---------------------------------------------------------------------------
    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        while True:  # an episode without a single open choice teaches nothing: draw another
            self._start(int(self.np_random.integers(2**31)))
            observation = self._advance()
            if observation is not None:
                return observation, {}

    def step(self, action: int):
        if self.choice is None:
            raise FleetError("step() after the episode ended; call reset()")
        rows = self.rows
        clock, failures = self.simulation.now, self._failures()
        observation = self._advance(int(rows[min(int(action), len(rows) - 1)]))
        reward = -(self.simulation.now - clock) / 60.0 - self.config.failure_penalty * (self._failures() - failures)
        if observation is None:
            result = self.result
            info = {"makespan_s": result.makespan_s, "failures": self._failures(), "succeeded": result.succeeded}
            return self._zero, float(reward), True, False, info
        return observation, float(reward), False, False, {}

    # ---- episodes ----------------------------------------------------------------------------
    def _start(self, seed: int) -> None:
        rng = random.Random(seed)
        config = self.config
        calibrated = config.estimates is not None
        spec = ScenarioSpec(
            world=config.world,
            robots=rng.randint(*config.robots),
            subtasks=rng.randint(*config.subtasks),
            seed=seed,
            dependency_probability=config.dependency_probability,
            heavy_fraction=config.heavy_fraction,
            battery_range=config.battery_range,
            keep_fleet=calibrated,
        )
        scenario = generate(spec)
        self.world = scenario.world
        self.capacity = {name: kind.battery.capacity_wh for name, kind in self.world.robot_kinds.items()}
        if calibrated:
            rates, estimates = _calibrated(config.estimates, config.base_failure)
        else:
            rates, estimates = self._unreliable(rng, {s.skill for s in scenario.plan.subtasks})
        self.auction.estimates = estimates
        self.simulation = Simulation(self.world, FaultModel(rates=rates), seed=seed)
        self.rounds = self.simulation.rounds(scenario.plan, scenario.goal_literals(), mission=f"episode{self.episodes}")
        self.decisions: Optional[Decisions] = None
        self.choice: Optional[Choice] = None
        self.result = None
        self.episodes += 1

    def _unreliable(self, rng: random.Random, skills: set[str]) -> tuple[list[FailureRate], Estimates]:
        """A few robot-skill pairs (skills the plan uses) that fail often this episode, and the estimates that say so."""
        config = self.config
        rates = [FailureRate(probability=config.base_failure)]
        by_robot: dict[str, dict[str, SkillEstimate]] = {}
        pairs = [
            (robot.name, skill)
            for robot in self.world.robots
            for skill in sorted(skills)
            if self.world.skills_by_name[skill].capability in self.world.kind_of(robot.name).capabilities
        ]
        for robot, skill in rng.sample(pairs, min(rng.randint(*config.unreliable_pairs), len(pairs))):
            failure = rng.uniform(*config.unreliable_failure)
            rates.append(FailureRate(robot=robot, skill=skill, probability=failure))
            by_robot.setdefault(robot, {})[skill] = SkillEstimate(success=1.0 - failure)
        return rates, Estimates(by_robot_skill=by_robot)

    def _failures(self) -> int:
        return sum(not record.success for record in self.simulation.feedback)

    def _advance(self, row: Optional[int] = None) -> Optional[np.ndarray]:
        """Answer the open choice (when there is one) and run on to the next; None when the episode is over."""
        try:
            if row is None:
                round_ = next(self.rounds)
            else:
                try:
                    self.choice = self.decisions.send(row)
                    return self._observe()
                except StopIteration as decided:  # the round's teams are complete
                    round_ = self.rounds.send(decided.value)
            while True:
                self.decisions = self.auction.decisions(self.world, *round_)
                try:
                    self.choice = next(self.decisions)
                    return self._observe()
                except StopIteration as decided:  # a round with nothing left open
                    round_ = self.rounds.send(decided.value)
        except StopIteration as end:  # the simulation is over
            self.result, self.choice = end.value, None
            return None

    def _observe(self) -> np.ndarray:
        observation, self.rows = observe(self.choice, self.auction.estimates, self.capacity)
        return observation


def _calibrated(estimates: Estimates, base_failure: float) -> tuple[list[FailureRate], Estimates]:
    """Failure rates as measured; pairs never measured fail at the base rate."""
    rates = [FailureRate(probability=base_failure)]
    for robot, skills in estimates.by_robot_skill.items():
        for skill, estimate in skills.items():
            rates.append(FailureRate(robot=robot, skill=skill, probability=1.0 - estimate.success))
    return rates, estimates


__all__ = ["CANDIDATES", "DispatchEnv", "EnvConfig"]
