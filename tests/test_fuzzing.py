"""Hostile input, generated: mission JSON, mission and world files, goal text and raw model output
explicit plans only ever give typed errors that say what was wrong, never a crash (small sizes; `make test`)."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fleet.config import PlannerConfig
from fleet.errors import FleetError
from fleet.goals import parse_goal
from fleet.missions import load_mission_set
from fleet.models import MissionSpec
from fleet.plan import Plan
from fleet.state import WorldState
from fleet.validate import check_plan
from fleet.world import load_world
from serve_apps.llm import GenerationResult
from serve_apps.planner import LanguagePlanner, PlanRequest

HOUSEHOLD = load_world("household")
NAMES = sorted({o.name for o in HOUSEHOLD.objects} | {p.name for p in HOUSEHOLD.places} | {r.name for r in HOUSEHOLD.robots})
PREDICATES = ["in", "on", "at", "open", "switched_on", "sliced", "clean", "broken", "holding", "robot_at", "all", "any"]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
_files = itertools.count()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.text(max_size=12) | st.sampled_from(NAMES),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# literal-shaped text: real predicates and names, in broken and unbroken forms
literals = st.builds(
    lambda neg, pred, args, close: f"{'not ' if neg else ''}{pred}({', '.join(args)}{')' if close else ''}",
    st.booleans(), st.sampled_from(PREDICATES) | st.text(max_size=6), st.lists(st.sampled_from(NAMES) | st.text(max_size=6), max_size=3),
    st.booleans(),
)
mission_keys = st.sampled_from(["text", "goal", "plan", "priority", "labels", "deadline_s", "tidy", "missions", "world", "split", "id", "tags", "state"])


SKILLS = sorted(HOUSEHOLD.skills_by_name)
ROLES = sorted({param for skill in HOUSEHOLD.skills_by_name.values() for param in skill.parameters} | {"nothing"})
# plan-shaped dicts: real skills, roles and names mixed with made-up ones, dependencies that may loop or dangle
plans = st.lists(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["a", "b", "c", "d"]), "skill": st.sampled_from(SKILLS) | st.text(max_size=6),
         "args": st.dictionaries(st.sampled_from(ROLES), st.sampled_from(NAMES) | st.text(max_size=6), max_size=4),
         "dependencies": st.lists(st.sampled_from(["a", "b", "c", "d", "zz"]), max_size=3)}
    ),
    max_size=4,
).map(lambda subtasks: {"subtasks": subtasks})


def _message(error: Exception) -> str:
    text = str(error)
    assert text.strip(), f"{type(error).__name__} without a message"
    return text


@FAST
@given(st.dictionaries(mission_keys, json_values | st.lists(literals, max_size=3), max_size=5) | json_values)
def test_mission_json_is_accepted_or_refused_with_a_validation_error(body):
    try:
        spec = MissionSpec.model_validate(body)
    except ValidationError as err:
        _message(err)
    else:
        assert sum(x is not None for x in (spec.text, spec.goal, spec.plan)) == 1


@FAST
@given(plans | st.dictionaries(st.sampled_from(["subtasks", "goal", "steps"]), json_values, max_size=3))
def test_explicit_plans_are_checked_or_refused_naming_every_problem(body):
    try:
        plan = check_plan(HOUSEHOLD, Plan.model_validate(body), None, WorldState.initial(HOUSEHOLD))
    except (FleetError, ValidationError) as err:
        _message(err)
    else:
        assert all(subtask.skill in SKILLS for subtask in plan.subtasks)


@FAST
@given(st.lists(literals | st.text(max_size=20), max_size=4))
def test_goal_text_parses_or_raises_a_fleet_error(goal):
    try:
        parsed = parse_goal(HOUSEHOLD, goal)
    except FleetError as err:
        _message(err)
    else:
        assert len(parsed) >= 1 or not goal


def _yaml_like(values) -> str:
    import yaml

    return yaml.safe_dump(values, default_flow_style=False)


yaml_texts = (
    st.text(max_size=200)
    | json_values.map(_yaml_like)
    | st.dictionaries(mission_keys, json_values | st.lists(st.dictionaries(mission_keys, json_values | literals, max_size=4), max_size=3), max_size=4).map(_yaml_like)
)


@FAST
@given(yaml_texts)
def test_mission_files_load_or_raise_a_fleet_error_naming_the_file(tmp_path, text):
    path = tmp_path / f"missions-{next(_files)}.yaml"
    path.write_text(text)
    try:
        load_mission_set(str(path), HOUSEHOLD)
    except FleetError as err:
        assert path.name in _message(err)


@FAST
@given(yaml_texts | st.dictionaries(st.sampled_from(["name", "places", "objects", "robots", "robot_kinds", "skills"]), json_values, max_size=6).map(_yaml_like))
def test_world_files_load_or_raise_a_fleet_error_naming_the_file(tmp_path, text):
    path = tmp_path / f"world-{next(_files)}.yaml"
    path.write_text(text)
    try:
        load_world(str(path))
    except FleetError as err:
        assert path.name in _message(err)


model_outputs = (
    st.text(max_size=80)
    | st.lists(literals, max_size=4).map(lambda goal: json.dumps({"goal": goal}))
    | json_values.map(json.dumps)
    | st.lists(literals, max_size=4).map(lambda goal: json.dumps({"goal": goal})[: len(goal) * 7])  # cut off mid-answer
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(model_outputs, min_size=1, max_size=3), st.sampled_from([
    "Put the apple in the fridge.", "Turn on the lamp and open the fridge.", "Wash the mug.", "Bring me the unicorn.",
]))
def test_raw_model_output_becomes_a_checked_plan_or_a_refusal_with_a_reason(answers, text):
    async def model(request):
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return GenerationResult(text=answer, new_tokens=max(1, len(answer) // 4), mean_logprob=-0.1, finished=True)

    response = asyncio.run(LanguagePlanner(PlannerConfig(), model).plan(PlanRequest(text=text, world=HOUSEHOLD)))
    if response.ok:
        assert response.plan is not None and parse_goal(HOUSEHOLD, response.goal)
    else:
        assert response.reason.strip()


@pytest.mark.parametrize("body", ["", "{", "[1, 2", '{"text": 5}', '{"goal": "open(fridge"}', "null", '"text"'])
def test_malformed_mission_json_names_the_problem(body):
    with pytest.raises((ValidationError, ValueError)) as err:
        MissionSpec.model_validate_json(body)
    assert _message(err.value)
