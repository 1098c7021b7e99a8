"""Online reliability and duration estimates per robot and skill, learned from feedback records.

Success is a Beta posterior: a prior of `prior_weight` pseudo-attempts at `prior_success`, plus
the robot's own outcomes, older ones discounted by `forgetting` at each new one so that a robot
whose reliability drifts is re-learned within about ten attempts. Duration is a running ratio
of actual to expected skill time, averaged in log space with outliers clipped. Only faults
count against a robot: a precondition the world did not meet, a refusal for battery or a cancel
say nothing about how well it runs the skill.

    model = ReliabilityModel()
    for record in store.feedback():
        model.update(record)
    policy.estimates = model.estimates()   # every policy's cost divides by success, scales by duration
"""

from __future__ import annotations

import json
import math
from typing import Optional

from pydantic import BaseModel, Field

from fleet.models import Feedback
from policies.cost import Estimates, SkillEstimate

FAULTS = {"skill_failed", "robot_died"}  # outcomes that count against the robot


class ReliabilityConfig(BaseModel):
    """How fast estimates move."""

    prior_success: float = Field(default=0.95, gt=0, lt=1)  # what a robot is assumed to manage before evidence
    prior_weight: float = Field(default=1.0, gt=0)  # how many attempts that assumption is worth
    forgetting: float = Field(default=0.9, gt=0, le=1)  # weight kept by past outcomes at each new one
    ratio_step: float = Field(default=0.2, gt=0, le=1)  # how far one duration moves the running ratio
    ratio_bounds: tuple[float, float] = (0.25, 4.0)  # one duration never counts as more extreme than this


class SkillStats(BaseModel):
    """What the fleet has seen of one robot running one skill."""

    successes: float = 0.0  # discounted
    failures: float = 0.0  # discounted
    log_ratio: float = 0.0  # running mean of log(actual / expected)
    attempts: int = 0  # every attempt seen, undiscounted


class ReliabilityRow(BaseModel):
    """One line of the reliability table."""

    robot: str
    skill: str
    success: float  # posterior mean chance an attempt succeeds
    duration_factor: float  # actual over expected skill time
    attempts: int


class ReliabilityModel:
    """Success and duration estimates per robot and skill, updated one feedback record at a time."""

    def __init__(self, config: Optional[ReliabilityConfig] = None, stats: Optional[dict[str, dict[str, SkillStats]]] = None):
        self.config = config or ReliabilityConfig()
        self.stats: dict[str, dict[str, SkillStats]] = stats or {}

    def update(self, record: Feedback) -> list[str]:
        """Take in one attempt's outcome; returns the robots whose estimates changed."""
        fault = record.reason in FAULTS
        if not (record.success or fault):
            return []
        low, high = self.config.ratio_bounds
        for robot in record.robots:
            stats = self.stats.setdefault(robot, {}).setdefault(record.skill, SkillStats())
            keep = self.config.forgetting
            stats.successes = stats.successes * keep + (1.0 if record.success else 0.0)
            stats.failures = stats.failures * keep + (0.0 if record.success else 1.0)
            stats.attempts += 1
            if record.success and record.expected_s > 0 and record.actual_s > 0:
                ratio = min(max(record.actual_s / record.expected_s, low), high)
                stats.log_ratio += self.config.ratio_step * (math.log(ratio) - stats.log_ratio)
        return list(record.robots)

    def robot_json(self, robot: str) -> str:
        """One robot's state, for the store."""
        return json.dumps({skill: stats.model_dump() for skill, stats in self.stats.get(robot, {}).items()})

    @classmethod
    def from_store(
        cls, saved: dict[str, str], config: Optional[ReliabilityConfig] = None
    ) -> tuple["ReliabilityModel", list[str]]:
        """A model from the store's robot-to-JSON map (see `robot_json`), and what could not be read.

        A robot whose saved state is unreadable starts again from the prior instead of stopping
        the coordinator; the problems name it so the caller can report them.
        """
        stats: dict[str, dict[str, SkillStats]] = {}
        problems = []
        for robot, text in saved.items():
            try:
                stats[robot] = {skill: SkillStats.model_validate(raw) for skill, raw in json.loads(text).items()}
            except (ValueError, AttributeError) as err:
                problems.append(f"reliability of {robot} unreadable, starting again from the prior: {err}")
        return cls(config, stats), problems

    def success(self, robot: str, skill: str) -> float:
        stats = self.stats.get(robot, {}).get(skill, SkillStats())
        prior = self.config.prior_weight
        return (prior * self.config.prior_success + stats.successes) / (prior + stats.successes + stats.failures)

    def duration_factor(self, robot: str, skill: str) -> float:
        return math.exp(self.stats.get(robot, {}).get(skill, SkillStats()).log_ratio)

    def estimates(self) -> Estimates:
        """What the policies' cost model reads."""
        return Estimates(
            by_robot_skill={
                robot: {
                    skill: SkillEstimate(success=self.success(robot, skill), duration_factor=self.duration_factor(robot, skill))
                    for skill in skills
                }
                for robot, skills in self.stats.items()
            }
        )

    def table(self) -> list[ReliabilityRow]:
        """Every robot and skill seen so far, sorted."""
        return [
            ReliabilityRow(
                robot=robot,
                skill=skill,
                success=round(self.success(robot, skill), 4),
                duration_factor=round(self.duration_factor(robot, skill), 4),
                attempts=stats.attempts,
            )
            for robot, skills in sorted(self.stats.items())
            for skill, stats in sorted(skills.items())
        ]
