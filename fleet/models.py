"""Records that cross process boundaries: missions, subtask states, robot status, events, feedback."""

from __future__ import annotations

import time
from enum import Enum
from typing import Any, Optional

from pydantic import BaseModel, Field, model_validator

from fleet.plan import Plan


class MissionStatus(str, Enum):
    """Where a mission is in its life."""

    QUEUED = "queued"  # accepted and stored, not planned yet
    PLANNING = "planning"  # the planner is working on it
    RUNNING = "running"  # its plan is being executed
    SUCCEEDED = "succeeded"  # every subtask succeeded and the goal holds
    FAILED = "failed"  # retries and replanning ran out; `error` says why
    CANCELLED = "cancelled"  # a user cancelled it
    REJECTED = "rejected"  # invalid or impossible; `error` gives the validator's or planner's reason

    @property
    def terminal(self) -> bool:
        return self in (MissionStatus.SUCCEEDED, MissionStatus.FAILED, MissionStatus.CANCELLED, MissionStatus.REJECTED)


class SubtaskStatus(str, Enum):
    """Where a subtask is, in the runtime and in the simulation core."""

    PENDING = "pending"  # waiting for its dependencies or for robots
    RUNNING = "running"  # robots are on it
    SUCCEEDED = "succeeded"  # done; its effects hold
    FAILED = "failed"  # every attempt failed, or a precondition did not hold
    SKIPPED = "skipped"  # never ran: a dependency failed, or a new plan replaced it
    CANCELLED = "cancelled"  # stopped because its mission was cancelled


class OutcomeKind(str, Enum):
    """How one attempt of a subtask ended on a robot."""

    SUCCEEDED = "succeeded"  # the skill ran and its effects were applied
    SKILL_FAILED = "skill_failed"  # the skill failed (a fault); nothing changed
    PRECONDITION = "precondition"  # the world was not as the plan expected
    BATTERY_LOW = "battery_low"  # refused: not enough charge to finish and reach a charger
    CANCELLED = "cancelled"  # stopped by a cancel
    ROBOT_DIED = "robot_died"  # the robot's actor died


class MissionSpec(BaseModel):
    """What a user submits: one of text, goal or plan, with priority, deadline and labels."""

    text: Optional[str] = None
    goal: Optional[list[str]] = None
    plan: Optional[Plan] = None
    priority: int = 0  # higher runs first when robots are scarce
    deadline_s: Optional[float] = None  # seconds after submission, in simulated time
    labels: dict[str, str] = {}
    tidy: bool = True  # leave the world's tidy states (open, switched_on) as found where the goal says nothing of them

    @model_validator(mode="after")
    def _exactly_one(self) -> "MissionSpec":
        given = [name for name in ("text", "goal", "plan") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"a mission needs exactly one of text, goal or plan (got {', '.join(given) or 'none'})")
        return self

    def summary(self) -> str:
        if self.text is not None:
            return self.text
        if self.goal is not None:
            return ", ".join(self.goal)
        return f"plan of {len(self.plan.subtasks) if self.plan else 0} subtasks"


class SubtaskState(BaseModel):
    """A subtask of a running mission, as users see it."""

    id: str
    skill: str
    args: dict[str, str] = {}
    robots: list[str] = []
    status: SubtaskStatus = SubtaskStatus.PENDING
    attempts: int = 0
    started_at: Optional[float] = None
    finished_at: Optional[float] = None
    error: Optional[str] = None


class PlanningInfo(BaseModel):
    """How the language planner read a text mission."""

    model: str  # the model that wrote the goal
    model_version: Optional[int] = None  # its fine-tuned checkpoint version (None: a base model)
    engine: Optional[str] = None  # the inference engine that ran it: openvino, transformers, openai
    mode: str  # goal or direct
    attempts: int  # model answers it took
    tokens: int  # tokens the model generated
    seconds: float  # wall time in the planner
    repaired: bool = False  # direct mode: the model's steps were replaced by a classical plan


