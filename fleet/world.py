"""The world format: places, connectivity, objects, robots and skills, loaded from YAML."""

from __future__ import annotations

import copy
import functools
import heapq
import itertools
import math
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Optional, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fleet.errors import Issue, WorldError
from fleet.literals import NAME_PATTERN, NAMED_SECOND_ARGUMENT, Literal, quantifier
from fleet.object_types import ObjectType, merged_types
from fleet.skills import SkillSpec, load_skill_library

Name = str  # a lowercase identifier; checked by the `name` fields' pattern
NameField = Field(pattern=f"^{NAME_PATTERN}$")

WORLDS_DIR = Path(
    os.environ.get("FLEET_WORLDS_DIR", Path(__file__).resolve().parent.parent / "examples" / "worlds")
)

# Predicates every world supports, with the kind of each argument.
FLUENT_SIGNATURES: dict[str, tuple[str, ...]] = {
    "robot_at": ("robot", "place"),  # the robot stands at the place
    "free": ("robot",),  # the robot holds nothing
    "at": ("object", "place"),  # the object is at the place, loose or inside a receptacle there
    "in": ("object", "object"),  # the object is inside the receptacle or on it (a surface); it moves with it
    "contained": ("object",),  # the object is inside or on some receptacle
    "holding": ("robot", "object"),  # the robot holds or carries the object
}
# Facts fixed by the world file; skills may test them, goals may not.
STATIC_SIGNATURES: dict[str, tuple[str, ...]] = {
    "has_state": ("object", "state"),  # the object carries this boolean state at all
    "can_reach": ("robot", "place"),  # the robot has every capability the place requires
    "can_carry": ("robot", "object"),  # the object is within the payload of a team of this robot's kind
    "is_a": ("object", "type"),  # the object is of this type or in this category (fleet/data/object_types.yaml)
}
# Fluents the runtime keeps true by itself: robots travel to each subtask, hold one thing at a time.
RUNTIME_FLUENTS = frozenset({"robot_at", "free"})


class Place(BaseModel):
    """A named location with coordinates in metres."""

    model_config = ConfigDict(extra="forbid")

    name: str = NameField
    kind: str = Field(default="area", pattern=f"^{NAME_PATTERN}$")  # room, shelf, dock, charger, ...
    xy: tuple[float, float]
    requires: list[str] = []  # capabilities a robot needs to enter (fly for a high rack)
    aliases: list[str] = []  # other words people use for it ("the bay" for a dock): the planner's hints


class Connection(BaseModel):
    """An edge of the place graph; its length defaults to the straight-line distance."""

    model_config = ConfigDict(extra="forbid")

    between: tuple[str, str]
    distance: Optional[float] = Field(default=None, gt=0)


class WorldObject(BaseModel):
    """A thing in the world: where it is, its boolean states and physical properties."""

    model_config = ConfigDict(extra="forbid")

    name: str = NameField
    type: str = NameField
    location: str = NameField  # a place, a receptacle object or a robot
    states: dict[str, bool] = {}  # open, switched_on, clean, sliced, ...
    mass: float = Field(default=1.0, ge=0)  # kg
    pickable: bool = True
    receptacle: bool = False  # things can be put inside or on it; a pickable one carries them along
    capacity: Optional[int] = Field(default=None, ge=1)  # most things in or on it at once (None: no limit)
    aliases: list[str] = []  # other words people use for it ("refrigerator" for fridge): the planner's hints
    kept_in: list[str] = []  # where it goes when put away: receptacle names, types or categories, best first


class Battery(BaseModel):
    """Battery capacity and how fast it drains and charges."""

    model_config = ConfigDict(extra="forbid")

    capacity_wh: float = Field(gt=0)
    travel_wh_per_m: float = Field(default=0.0, ge=0)
    charge_w: float = Field(default=100.0, gt=0)


class RobotKind(BaseModel):
    """What every robot of a kind can do and carry."""

    model_config = ConfigDict(extra="forbid")

    capabilities: list[str]
    speed: float = Field(gt=0)  # m/s
    payload: float = Field(default=0.0, ge=0)  # kg
    battery: Battery
    resource: Optional[str] = None  # Ray custom resource the robot's actor needs (edge nodes)


