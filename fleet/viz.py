"""Plots and tables for notebooks: a world's map with robots and their paths, a mission's Gantt chart, adaptation curves.

    from fleet import viz
    viz.plot_map(fleet.world(), fleet.robots(), result)   # places, robots, the paths they drove
    viz.plot_gantt(result)                                  # one row per robot, a bar per subtask
    viz.plot_adaptation(report)                             # benchmarks.online_adaptation's JSON

Each function draws on `ax` (a new figure when none) and returns the axes. Tables are HTML
strings that notebooks show: `MissionResult` and `fleet.robots()` render with them.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

if TYPE_CHECKING:
    from fleet.models import MissionResult, RobotStatus
    from fleet.world import World


def _axes(ax, size: tuple[float, float]):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_map(world: "World", robots: Optional[Sequence["RobotStatus"]] = None, result: Optional["MissionResult"] = None, ax=None):
    """Places (by kind) and their connections, robots where they are, and the path each robot of a mission drove."""
    ax = _axes(ax, (8, 6))
    places = world.places_by_name
    pairs = (c.between for c in world.connections) if world.connections else ()
    for a, b in pairs:
        (xa, ya), (xb, yb) = places[a].xy, places[b].xy
        ax.plot([xa, xb], [ya, yb], color="0.85", linewidth=1, zorder=1)
    kinds = sorted({p.kind for p in world.places})
    for kind in kinds:
        xs, ys = zip(*(p.xy for p in world.places if p.kind == kind))
        ax.scatter(xs, ys, s=60, marker="s", label=kind, zorder=2)
    for place in world.places:
        ax.annotate(place.name, place.xy, textcoords="offset points", xytext=(4, 4), fontsize=7, color="0.3")
    if result is not None:
        for robot, stops in _paths(world, result).items():
            xs, ys = zip(*(places[p].xy for p in stops))
            ax.plot(xs, ys, linewidth=2, alpha=0.7, zorder=3, label=f"path {robot}")
    for i, robot in enumerate(robots or []):
        x, y = places[robot.place].xy
        ax.scatter([x], [y], s=140, marker="o", edgecolors="black", zorder=4, color="white" if robot.alive else "red")
        ax.annotate(robot.name, (x, y), textcoords="offset points", xytext=(-10, -12 - 8 * (i % 2)), fontsize=8, weight="bold")
    ax.set_title(f"{world.name}: places, robots and paths")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=7, loc="best")
    return ax


def _paths(world: "World", result: "MissionResult") -> dict[str, list[str]]:
    """Each robot's stops in a mission: where it started, then every subtask's place in time order."""
    starts = {r.name: r.start for r in world.robots}
    stops: dict[str, list[tuple[float, str]]] = {}
    for state in result.subtasks:
        place = state.args.get("place")
        if place in world.places_by_name and state.started_at is not None:
            for robot in state.robots:
                stops.setdefault(robot, []).append((state.started_at, place))
    return {robot: [starts.get(robot, visits[0][1])] + [p for _, p in sorted(visits)] for robot, visits in stops.items()}


def plot_gantt(result: "MissionResult", ax=None):
    """One row per robot, one bar per subtask it worked on, in simulated seconds from the mission's start."""
    ax = _axes(ax, (9, 3.5))
    origin = result.started_at or result.submitted_at
    robots = sorted({r for s in result.subtasks for r in s.robots})
    skills = sorted({s.skill for s in result.subtasks})
    colours = {skill: f"C{i % 10}" for i, skill in enumerate(skills)}
    for state in result.subtasks:
        if state.started_at is None or state.finished_at is None:
            continue
        start = (state.started_at - origin) * result.time_scale
        width = max((state.finished_at - state.started_at) * result.time_scale, 0.5)
        for robot in state.robots:
            row = robots.index(robot)
            ax.barh(row, width, left=start, color=colours[state.skill], edgecolor="black", hatch="//" if state.attempts > 1 else None)
            ax.text(start + width / 2, row, state.id, ha="center", va="center", fontsize=7)
    ax.set_yticks(range(len(robots)), robots)
    ax.set_xlabel("simulated seconds since the mission started")
    ax.set_title(f"mission {result.id}: {result.status.value}")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=s) for s, c in colours.items()], fontsize=7, loc="lower right")
    return ax


def plot_adaptation(report: dict[str, Any], metric: str = "first_try_success", ax=None):
    """A metric per window of missions for every run of the online adaptation benchmark, with the drift marked."""
    ax = _axes(ax, (8, 4))
    window = report["window"]
    for run, figures in report["runs"].items():
        values = figures[metric]
        ax.plot([window * (i + 0.5) for i in range(len(values))], values, marker="o", label=run)
    ax.axvline(report["drift_at"], color="red", linestyle="--", label="drift")
    ax.set_xlabel("missions")
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(f"{metric.replace('_', ' ')} per window of {window} missions")
    ax.legend()
    return ax


def html_table(rows: Iterable[dict[str, Any]], columns: Optional[list[str]] = None) -> str:
    """Rows of dicts as an HTML table (the columns of the first row unless given)."""
    rows = list(rows)
    columns = columns or (list(rows[0]) if rows else [])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row.get(c)))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(getattr(value, "value", value))
