"""Where things are kept: the receptacle a thing goes back to when it is put away or tidied up.

Three sources, first match wins: the object's own `kept_in` in the world YAML, the world's
`kept_in` table (keys: an object name, a type or a category), then the shared table in
`fleet/data/object_types.yaml` (a type's own entry first, then its categories in the table's
order). Each entry lists receptacles by name, type or category, best first; the first that
this world has is the thing's home.

    python -c "from fleet.world import load_world; from fleet.homes import home_of; \\
        print(home_of(load_world('household'), 'mug'))"
"""

from __future__ import annotations

from typing import Optional

from fleet.object_types import standard_kept_in
from fleet.world import World


def _receptacles_for(world: World, thing: str, wanted: str) -> Optional[str]:
    """The goal argument for "in one of `wanted`": a receptacle's name, or `any TYPE` for several."""
    inside = _contents(world, thing)
    if wanted in world.objects_by_name:
        target = world.objects_by_name[wanted]
        return wanted if target.receptacle and wanted != thing and wanted not in inside else None
    matching = [n for n in world.matching("object", wanted) if n != thing and n not in inside]
    receptacles = [n for n in matching if world.objects_by_name[n].receptacle]
    if not receptacles:
        return None
    # toys are kept in the toy chest, not in the pencil case: a box one carries about holds its own things
    fixed = [n for n in receptacles if not world.objects_by_name[n].pickable]
    if fixed and len(fixed) < len(receptacles):
        return fixed[0]
    if len(receptacles) == 1:
        return receptacles[0]
    return f"any {wanted}" if receptacles == matching else receptacles[0]


def _contents(world: World, thing: str) -> set[str]:
    """What starts inside a thing, at any depth (it cannot be put away into those)."""
    found: set[str] = set()
    frontier = [thing]
    while frontier:
        holder = frontier.pop()
        for obj in world.objects:
            if obj.location == holder and obj.name not in found:
                found.add(obj.name)
                frontier.append(obj.name)
    return found


def _candidate_lists(world: World, thing: str) -> list[list[str]]:
    """The kept-in lists that speak of a thing, most specific source first."""
    obj = world.objects_by_name[thing]
    kinds = world.categories_of(thing)
    lists = [obj.kept_in] if obj.kept_in else []
    for table in (world.kept_in, standard_kept_in()):
        if thing in table:
            lists.append(table[thing])
        if obj.type in table:
            lists.append(table[obj.type])
        lists += [places for key, places in table.items() if key in kinds and key != obj.type]
    return lists


def home_of(world: World, thing: str) -> Optional[str]:
    """Where a thing is kept in this world, as a goal argument (`fridge`, `any drawer`); None if
    no table says, or no receptacle of the kinds it names is here."""
    for candidates in _candidate_lists(world, thing):
        for wanted in candidates:
            found = _receptacles_for(world, thing, wanted)
            if found is not None:
                return found
    return None


def is_home(world: World, thing: str, holder: str) -> bool:
    """Whether a receptacle is (one of) the thing's home(s)."""
    home = home_of(world, thing)
    if home is None:
        return False
    if home.startswith("any "):
        return holder in world.matching("object", home[4:])
    return holder == home


__all__ = ["home_of", "is_home"]
