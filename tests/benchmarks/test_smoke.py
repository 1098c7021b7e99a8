"""A short run of each benchmark: it runs and prints the JSON it promises (figures come from full runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def benchmark(name: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run `python -m benchmarks.<name> ARGS`, capturing its output."""
    return subprocess.run([sys.executable, "-m", f"benchmarks.{name}", *args], capture_output=True, text=True, timeout=timeout)


def printed_json(out: subprocess.CompletedProcess) -> dict:
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_runtime_overhead_smoke():
    data = printed_json(benchmark("runtime_overhead", "--subtasks", "5", "--robots", "1", "--repeats", "1", "--json"))
    row = data["by_robots"]["1"]
    assert row["runtime_ms_per_subtask"] > row["sim_core_ms_per_subtask"] > 0
    assert row["overhead_ms_per_subtask"] > 0


def test_planning_quality_smoke(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "household.yaml").write_text(
        "world: household\nsplit: dev\n"
        "missions:\n"
        "  - {id: a, text: 'Open the fridge.', goal: ['open(fridge)'], tags: [single]}\n"
        "  - {id: b, text: 'Bring me the unicorn.', goal: ['switched_on(lamp)'], tags: [single]}\n"
        "  - {id: d, text: 'Slice the fridge.', tags: [impossible]}\n"
    )
    (suite / "galley.yaml").write_text(
        "world: galley_kitchen\nsplit: held_out\n"
        "missions:\n"
        "  - {id: c, text: 'Turn off the microwave.', goal: ['not switched_on(microwave)'],"
        " state: ['switched_on(microwave)'], tags: [single, state]}\n"
    )
    data = printed_json(benchmark("planning_quality", "--suite", str(suite), "--json", timeout=400))
    assert data["missions"] == 4 and [r["id"] for r in data["rows"]] == ["c", "a", "b", "d"]
    refused = data["rows"][2]
    assert not refused["plan_valid"] and not refused["success"] and "nothing called 'unicorn'" in refused["reason"]
    for key in ("schema_valid_rate", "plan_valid_rate", "executed_rate", "success_rate"):
        assert 0 <= data[key] <= 0.75  # the unicorn cannot count
    assert set(data["by_world"]) == {"household", "galley_kitchen"} and data["by_world"]["household"]["missions"] == 3
    # a request that cannot be done succeeds when refused, and is scored apart from its split
    assert data["rows"][3]["success"] and data["by_split"]["dev/impossible"]["success_rate"] == 1.0
    assert set(data["by_split"]) == {"dev", "held_out", "dev/impossible"} and data["by_tag"]["state"]["missions"] == 1
    # mission c starts with the microwave running: a plan is needed, and success is judged from that state
    state_row = data["rows"][0]
    assert state_row["understood"] == ["not switched_on(microwave)"] and state_row["success"] and state_row["steps"] >= 1
    assert data["wrong_accept_rate"] == round(sum(r["plan_valid"] and not r["success"] for r in data["rows"]) / 4, 3)
    bad = benchmark("planning_quality", "--json")
    assert bad.returncode == 2 and "give --missions FILE or --suite DIR" in bad.stderr


def test_planner_throughput_smoke():
    data = printed_json(benchmark("planner_throughput", "--engines", "openvino", "--rounds", "1", "--no-success", "--json", timeout=400))
    figures = data["engines"]["openvino"]
    assert data["default_engine"] == "openvino" and figures["c1_p99_s"] >= figures["c1_p50_s"] > 0
    assert figures["c16_requests_per_s"] > 0 and figures["tokens_per_s"] > 0 and 0 < figures["rss_gb"] < 8


def test_allocation_quality_smoke():
    data = printed_json(
        benchmark("allocation_quality", "--small", "1", "--medium", "0", "--large", "0", "--time-limit", "5", "--json")
    )
    assert data["instances"] == 4 and data["reference"]["instances"] == 4
    for name in ("greedy", "optimal", "auction"):
        figures = data["policies"][name]
        assert figures["mean_makespan_ratio"] >= 1.0 - 1e-6  # nothing beats the best known
        assert figures["mean_makespan_s"] > 0 and figures["decision_ms_per_subtask"] > 0
    bad = benchmark("allocation_quality", "--policies", "nope")
    assert bad.returncode == 2 and "unknown policy 'nope'" in bad.stderr
    bad = benchmark("allocation_quality", "--small", "-1")
    assert bad.returncode == 2 and "instance counts must be 0 or more" in bad.stderr


def test_online_adaptation_smoke():
    data = printed_json(
        benchmark("online_adaptation", "--missions", "6", "--drift-at", "2", "--window", "3", "--retrain-every", "4", "--json")
    )
    assert data["drift_at"] == 2 and data["window"] == 3
    for run in ("static", "estimates", "learned"):
        figures = data["runs"][run]
        assert len(figures["first_try_success"]) == 2 and all(0 <= x <= 1 for x in figures["first_try_success"])
        assert len(figures["mission_success"]) == 2 and len(figures["mean_makespan_s"]) == 2
        assert set(data["summary"][run]) == {"pre_drift", "first_window_after", "after_drift"}
    assert [v["version"] for v in data["versions"]] == [1] and data["versions"][0]["from_mission"] == 4
    bad = benchmark("online_adaptation", "--robot", "ghost")
    assert bad.returncode == 2 and "--robot 'ghost' is not in the fleet" in bad.stderr
    bad = benchmark("online_adaptation", "--window", "0")
    assert bad.returncode == 2 and "--window and --retrain-every must be 1 or more" in bad.stderr
    bad = benchmark("online_adaptation", "--runs", "static,psychic")
    assert bad.returncode == 2 and "unknown runs ['psychic']" in bad.stderr


def test_plan_execution_smoke(tmp_path):
    missions = tmp_path / "two.yaml"
    missions.write_text(
        "world: household\n"
        "missions:\n"
        "  - {id: a, goal: ['in(apple, fridge)', 'in(plate, fridge)', 'not open(fridge)']}\n"
        "  - {id: b, goal: ['at(fridge, bedroom)']}\n"
    )
    data = printed_json(benchmark("plan_execution", "--missions", str(missions), "--policy", "auction", "--policy", "greedy", "--json"))
    assert data["goals"] == 2 and data["planned"] == 1
    assert "cannot be picked up" in data["refused"][0]["reason"]
    for name in ("auction", "greedy"):
        assert data["policies"][name] == {"goals": 2, "planned": 1, "executed_ok": 1, "blocked": 0, "ok_rate": 1.0}
    assert data["cost_ratio"]["compared"] == 1 and data["cost_ratio"]["median"] >= 1.0
    bad = benchmark("plan_execution", "--missions", str(tmp_path / "missing.yaml"))
    assert bad.returncode != 0 and "no mission file" in bad.stderr


def test_planner_training_suite_trains_only_on_the_split_asked_for():
    from benchmarks.planner_training import suite_worlds

    folders = ["examples/missions/household", "examples/missions/household_impossible"]
    dev, held_out = suite_worlds(folders, "dev"), suite_worlds(folders, "held_out")
    assert dev and held_out and not set(dev) & set(held_out)
    # each world brings its people's requests and its can't-do requests, nothing of the other split
    assert all(len(files) == 2 and all(world in Path(f).stem for f in files) for world, files in dev.items())
    assert suite_worlds(folders, "no_such_split") == {}
