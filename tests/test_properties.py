"""Property tests: random world edits and random plans give typed errors, never crashes."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleet.errors import WorldError
from fleet.plan import Plan, Subtask
from fleet.validate import PlanIssue, validate_plan
from fleet.world import World, load_world, world_from_dict
import yaml
from fleet.world import WORLDS_DIR

WAREHOUSE_RAW = yaml.safe_load((WORLDS_DIR / "warehouse.yaml").read_text())
WAREHOUSE = load_world("warehouse")

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["shelf_a", "red_box", "amr_1", "charger", "open", "pick", "robot"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node, prefix=()):
    """Every (container, key) pair inside a nested structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield prefix + (index,)
            yield from _paths(value, prefix + (index,))


ALL_PATHS = list(_paths(WAREHOUSE_RAW))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(ALL_PATHS), st.sampled_from(["set", "delete"]), junk), min_size=1, max_size=4))
def test_random_world_edits_load_or_raise_world_error(edits):
    data = copy.deepcopy(WAREHOUSE_RAW)
    for path, action, value in edits:
        node = data
        try:
            for key in path[:-1]:
                node = node[key]
            if action == "delete":
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    try:
        world = world_from_dict(data, "edited.yaml")
    except WorldError as err:
        assert err.issues and all(issue.message for issue in err.issues)
        return
    assert isinstance(world, World)


NAMES = [p.name for p in WAREHOUSE.places] + [o.name for o in WAREHOUSE.objects] + [r.name for r in WAREHOUSE.robots]
SKILLS = [s.name for s in WAREHOUSE.skill_list] + ["fly_to_moon"]
PARAMS = sorted({p for s in WAREHOUSE.skill_list for p in s.parameters} | {"bogus"})


@st.composite
def random_plans(draw):
    count = draw(st.integers(0, 6))
    ids = [f"s{i}" for i in range(count)]
    subtasks = []
    for sid in ids:
        skill = draw(st.sampled_from(SKILLS))
        spec = WAREHOUSE.skills_by_name.get(skill)
        params = list(spec.parameters) if spec else PARAMS
        keys = draw(st.lists(st.sampled_from(params + ["bogus"]), max_size=5, unique=True))
        args = {k: draw(st.sampled_from(NAMES + ["nowhere"])) for k in keys}
        deps = draw(st.lists(st.sampled_from(ids + ["ghost"]), max_size=2, unique=True))
        subtasks.append(Subtask(id=sid, skill=skill, args=args, dependencies=deps))
    return Plan(subtasks=subtasks)


@settings(max_examples=200, deadline=None)
@given(plan=random_plans())
def test_random_plans_give_typed_issues(plan):
    resolved, issues = validate_plan(WAREHOUSE, plan)
    assert all(isinstance(i, PlanIssue) and i.message for i in issues)
    if not issues:
        assert all(s.roles for s in resolved.subtasks)
