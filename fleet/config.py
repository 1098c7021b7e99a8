"""Fleet configuration: what `Fleet.start` and `python -m fleet run` take, passed to every actor."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, Field

from fleet.sim import FaultModel
from fleet.world import World, load_world


class FleetConfig(BaseModel):
    """Everything the runtime's actors need to know, in one serialisable record."""

    world: str = "warehouse"  # bundled world name or YAML path
    world_data: Optional[dict[str, Any]] = None  # the loaded world, so every node sees the same one
    namespace: str = "fleet"  # Ray namespace and Redis key prefix
    planner: str = "classical"  # how goals become plans
    policy: str = "greedy"  # allocation policy, by registry name
    driver: str = "sim"  # robot driver, by registry name
    time_scale: float = Field(default=100.0, gt=0)  # simulated seconds per wall second
    redis_url: Optional[str] = None  # an external Redis; None: the embedded server
    state_dir: Optional[str] = None  # where the embedded Redis keeps its files
    faults: FaultModel = FaultModel()
    seed: int = 0
    max_attempts: int = Field(default=3, ge=1)  # tries of one subtask before replanning
    max_replans: int = Field(default=2, ge=0)  # new plans per mission before it fails
    battery_reserve: float = Field(default=0.2, ge=0, lt=1)  # fraction kept for reaching a charger
    planning_timeout_s: float = Field(default=60.0, gt=0)

    def load_world(self) -> World:
        """The world every actor works on (the loaded copy when present)."""
        if self.world_data is not None:
            return World.model_validate(self.world_data)
        return load_world(self.world)
