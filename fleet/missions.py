"""Mission sets: natural-language missions with the goals that define success, loaded from YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fleet.errors import Issue, WorldError
from fleet.goals import parse_goal
from fleet.state import WorldState
from fleet.world import World, load_yaml_model

MISSIONS_DIR = Path(__file__).resolve().parent.parent / "examples" / "missions"


class MissionEntry(BaseModel):
    """One mission of a set: its wording, the goal that defines success, and tags."""

    model_config = ConfigDict(extra="forbid")

    id: Optional[str] = None
    text: Optional[str] = None  # what a user would say
    goal: Optional[list[str]] = None  # the conditions that define success
    plan: Optional[dict[str, Any]] = None  # an explicit plan instead of a goal
    state: list[str] = []  # literals that hold at the start instead of what the world file says ("open(fridge)")
    priority: int = 0
    tidy: bool = True  # false: the plan may leave open what it opened (see the world's `tidy:`)
    tags: list[str] = []

    @model_validator(mode="after")
    def _something_to_run(self) -> "MissionEntry":
        if self.text is None and self.goal is None and self.plan is None:
            raise ValueError("a mission needs goal, plan or text")
        return self

    def initial_state(self, world: World) -> WorldState:
        """The state this mission starts from: the world's, with the entry's `state:` literals made true."""
        start = WorldState.initial(world)
        return start.with_facts(parse_goal(world, self.state)) if self.state else start

    def spec(self, use_text: bool = False) -> dict[str, Any]:
        """What to submit: the text for the language planner when asked and present, else the goal or plan."""
        common = {"priority": self.priority, "tidy": self.tidy}
        if use_text and self.text is not None:
            return {"text": self.text, **common}
        if self.goal is not None:
            return {"goal": self.goal, **common}
        if self.plan is not None:
            return {"plan": self.plan, **common}
        return {"text": self.text, **common}


class MissionSet(BaseModel):
    """A YAML file of missions, optionally tied to one world."""

    model_config = ConfigDict(extra="forbid")

    world: Optional[str] = None
    split: Optional[Literal["dev", "held_out"]] = None  # held_out: scores the planner, never develops it
    missions: list[MissionEntry] = Field(min_length=1)


def load_mission_set(path: str, world: Optional[World] = None) -> MissionSet:
    """Load a mission file; with a world, check every goal against its vocabulary."""
    mission_set = load_yaml_model(Path(path), MissionSet)
    if world is not None and mission_set.world is not None and mission_set.world != world.name:
        raise WorldError(
            [Issue("world", f"the missions are written for the {mission_set.world} world, not the {world.name} world they were run against")],
            str(path),
        )
    if world is not None:
        issues = []
        for i, entry in enumerate(mission_set.missions):
            for field, literals in (("goal", entry.goal), ("state", entry.state or None)):
                if literals is not None:
                    try:
                        parse_goal(world, literals)
                    except ValueError as err:
                        issues.append(Issue(f"missions[{i}] ({entry.id or i}).{field}", str(err)))
        if issues:
            raise WorldError(issues, str(path))
    return mission_set
