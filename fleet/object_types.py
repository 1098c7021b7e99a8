"""The shared object type table: each type's categories and the words people use for it.

    python -c "from fleet.object_types import standard_types; print(standard_types()['fridge'])"
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

OBJECT_TYPES_FILE = Path(__file__).resolve().parent / "data" / "object_types.yaml"


class ObjectType(BaseModel):
    """What a type of object is (its categories) and what else people call it."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] = []  # food, fruit, dishes, heat_source, surface, ...
    aliases: list[str] = []  # "refrigerator" for fridge


class ObjectTypeTable(BaseModel):
    """A YAML file of object types."""

    model_config = ConfigDict(extra="forbid")

    types: dict[str, ObjectType] = Field(default_factory=dict)
    # a type or category -> receptacle types or categories it is kept in, best first (fleet/homes.py)
    kept_in: dict[str, list[str]] = Field(default_factory=dict)


@functools.lru_cache(maxsize=1)
def standard_table() -> ObjectTypeTable:
    """The bundled table (`fleet/data/object_types.yaml`)."""
    from fleet.world import load_yaml_model  # one YAML loader for every file kind

    return load_yaml_model(OBJECT_TYPES_FILE, ObjectTypeTable)


def standard_types() -> dict[str, ObjectType]:
    """The bundled object types."""
    return standard_table().types


def standard_kept_in() -> dict[str, list[str]]:
    """The bundled table of where things of each type or category are kept."""
    return standard_table().kept_in


def merged_types(extra: dict[str, ObjectType]) -> dict[str, ObjectType]:
    """The standard table with a world's own types: a world's entry adds to the standard one."""
    merged = dict(standard_types())
    for name, entry in extra.items():
        base = merged.get(name, ObjectType())
        merged[name] = ObjectType(
            categories=sorted(set(base.categories) | set(entry.categories)),
            aliases=list(dict.fromkeys(base.aliases + entry.aliases)),
        )
    return merged


__all__ = ["OBJECT_TYPES_FILE", "ObjectType", "ObjectTypeTable", "merged_types", "standard_kept_in", "standard_table", "standard_types"]