class Robot(BaseModel):
    """One robot: its kind, where it starts, how charged it is."""

    model_config = ConfigDict(extra="forbid")

    name: str = NameField
    kind: str = NameField
    start: str = NameField
    battery_level: float = Field(default=1.0, ge=0, le=1)  # fraction of capacity at start


class World(BaseModel):
    """A complete world: the vocabulary, the initial state and the skills robots can run."""

    model_config = ConfigDict(extra="forbid")

    name: str = NameField
    description: str = ""
    skill_libraries: list[str] = ["standard"]  # bundled library names or skill file paths
    skills: list[SkillSpec] = []  # additions for this world
    places: list[Place] = Field(min_length=1)
    connections: Optional[list[Connection]] = None  # none: every place connects to every other
    objects: list[WorldObject] = []
    robot_kinds: dict[str, RobotKind]
    robots: list[Robot] = Field(min_length=1)
    max_coalition: int = Field(default=3, ge=1)  # most robots that may act together on one load
    object_types: dict[str, ObjectType] = {}  # types of this world's own, or categories added to standard ones
    tidy: list[str] = []  # states plans leave as they found them unless the goal says otherwise (open, switched_on)
    # where things go when put away, over the shared table: an object name, type or category ->
    # receptacle names, types or categories, best first (fleet/homes.py)
    kept_in: dict[str, list[str]] = {}

    # ---- lookups -------------------------------------------------------------------------
    @cached_property
    def places_by_name(self) -> dict[str, Place]:
        return {p.name: p for p in self.places}

    @cached_property
    def objects_by_name(self) -> dict[str, WorldObject]:
        return {o.name: o for o in self.objects}

    @cached_property
    def robots_by_name(self) -> dict[str, Robot]:
        return {r.name: r for r in self.robots}

    @cached_property
    def has_capacities(self) -> bool:
        """Whether any receptacle limits how much it holds (plans and runs then count contents)."""
        return any(o.capacity is not None for o in self.objects)

    @cached_property
    def type_table(self) -> dict[str, ObjectType]:
        """The standard object types with this world's additions."""
        return merged_types(self.object_types)

    def categories_of(self, obj: str) -> set[str]:
        """An object's type and every category of that type."""
        type_name = self.objects_by_name[obj].type
        entry = self.type_table.get(type_name)
        return {type_name, *(entry.categories if entry else [])}

    @cached_property
    def spoken_aliases(self) -> dict[str, str]:
        """Words people use for things here -> the name words they mean ("refrigerator" -> "fridge").

        Each object's and place's own aliases, then the shared type table's aliases for the types
        this world has: a type alias means the object when it is the only one of its type, else
        the type (which names every object of it). A type alias made only of words the world
        already uses, one of them as what a thing is ("table" where a coffee_table stands), is
        left out: it would take a meaning away from them. A word used only to say which thing
        ("bath" of bath_towel and bath_mat) leaves "the bath" free to mean the bathtub.
        """
        found: dict[str, str] = {}
        for thing in [*self.objects, *self.places]:
            for alias in thing.aliases:
                found.setdefault(alias, thing.name.replace("_", " "))
        known = {w for o in self.objects for w in [*o.name.split("_"), *o.type.split("_")]}
        known |= {w for p in self.places for w in [*p.name.split("_"), *p.kind.split("_")]}
        heads = {words.split("_")[-1] for o in self.objects for words in (o.name, o.type)}
        heads |= {words.split("_")[-1] for p in self.places for words in (p.name, p.kind)}
        by_type: dict[str, list[str]] = {}
        for obj in self.objects:
            by_type.setdefault(obj.type, []).append(obj.name)
        for type_name, names in sorted(by_type.items()):
            entry = self.type_table.get(type_name)
            for alias in entry.aliases if entry else []:
                if set(alias.split()) <= known and set(alias.split()) & heads:
                    continue
                if all(self._called_another_kind(self.objects_by_name[n], alias) for n in names):
                    continue  # "saucepan" where the things of type pot are a teapot and a casserole dish
                found.setdefault(alias, (names[0] if len(names) == 1 else type_name).replace("_", " "))
        return found

    def _called_another_kind(self, obj: WorldObject, alias: str) -> bool:
        """Whether an object's own name calls it a kind other than what a shared word for its type
        says: a teapot (a one-word name ending in its one-word type) or a casserole dish (a last
        word that is another type's word) is no "saucepan"; a "dish cloth" is the dishcloth, a
        waste paper basket is a "bin", and leftovers of type food are food."""
        last, type_last = obj.name.split("_")[-1], obj.type.split("_")[-1]
        if alias.replace(" ", "") == obj.name.replace("_", "") or last in (obj.type, type_last, *alias.split()):
            return False
        if "_" not in obj.name + obj.type and last.endswith(obj.type) and len(last) > len(obj.type) + 2:
            return True
        return last in {a for name, entry in self.type_table.items() if name != obj.type for a in entry.aliases if " " not in a}

    def matching(self, kind: str, what: str) -> list[str]:
        """The names `any what` / `all what` covers: robots of a kind (or every robot), places of a
        kind (or every place), objects of a type or category."""
        if kind == "robot":
            return [r.name for r in self.robots if what in ("robot", r.kind)]
        if kind == "place":
            return [p.name for p in self.places if what in ("place", p.kind)]
        return [o.name for o in self.objects if what in self.categories_of(o.name)]

    def instances(self, literal: Literal, role_tokens: Iterable[str] = ()) -> list[Literal]:
        """A quantified literal's ground instances, unsigned (`in(spoon, any drawer)`: one per drawer).

        `role_tokens` stand for robots too: plan validation binds robot roles to such tokens.
        """
        signature = self.predicate_signature(literal.predicate) or ()
        choices = []
        for arg, kind in zip(literal.args, signature):
            found = quantifier(arg)
            if found is None:
                choices.append([arg])
            else:
                choices.append(self.matching(kind, found[1]) + (list(role_tokens) if kind == "robot" else []))
        return [Literal(literal.predicate, combo) for combo in itertools.product(*choices)]

    def kind_of(self, robot: str) -> RobotKind:
        return self.robot_kinds[self.robots_by_name[robot].kind]

    def kind_of_name(self, name: str) -> Optional[str]:
        """Whether a name is a robot, a place or an object (None if unknown)."""
        if name in self.robots_by_name:
            return "robot"
        if name in self.places_by_name:
            return "place"
        if name in self.objects_by_name:
            return "object"
        return None

    @cached_property
    def skill_list(self) -> list[SkillSpec]:
        """Library skills, then this world's own; a world skill replaces a library one of its name."""
        merged: dict[str, SkillSpec] = {}
        for library in self.skill_libraries:
            for skill in load_skill_library(library):
                merged[skill.name] = skill
        for skill in self.skills:
            merged[skill.name] = skill
        return list(merged.values())

    @cached_property
    def usable_skills(self) -> list[SkillSpec]:
        """Plannable skills with something to act on here (no `heat` where nothing can get hot).

        Robots are not asked for: a skill no robot can do is still worth explaining as such.
        """
        usable = []
        for skill in self.skill_list:
            tests = [c for c in skill.preconditions_parsed if isinstance(c, Literal) and c.predicate == "is_a"]
            things = [name for name, spec in skill.parameters.items() if spec.kind != "robot"]
            if skill.plannable and all(self.passing(self.param_domain(skill, name), tests, name) for name in things):
                usable.append(skill)
        return usable

    def passing(self, values: Iterable[str], tests: Iterable[Literal], subject: str) -> list[str]:
        """The values that pass every static test (`is_a`, `has_state`, signed) whose first argument is `subject`."""
        mine = [t for t in tests if t.predicate in STATIC_SIGNATURES and t.args[0] == subject]
        return [v for v in values if all(self.static_holds(t.predicate, (v, *t.args[1:])) != t.negated for t in mine)]

    @cached_property
    def skills_by_name(self) -> dict[str, SkillSpec]:
        return {s.name: s for s in self.skill_list}

    @cached_property
    def state_names(self) -> list[str]:
        """Every boolean state: those objects carry and those skills always test or set, sorted.

        (What a conditional effect alone speaks of, such as `hot` in the standard switch_on,
        counts only where an object carries it.)
        """
        carried = {s for o in self.objects for s in o.states}
        builtin = set(FLUENT_SIGNATURES) | set(STATIC_SIGNATURES)
        spoken = {
            lit.predicate
            for skill in self.skill_list
            for lit in skill.precondition_literals + skill.effect_literals
            if len(lit.args) == 1 and lit.predicate not in builtin
        }
        return sorted(carried | spoken)

    @cached_property
    def capabilities(self) -> set[str]:
        return {c for r in self.robots for c in self.kind_of(r.name).capabilities}

    def predicate_signature(self, predicate: str) -> Optional[tuple[str, ...]]:
        """Argument kinds of a predicate this world knows, or None."""
        if predicate in FLUENT_SIGNATURES:
            return FLUENT_SIGNATURES[predicate]
        if predicate in STATIC_SIGNATURES:
            return STATIC_SIGNATURES[predicate]
        if predicate in self.state_names:
            return ("object",)
        return None

    # ---- geometry ------------------------------------------------------------------------
    def straight_distance(self, a: str, b: str) -> float:
        pa, pb = self.places_by_name[a].xy, self.places_by_name[b].xy
        return math.dist(pa, pb)

    @cached_property
    def _neighbours(self) -> dict[str, list[tuple[str, float]]]:
        graph: dict[str, list[tuple[str, float]]] = {p.name: [] for p in self.places}
        if self.connections is None:
            for a in self.places:
                for b in self.places:
                    if a.name != b.name:
                        graph[a.name].append((b.name, self.straight_distance(a.name, b.name)))
        else:
            for edge in self.connections:
                a, b = edge.between
                length = edge.distance if edge.distance is not None else self.straight_distance(a, b)
                graph[a].append((b, length))
                graph[b].append((a, length))
        return graph

    @cached_property
    def _distance_cache(self) -> dict[str, dict[str, float]]:
        return {}

    def distances_from(self, source: str) -> dict[str, float]:
        """Shortest travel distance in metres from one place to every reachable place."""
        if source not in self._distance_cache:
            best = {source: 0.0}
            queue = [(0.0, source)]
            while queue:
                dist, here = heapq.heappop(queue)
                if dist > best[here]:
                    continue
                for there, length in self._neighbours[here]:
                    if dist + length < best.get(there, math.inf):
                        best[there] = dist + length
                        heapq.heappush(queue, (dist + length, there))
            self._distance_cache[source] = best
        return self._distance_cache[source]

    def distance(self, a: str, b: str) -> float:
        """Shortest travel distance in metres between two places (inf when unconnected)."""
        return self.distances_from(a).get(b, math.inf)

    # ---- static facts --------------------------------------------------------------------
    def can_reach(self, robot: str, place: str) -> bool:
        return set(self.places_by_name[place].requires) <= set(self.kind_of(robot).capabilities)

    def team_payload(self, kind: str) -> float:
        """Payload of the largest team of one kind the world allows to act together."""
        count = sum(1 for r in self.robots if r.kind == kind)
        return self.robot_kinds[kind].payload * min(count, self.max_coalition)

    def can_carry(self, robot: str, obj: str) -> bool:
        return self.objects_by_name[obj].mass <= self.team_payload(self.robots_by_name[robot].kind)

    def static_holds(self, predicate: str, args: tuple[str, ...]) -> bool:
        """Truth of a static predicate on world names."""
        if predicate == "has_state":
            obj = self.objects_by_name.get(args[0])
            return obj is not None and args[1] in obj.states
        if predicate == "can_reach":
            return args[0] in self.robots_by_name and args[1] in self.places_by_name and self.can_reach(*args)
        if predicate == "can_carry":
            return args[0] in self.robots_by_name and args[1] in self.objects_by_name and self.can_carry(*args)
        if predicate == "is_a":
            return args[0] in self.objects_by_name and args[1] in self.categories_of(args[0])
        raise KeyError(predicate)

    def param_domain(self, skill: SkillSpec, param: str) -> list[str]:
        """Every world name a skill parameter accepts."""
        spec = skill.parameters[param]
        if spec.kind == "robot":
            wanted = skill.capability_of(param)
            return [r.name for r in self.robots if wanted in self.kind_of(r.name).capabilities]
        if spec.kind == "place":
            return [p.name for p in self.places if spec.place_kinds is None or p.kind in spec.place_kinds]
        return [
            o.name
            for o in self.objects
            if (spec.types is None or o.type in spec.types)
            and (spec.pickable is None or o.pickable == spec.pickable)
            and (spec.receptacle is None or o.receptacle == spec.receptacle)
            and (spec.has_state is None or spec.has_state in o.states)
        ]

    def place_of_object(self, obj: str) -> Optional[str]:
        """The place an object sits at initially (through receptacles); None if a robot holds it."""
        seen: set[str] = set()
        location = self.objects_by_name[obj].location
        while location in self.objects_by_name and location not in seen:
            seen.add(location)
            location = self.objects_by_name[location].location
        if location in self.places_by_name:
            return location
        return None

    def describe(self) -> dict[str, Any]:
        """The world's vocabulary as plain data (what `describe-world --json` prints)."""
        return {
            "name": self.name,
            "description": self.description,
            "places": [{"name": p.name, "kind": p.kind, "xy": list(p.xy), "requires": p.requires} for p in self.places],
            "objects": [
                {
                    "name": o.name,
                    "type": o.type,
                    "location": o.location,
                    "states": o.states,
                    "mass": o.mass,
                    "pickable": o.pickable,
                    "receptacle": o.receptacle,
                }
                for o in self.objects
            ],
            "robots": [
                {
                    "name": r.name,
                    "kind": r.kind,
                    "capabilities": self.kind_of(r.name).capabilities,
                    "payload": self.kind_of(r.name).payload,
                    "speed": self.kind_of(r.name).speed,
                    "start": r.start,
                }
                for r in self.robots
            ],
            "skills": [
                {
                    "name": s.name,
                    "capability": s.capability,
                    "parameters": {n: p.model_dump(exclude_none=True) for n, p in s.parameters.items()},
                    "preconditions": s.preconditions,
                    "effects": s.effects,
                    "duration_s": s.duration_s,
                }
                for s in self.skill_list
            ],
            "predicates": {
                **{name: len(sig) for name, sig in FLUENT_SIGNATURES.items()},
                **{state: 1 for state in self.state_names},
            },
        }


