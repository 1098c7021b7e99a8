"""Fleet: run a robot fleet from missions; the public API and the domain model."""

from fleet.client import Fleet, MissionHandle
from fleet.config import LLMConfig, PlanMode, PlannerConfig
from fleet.errors import FleetBusy, FleetError, GoalError, PlanningError, WorldError
from fleet.models import MissionResult, MissionStatus, SubtaskStatus
from fleet.goals import parse_goal
from fleet.plan import Plan, Role, Subtask
from fleet.world import World, bundled_worlds, load_world

__all__ = [
    "Fleet",
    "FleetBusy",
    "FleetError",
    "MissionHandle",
    "MissionResult",
    "MissionStatus",
    "SubtaskStatus",
    "GoalError",
    "LLMConfig",
    "Plan",
    "PlanMode",
    "PlannerConfig",
    "PlanningError",
    "Role",
    "Subtask",
    "World",
    "WorldError",
    "bundled_worlds",
    "load_world",
    "parse_goal",
]
__version__ = "0.1.0"
