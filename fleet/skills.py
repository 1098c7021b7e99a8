"""Declarative skills: typed parameters, capability, preconditions, effects, duration, energy."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal as TypingLiteral, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fleet.literals import NAME_PATTERN, NAMED_SECOND_ARGUMENT, Condition, Literal, When, condition_literals, parse_condition, parse_effect

SKILL_LIBRARY_DIR = Path(__file__).parent / "skills"

ParamKind = TypingLiteral["robot", "place", "object"]


class ParamSpec(BaseModel):
    """What a skill parameter accepts: a robot, a place or an object, optionally narrowed."""

    model_config = ConfigDict(extra="forbid")

    kind: ParamKind
    types: Optional[list[str]] = None  # objects: allowed object types
    place_kinds: Optional[list[str]] = None  # places: allowed place kinds
    pickable: Optional[bool] = None  # objects: must (not) be pickable
    receptacle: Optional[bool] = None  # objects: must (not) be a receptacle
    has_state: Optional[str] = None  # objects: must carry this boolean state
    capability: Optional[str] = None  # robots: capability this robot needs (default: the skill's)

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        # `robot: robot` is shorthand for `robot: {kind: robot}`.
        return {"kind": value} if isinstance(value, str) else value


class SkillSpec(BaseModel):
    """One skill as written in YAML. Conditions and effects are literals over parameter names."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=f"^{NAME_PATTERN}$")
    description: str = ""
    aliases: list[str] = []  # other words people use for it ("shut" for close): the planner's hints
    capability: str = Field(pattern=f"^{NAME_PATTERN}$")
    parameters: dict[str, ParamSpec]
    preconditions: list[Any] = []
    effects: list[Any] = []  # literals, and conditional effects {forall: x, when: [...], then: [...]}
    duration_s: float = Field(default=1.0, ge=0)  # fixed part of the execution time
    duration_per_kg_s: float = Field(default=0.0, ge=0)  # added per kg of the carried object
    energy_wh: float = Field(default=0.0, ge=0)  # battery used by one execution
    place: Optional[str] = None  # the parameter naming where the skill runs
    plannable: bool = True  # false for skills only the runtime inserts (charging)

    @field_validator("parameters")
    @classmethod
    def _parameter_names(cls, params: dict[str, ParamSpec]) -> dict[str, ParamSpec]:
        for name in params:
            if not re.match(f"^{NAME_PATTERN}$", name):
                raise ValueError(f"parameter name {name!r} must be a lowercase name")
        if not any(p.kind == "robot" for p in params.values()):
            raise ValueError("a skill needs at least one parameter of kind robot")
        return params

    @field_validator("preconditions")
    @classmethod
    def _check_preconditions(cls, items: list[Any]) -> list[Any]:
        for item in items:
            parse_condition(item)
        return items

    @field_validator("effects")
    @classmethod
    def _check_effects(cls, items: list[Any]) -> list[Any]:
        for item in items:
            parse_effect(item)
        return items

    @model_validator(mode="after")
    def _check_names(self) -> "SkillSpec":
        scoped = [(lit, set(self.parameters)) for lit in self.precondition_literals + self.effect_literals]
        for when in self.conditional_effects:
            clash = set(when.variables) & set(self.parameters)
            if clash:
                raise ValueError(f"{self.name}: the variable {sorted(clash)[0]!r} of a conditional effect is also a parameter")
            scoped += [(lit, set(self.parameters) | set(when.variables)) for lit in when.condition + when.effects]
        for lit, names in scoped:
            args = lit.args[:1] if lit.predicate in NAMED_SECOND_ARGUMENT else lit.args
            for arg in args:  # the second argument of has_state and is_a is a state or type name
                if arg not in names:
                    raise ValueError(f"{lit} uses {arg!r}, which is not a parameter of {self.name}")
        if self.place is None:
            places = [n for n, p in self.parameters.items() if p.kind == "place"]
            # the place where the skill runs: the last place parameter (navigate's `to`)
            self.place = places[-1] if places else None
        elif self.place not in self.parameters or self.parameters[self.place].kind != "place":
            raise ValueError(f"place {self.place!r} must name a parameter of kind place")
        return self

    @cached_property
    def preconditions_parsed(self) -> list[Condition]:
        return [parse_condition(item) for item in self.preconditions]

    @cached_property
    def precondition_literals(self) -> list[Literal]:
        return [lit for cond in self.preconditions_parsed for lit in condition_literals(cond)]

    @cached_property
    def effect_literals(self) -> list[Literal]:
        """The effects that always happen."""
        return [e for e in map(parse_effect, self.effects) if isinstance(e, Literal)]

    @cached_property
    def conditional_effects(self) -> list[When]:
        """The effects that happen where their condition holds (what is in an appliance switched on)."""
        return [e for e in map(parse_effect, self.effects) if isinstance(e, When)]

    @cached_property
    def possible_effects(self) -> list[Literal]:
        """Every effect the skill may have: the unconditional ones and those of its conditional effects."""
        return self.effect_literals + [e for when in self.conditional_effects for e in when.effects]

    @cached_property
    def conditional_literals(self) -> list[Literal]:
        """Every literal the conditional effects read or write, variables unbound."""
        return [lit for when in self.conditional_effects for lit in when.condition + when.effects]

    @property
    def robot_params(self) -> list[str]:
        return [n for n, p in self.parameters.items() if p.kind == "robot"]

    def capability_of(self, robot_param: str) -> str:
        """The capability the robot bound to this parameter needs."""
        return self.parameters[robot_param].capability or self.capability

    def carried_by(self, robot_param: str) -> list[str]:
        """Object parameters this robot ends up holding (their mass sets the coalition size)."""
        return [
            lit.args[1]
            for lit in self.effect_literals
            if lit.predicate == "holding" and not lit.negated and lit.args[0] == robot_param
        ]


class SkillLibrary(BaseModel):
    """A YAML file of skills."""

    model_config = ConfigDict(extra="forbid")

    skills: list[SkillSpec]


def load_skill_library(name_or_path: str) -> list[SkillSpec]:
    """Load a bundled skill library by name (`standard`) or a skill YAML file by path."""
    from fleet.world import load_yaml_model  # one YAML loader for every file kind

    path = Path(name_or_path)
    if not path.suffix:
        path = SKILL_LIBRARY_DIR / f"{name_or_path}.yaml"
    return load_yaml_model(path, SkillLibrary).skills