class MissionResult(BaseModel):
    """A mission's whole record: what was asked, the plan, each subtask, and how it ended."""

    id: str
    status: MissionStatus
    spec: MissionSpec
    error: Optional[str] = None
    goal: list[str] = []  # the goal pursued: as given, or as the language planner read the text
    planning: Optional[PlanningInfo] = None  # text missions: how the planner got there
    plan: Optional[Plan] = None
    subtasks: list[SubtaskState] = []
    chains: dict[str, list[str]] = {}  # chain id to the robots playing it
    replans: int = 0
    submitted_at: float = Field(default_factory=time.time)
    started_at: Optional[float] = None
    finished_at: Optional[float] = None
    time_scale: float = 1.0

    @property
    def makespan_s(self) -> Optional[float]:
        """Simulated seconds from the first subtask's start to the mission's end."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at) * self.time_scale

    def subtask(self, subtask_id: str) -> SubtaskState:
        return next(s for s in self.subtasks if s.id == subtask_id)

    def summary(self) -> dict[str, Any]:
        """The per-mission object `run --json` prints."""
        return {"id": self.id, "status": self.status.value, "error": self.error, "makespan_s": self.makespan_s}

    def _repr_html_(self) -> str:
        """Notebooks show the mission's outcome and a table of its subtasks."""
        from html import escape

        from fleet.viz import html_table

        makespan = f"{self.makespan_s:.1f} s" if self.makespan_s is not None else "-"
        head = f"<p><b>mission {escape(self.id)}</b>: {self.status.value}, makespan {makespan}"
        head += f", goal {escape(', '.join(self.goal))}" if self.goal else ""
        head += f"<br>error: {escape(self.error)}</p>" if self.error else "</p>"
        columns = ["id", "skill", "args", "robots", "status", "attempts", "error"]
        return head + html_table([s.model_dump() for s in self.subtasks], columns)


class RobotStatus(BaseModel):
    """A robot's own state, as its actor reports and checkpoints it."""

    name: str
    kind: str
    place: str
    battery_wh: float
    battery_fraction: float
    holding: list[str] = []
    current: Optional[str] = None  # attempt id it is working on
    queue: list[str] = []  # subtasks (mission/subtask) it is committed to next, in order
    paused: bool = False
    alive: bool = True
    completed_attempts: int = 0


class RobotTable(list):
    """`fleet.robots()`: a list of `RobotStatus` that notebooks show as a table."""

    def _repr_html_(self) -> str:
        from fleet.viz import html_table

        columns = ["name", "kind", "place", "battery_fraction", "holding", "current", "queue", "paused", "alive"]
        return html_table([r.model_dump() for r in self], columns)


class Outcome(BaseModel):
    """How one phase of an attempt ended on one robot."""

    attempt_id: str
    robot: str
    kind: OutcomeKind
    message: str = ""
    status: Optional[RobotStatus] = None

    @property
    def ok(self) -> bool:
        return self.kind == OutcomeKind.SUCCEEDED


class Attempt(BaseModel):
    """One try at a subtask by a team, as the coordinator hands it to each robot."""

    attempt_id: str
    mission_id: str
    subtask_id: str
    skill: str
    place: Optional[str]
    duration_s: float
    binding: dict[str, str]  # every parameter, robot roles bound to their team's lead
    roles: dict[str, list[str]]  # robot parameter to the team playing it
    energy_wh: float = 0.0  # the skill's energy per robot
    upcoming: dict[str, list[str]] = {}  # robot to the subtasks of its chain still to come

    @property
    def team(self) -> list[str]:
        return [robot for team in self.roles.values() for robot in team]

    @property
    def lead(self) -> str:
        """The robot that reports the effects for the whole team."""
        return self.team[0]


class Event(BaseModel):
    """One entry of the event stream."""

    kind: str  # mission_submitted, subtask_started, subtask_succeeded, robot_died, ...
    mission: Optional[str] = None
    subtask: Optional[str] = None
    robot: Optional[str] = None
    message: str = ""
    at: float = Field(default_factory=time.time)


class Feedback(BaseModel):
    """One subtask attempt's outcome, for the estimators and the learned policy."""

    mission: str
    subtask: str
    attempt_id: str
    attempt: int = 1  # which try at the subtask this was
    skill: str
    robots: list[str]
    place: Optional[str] = None
    expected_s: float
    actual_s: float
    success: bool
    reason: str = ""
    energy_wh: float = 0.0
    at: float = Field(default_factory=time.time)


class Exemplar(BaseModel):
    """A mission that succeeded: its text and the goal that satisfied it (the plan memory)."""

    text: str
    goal: list[str]
    mission: Optional[str] = None  # the mission it came from
