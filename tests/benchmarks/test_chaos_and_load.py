"""Small runs of the chaos and load benchmarks on the test session's Ray: faults of each kind, and a burst past the queue limit."""

from __future__ import annotations

import pytest

from benchmarks.chaos import fault_schedule, mission_specs, run_fleet
from benchmarks.load import run_load

pytestmark = pytest.mark.integration


def test_missions_survive_one_fault_of_each_kind_and_nothing_is_lost_or_applied_twice(ray_session, planner_app):
    report = run_fleet(
        missions=10, faults=["robot", "coordinator", "planner", "redis"], seed=3, redis="embedded", text_every=5,
        time_scale=100.0, interval_s=0.5, redis_down_s=1.0, timeout_s=300.0,
    )
    assert sorted(f["kind"] for f in report["faults"]) == ["coordinator", "planner", "redis", "robot"]
    assert not report["fault_errors"] and all("skipped" not in f for f in report["faults"]), report["faults"]
    assert report["missions_submitted"] == report["missions_terminal"] == 10, report
    assert report["missions_lost"] == report["subtasks_lost"] == report["effects_applied_twice"] == 0, report
    assert report["attempts_applied"] > 0
    assert report["missions_succeeded"] >= 9, report["failures"]
    assert all(f["error"] for f in report["failures"])
    restarted = {f["kind"]: f["restart_s"] for f in report["faults"] if "restart_s" in f}
    assert set(restarted) == {"coordinator", "planner", "redis"} and all(s > 0 for s in restarted.values())


def test_an_external_redis_killed_and_restarted_loses_nothing(ray_session):
    report = run_fleet(
        missions=6, faults=["redis"], seed=1, redis="external", text_every=0,
        time_scale=100.0, interval_s=0.3, redis_down_s=1.0, timeout_s=300.0,
    )
    assert [f["kind"] for f in report["faults"]] == ["redis"] and not report["fault_errors"]
    assert report["missions_terminal"] == report["missions_succeeded"] == 6, report
    assert report["missions_lost"] == report["subtasks_lost"] == report["effects_applied_twice"] == 0


def test_a_burst_past_the_queue_limit_is_refused_with_back_pressure_and_memory_stays_bounded(ray_session):
    report = run_load(missions=40, max_in_progress=8, kept=5, fsync="always", time_scale=1000.0, http_threads=8, timeout_s=300.0)
    assert report["submitted"] == 40 and report["accepted"] + report["refused"] == 40, report
    assert report["refused"] > 0 and report["accepted"] >= 8 and not report["other_answers"]
    assert report["lost"] == 0 and report["terminal"] == report["accepted"] == report["missions_in_store"]
    assert report["missions_in_memory"]["after"] <= 5  # finished missions went to Redis
    assert 0 < report["submit_p50_s"] <= report["submit_p99_s"]


def test_fault_moments_are_seeded_and_apart_and_missions_mix_goals_and_text():
    first = fault_schedule(["robot", "redis", "coordinator"], 10.0, seed=4)
    assert first == fault_schedule(["robot", "redis", "coordinator"], 10.0, seed=4)
    assert sorted(kind for _, kind in first) == ["coordinator", "redis", "robot"]
    moments = [at for at, _ in first]
    assert all(b - a >= 3.0 for a, b in zip(moments, moments[1:])) and moments[0] >= 1.0
    specs = mission_specs(10, text_every=5)
    assert [("text" in s) for s in specs].count(True) == 2 and all(("goal" in s) != ("text" in s) for s in specs)
