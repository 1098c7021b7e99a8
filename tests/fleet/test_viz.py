"""Notebook plots and tables: what they draw from a mission, a fleet and a benchmark report."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display in tests

import matplotlib.pyplot as plt
import pytest

from fleet import viz
from fleet.models import MissionResult, MissionSpec, MissionStatus, RobotStatus, RobotTable, SubtaskState, SubtaskStatus


@pytest.fixture
def result(warehouse) -> MissionResult:
    """A finished two-robot mission over places of the warehouse (the first robot's work starts later)."""
    first, second = warehouse.robots[0].name, warehouse.robots[1].name
    a, b, c = (p.name for p in warehouse.places[:3])
    subtasks = [
        SubtaskState(id="s2", skill="go", args={"place": b}, robots=[first], status=SubtaskStatus.SUCCEEDED, started_at=105.0, finished_at=106.0),
        SubtaskState(id="s1", skill="go", args={"place": a}, robots=[first], status=SubtaskStatus.SUCCEEDED, started_at=101.0, finished_at=102.0, attempts=2),
        SubtaskState(id="s3", skill="lift", args={"place": c}, robots=[first, second], status=SubtaskStatus.SUCCEEDED, started_at=106.0, finished_at=108.0),
        SubtaskState(id="s4", skill="lift", args={}, robots=[second], status=SubtaskStatus.SKIPPED),
    ]
    return MissionResult(
        id="m1", status=MissionStatus.SUCCEEDED, spec=MissionSpec(goal=["x"]), goal=["at(<box>, dock)"],
        subtasks=subtasks, submitted_at=100.0, started_at=101.0, finished_at=108.0, time_scale=10.0,
    )


def test_paths_start_where_the_robot_starts_and_follow_time_order(warehouse, result):
    first, second = warehouse.robots[0], warehouse.robots[1]
    a, b, c = (p.name for p in warehouse.places[:3])
    paths = viz._paths(warehouse, result)
    assert paths == {first.name: [first.start, a, b, c], second.name: [second.start, c]}


def test_map_draws_every_place_robot_and_path(warehouse, result):
    robots = [RobotStatus(name=r.name, kind=r.kind, place=r.start, battery_wh=1.0, battery_fraction=1.0) for r in warehouse.robots]
    ax = viz.plot_map(warehouse, robots, result)
    labels = {t.get_text() for t in ax.texts}
    assert {p.name for p in warehouse.places} | {r.name for r in warehouse.robots} <= labels
    paths = [line for line in ax.get_lines() if line.get_label().startswith("path ")]
    assert sorted(line.get_label() for line in paths) == sorted(f"path {r}" for r in viz._paths(warehouse, result))
    plt.close("all")


def test_gantt_has_a_row_per_robot_and_a_bar_per_robot_and_executed_subtask(warehouse, result):
    ax = viz.plot_gantt(result)
    assert [t.get_text() for t in ax.get_yticklabels()] == sorted({warehouse.robots[0].name, warehouse.robots[1].name})
    bars = ax.patches
    assert len(bars) == 4  # s1, s2 and s3 twice (a team); s4 never ran
    starts = sorted(round(bar.get_x(), 6) for bar in bars)
    assert starts == [0.0, 40.0, 50.0, 50.0]  # simulated seconds from the mission's start (x10)
    assert sum(bar.get_hatch() == "//" for bar in bars) == 1  # the subtask that took two attempts
    plt.close("all")


def test_adaptation_plots_each_run_per_window_with_the_drift():
    report = {"drift_at": 20, "window": 10, "runs": {"static": {"first_try_success": [1.0, 0.9, 0.7]}, "learned": {"first_try_success": [1.0, 0.9, 0.95]}}}
    ax = viz.plot_adaptation(report)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["static"].get_xdata()) == [5.0, 15.0, 25.0]
    assert list(lines["learned"].get_ydata()) == [1.0, 0.9, 0.95]
    assert list(lines["drift"].get_xdata()) == [20, 20]
    with pytest.raises(KeyError):
        viz.plot_adaptation(report, metric="no_such_metric")
    plt.close("all")


def test_tables_escape_and_format_their_cells(result):
    html = result._repr_html_()
    assert "&lt;box&gt;" in html and "<box>" not in html
    assert html.count("<tr>") == 1 + len(result.subtasks)
    assert "succeeded" in html and "70.0 s" in html  # makespan in simulated seconds
    table = viz.html_table([{"a": 1.23456, "b": ["x", "y"], "c": None}, {"a": 12345.6, "b": {"k": 1}, "c": "<i>"}])
    assert "<td>1.23</td><td>x, y</td><td></td>" in table and "<td>12346</td><td>k=1</td><td>&lt;i&gt;</td>" in table
    assert viz.html_table([]) == "<table><thead><tr></tr></thead><tbody></tbody></table>"


def test_robot_table_is_a_list_that_renders_one_row_per_robot(warehouse):
    robots = RobotTable(RobotStatus(name=r.name, kind=r.kind, place=r.start, battery_wh=1.0, battery_fraction=0.5) for r in warehouse.robots)
    assert isinstance(robots, list) and robots[0].name == warehouse.robots[0].name
    html = robots._repr_html_()
    assert html.count("<tr>") == 1 + len(warehouse.robots) and "<th>battery_fraction</th>" in html