# ---- loading ---------------------------------------------------------------------------------
ModelT = TypeVar("ModelT", bound=BaseModel)


def _render_loc(loc: tuple[Any, ...], raw: Any) -> str:
    """Turn a pydantic error location into `objects[3] (red_box).mass`."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node):
                node = node[key]
                if isinstance(node, dict) and isinstance(node.get("name"), str):
                    label += f" ({node['name']})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def issues_from_validation(err: ValidationError, raw: Any) -> list[Issue]:
    """One Issue per pydantic error, with the field path and what was expected."""
    issues = []
    for e in err.errors():
        message = e["msg"]
        if e["type"] not in ("missing", "extra_forbidden") and "input" in e:
            message += f" (got {e['input']!r})"
        if e["type"] == "extra_forbidden":
            message = "unknown field"
        issues.append(Issue(_render_loc(tuple(e["loc"]), raw), message))
    return issues


@functools.lru_cache(maxsize=64)
def _parse_yaml(path: str, mtime_ns: int, size: int) -> Any:
    """A YAML file's data, parsed once per version of the file (scenario generation reads the same ones often)."""
    return yaml.safe_load(Path(path).read_text())  # safe_load: YAML never builds Python objects


def load_yaml_model(path: Path, model: type[ModelT]) -> ModelT:
    """Read a YAML file into a pydantic model; raise WorldError naming the file and field path."""
    source = str(path)
    try:
        stat = Path(path).stat()
        raw = copy.deepcopy(_parse_yaml(source, stat.st_mtime_ns, stat.st_size))
    except OSError as err:
        raise WorldError([Issue("", f"cannot read file: {err.strerror}")], source) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise WorldError([Issue(where, f"invalid YAML: {problem}")], source) from None
    if not isinstance(raw, dict):
        raise WorldError([Issue("", f"expected a mapping at the top level, got {type(raw).__name__}")], source)
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise WorldError(issues_from_validation(err, raw), source) from None


