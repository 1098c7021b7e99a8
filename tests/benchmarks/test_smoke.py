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
