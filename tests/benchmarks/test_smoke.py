"""A short run of each benchmark: it runs and prints the JSON it promises (figures come from full runs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_runtime_overhead_smoke():
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.runtime_overhead", "--subtasks", "5", "--robots", "1", "--repeats", "1", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    row = data["by_robots"]["1"]
    assert row["runtime_ms_per_subtask"] > row["sim_core_ms_per_subtask"] > 0
    assert row["overhead_ms_per_subtask"] > 0


def test_planning_quality_smoke(tmp_path):
    missions = tmp_path / "two.yaml"
    missions.write_text(
        "missions:\n"
        "  - {id: a, text: 'Open the fridge.', goal: ['open(fridge)']}\n"
        "  - {id: b, text: 'Bring me the unicorn.', goal: ['switched_on(lamp)']}\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.planning_quality", "--world", "household", "--missions", str(missions), "--json"],
        capture_output=True, text=True, timeout=400,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["missions"] == 2 and [r["id"] for r in data["rows"]] == ["a", "b"]
    refused = data["rows"][1]
    assert not refused["plan_valid"] and not refused["success"] and "names nothing" in refused["reason"]
    for key in ("schema_valid_rate", "plan_valid_rate", "executed_rate", "success_rate"):
        assert 0 <= data[key] <= 0.5  # the unicorn cannot count


def test_planner_throughput_smoke():
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.planner_throughput", "--concurrency", "1", "2", "--rounds", "1", "--json"],
        capture_output=True, text=True, timeout=400,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    for key in ("raw_tok_s", "serve_tok_s", "serve_p50_s", "serve_p99_s"):
        assert set(data[key]) == {"1", "2"} and all(v > 0 for v in data[key].values())
    assert data["serve_p99_s"]["2"] >= data["serve_p50_s"]["2"]


def test_allocation_quality_smoke():
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.allocation_quality", "--small", "1", "--medium", "0", "--large", "0",
         "--time-limit", "5", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["instances"] == 4 and data["reference"]["instances"] == 4
    for name in ("greedy", "optimal", "auction"):
        figures = data["policies"][name]
        assert figures["mean_makespan_ratio"] >= 1.0 - 1e-6  # nothing beats the best known
        assert figures["mean_makespan_s"] > 0 and figures["decision_ms_per_subtask"] > 0
    bad = subprocess.run([sys.executable, "-m", "benchmarks.allocation_quality", "--policies", "nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown policy 'nope'" in bad.stderr


def test_online_adaptation_smoke():
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.online_adaptation", "--missions", "6", "--drift-at", "2", "--window", "3", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data["drift_at"] == 2 and data["window"] == 3
    for run in ("static", "estimates"):
        figures = data["runs"][run]
        assert len(figures["first_try_success"]) == 2 and all(0 <= x <= 1 for x in figures["first_try_success"])
        assert len(figures["mission_success"]) == 2 and len(figures["mean_makespan_s"]) == 2