def bundled_worlds() -> list[str]:
    """Names of the worlds that ship with Fleet."""
    return sorted(p.stem for p in WORLDS_DIR.glob("*.yaml"))


def resolve_world_path(name_or_path: str) -> Path:
    """A bundled world name or a path to a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    bundled = WORLDS_DIR / f"{name_or_path}.yaml"
    if bundled.exists():
        return bundled
    in_suite = sorted(WORLDS_DIR.glob(f"*/{name_or_path}.yaml"))  # a world of a suite (worlds/household/...)
    if len(in_suite) == 1:
        return in_suite[0]
    known = ", ".join(bundled_worlds())
    raise WorldError([Issue("", f"no bundled world named {name_or_path!r}; bundled worlds: {known}")])


def load_world(name_or_path: str) -> World:
    """Load and fully check a world (bundled name or YAML path); raise WorldError with every issue."""
    path = resolve_world_path(name_or_path)
    world = load_yaml_model(path, World)
    problems = check_world_references(world)
    if problems:
        raise WorldError(problems, str(path))
    return world


def world_from_dict(data: dict[str, Any], source: str = "<world>") -> World:
    """Build and check a world from already-parsed data (tests, generators, notebooks)."""
    try:
        world = World.model_validate(data)
    except ValidationError as err:
        raise WorldError(issues_from_validation(err, data), source) from None
    problems = check_world_references(world)
    if problems:
        raise WorldError(problems, source)
    return world


def check_world_references(world: World) -> list[Issue]:
    """Cross-reference checks pydantic cannot do field by field: names, locations, graph, skills."""
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for section in ("places", "objects", "robots"):
        for i, item in enumerate(getattr(world, section)):
            if item.name in seen:
                issues.append(Issue(f"{section}[{i}].name", f"{item.name!r} is already used by {seen[item.name]}"))
            else:
                seen[item.name] = f"{section}[{i}]"
    alias_owner: dict[str, str] = {}
    for section in ("places", "objects"):
        for i, item in enumerate(getattr(world, section)):
            for alias in item.aliases:
                where = f"{section}[{i}] ({item.name}).aliases"
                if not re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", alias):
                    issues.append(Issue(where, f"{alias!r}: an alias is lowercase words separated by single spaces"))
                elif alias in alias_owner and alias_owner[alias] != item.name:
                    issues.append(Issue(where, f"{alias!r} already stands for {alias_owner[alias]!r}: an alias must name one thing"))
                alias_owner.setdefault(alias, item.name)
    places, objects, robots = world.places_by_name, world.objects_by_name, world.robots_by_name

    if world.connections is not None:
        for i, edge in enumerate(world.connections):
            for end in edge.between:
                if end not in places:
                    issues.append(Issue(f"connections[{i}].between", f"unknown place {end!r}"))
    if not issues:
        reachable = world.distances_from(world.places[0].name)
        for i, place in enumerate(world.places):
            if place.name not in reachable:
                issues.append(
                    Issue(f"places[{i}] ({place.name})", f"cannot be reached from {world.places[0].name!r}: add a connection")
                )

    for i, obj in enumerate(world.objects):
        path = f"objects[{i}] ({obj.name})"
        if obj.location in objects:
            if not objects[obj.location].receptacle:
                issues.append(Issue(f"{path}.location", f"{obj.location!r} is not a receptacle (set receptacle: true)"))
        elif obj.location in robots:
            pass  # held from the start; one object per robot is checked below
        elif obj.location not in places:
            issues.append(Issue(f"{path}.location", f"unknown location {obj.location!r}: expected a place, a receptacle or a robot"))
        if obj.location in objects and world.place_of_object(obj.name) is None and obj.location not in robots:
            issues.append(Issue(f"{path}.location", "receptacles form a loop: the object is inside itself"))
        if obj.capacity is not None and not obj.receptacle:
            issues.append(Issue(f"{path}.capacity", "only a receptacle has a capacity (set receptacle: true)"))
        inside = [o.name for o in world.objects if o.location == obj.name]
        if obj.capacity is not None and len(inside) > obj.capacity:
            issues.append(Issue(f"{path}.capacity", f"holds {len(inside)} things at the start ({', '.join(inside)}), more than its capacity {obj.capacity}"))
    holders: dict[str, str] = {}
    for i, obj in enumerate(world.objects):
        if obj.location in robots:
            if obj.location in holders:
                issues.append(
                    Issue(f"objects[{i}] ({obj.name}).location", f"robot {obj.location!r} already holds {holders[obj.location]!r}")
                )
            holders[obj.location] = obj.name

    carried = {s for o in world.objects for s in o.states}
    for i, state_name in enumerate(world.tidy):
        if state_name not in carried:
            issues.append(Issue(f"tidy[{i}]", f"{state_name!r} is not a state any object carries ({', '.join(sorted(carried)) or 'none'})"))
    issues += _kept_in_issues(world)
    for i, robot in enumerate(world.robots):
        path = f"robots[{i}] ({robot.name})"
        if robot.kind not in world.robot_kinds:
            issues.append(Issue(f"{path}.kind", f"unknown robot kind {robot.kind!r}; kinds: {', '.join(world.robot_kinds)}"))
        if robot.start not in places:
            issues.append(Issue(f"{path}.start", f"unknown place {robot.start!r}"))
    if issues:
        return issues  # skill checks below need the names above to be sound

    try:
        skills = world.skill_list
    except WorldError as err:
        return [Issue("skill_libraries", issue.render(err.source)) for issue in err.issues]
    for skill in skills:
        kinds = {name: spec.kind for name, spec in skill.parameters.items()}
        scoped = [(lit, kinds, lit in skill.effect_literals) for lit in skill.precondition_literals + skill.effect_literals]
        for when in skill.conditional_effects:  # their variables range over objects
            inner = kinds | {v: "object" for v in when.variables}
            scoped += [(lit, inner, False) for lit in when.condition] + [(lit, inner, True) for lit in when.effects]
        for lit, kinds, is_effect in scoped:
            # a state skills speak of is a one-object predicate, whether or not an object here carries it
            signature = world.predicate_signature(lit.predicate) or (("object",) if len(lit.args) == 1 else None)
            where = f"skills ({skill.name})"
            if signature is None:
                issues.append(Issue(where, f"{lit}: unknown predicate {lit.predicate!r}"))
                continue
            if len(lit.args) != len(signature):
                issues.append(Issue(where, f"{lit}: {lit.predicate} takes {len(signature)} argument(s)"))
                continue
            args = lit.args[:1] if lit.predicate in NAMED_SECOND_ARGUMENT else lit.args
            for arg, kind in zip(args, signature):
                if kinds[arg] != kind:
                    issues.append(Issue(where, f"{lit}: {arg!r} is a {kinds[arg]}, {lit.predicate} expects a {kind}"))
            if lit.predicate in STATIC_SIGNATURES and is_effect:
                issues.append(Issue(where, f"{lit}: {lit.predicate} is fixed by the world and cannot be an effect"))
    return issues


def _kept_in_issues(world: World) -> list[Issue]:
    """Where-things-are-kept entries must speak of things here and name receptacles here."""
    issues: list[Issue] = []
    kinds = {k for o in world.objects for k in world.categories_of(o.name)} | set(world.objects_by_name)

    def unknown_homes(homes: list[str]) -> list[str]:
        return [
            home for home in homes
            if not any(world.objects_by_name[n].receptacle for n in world.matching("object", home))
            and not (home in world.objects_by_name and world.objects_by_name[home].receptacle)
        ]

    for key, homes in world.kept_in.items():
        if key not in kinds:
            issues.append(Issue(f"kept_in.{key}", f"{key!r} is no object, type or category in this world"))
        for home in unknown_homes(homes):
            issues.append(Issue(f"kept_in.{key}", f"{home!r} names no receptacle in this world"))
    for i, obj in enumerate(world.objects):
        for home in unknown_homes(obj.kept_in):
            issues.append(Issue(f"objects[{i}] ({obj.name}).kept_in", f"{home!r} names no receptacle in this world"))
    return issues
