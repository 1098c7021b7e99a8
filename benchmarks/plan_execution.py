"""Whether accepted plans run to their goals, and how cheap they are against an optimal planner.

For every mission goal in the mission files (all of `examples/missions/` by default), the goal
is planned, validated and executed in the simulation core under each allocation policy, faults
off. Plan cost (the sum of the steps' action costs, see `fleet.planning`) is compared with Fast
Downward's optimal search (A* with LM-cut) on the goals it proves within `--optimal-timeout`.

Run:
    .venv/bin/python -m benchmarks.plan_execution --json
    .venv/bin/python -m benchmarks.plan_execution --world household --missions examples/missions/household.yaml --json
    .venv/bin/python -m benchmarks.plan_execution --suite examples/missions/household --json

It prints one JSON object: `goals`, `planned`, `refused` (with reasons), `planning_s` (median,
p95), `cost_ratio` (median, max, goals compared), `plan_length` (mean) and a `policies` map with,
per policy, `goals`, `planned`, `executed_ok`, `blocked` and `ok_rate` (executed_ok / planned),
and `by_split` (mission files marked `split: dev` or `held_out`): goals, planned, and how many
ran to their goal under every policy. Expect `ok_rate` 1.0 for every policy and a median cost ratio of 1.0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any, Optional

POLICIES = ("auction", "greedy", "optimal", "learned")


def _quantile(values: list[float], q: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def _goals(missions: list[str], world_name: Optional[str]) -> list[tuple[str, str, list[str], list[str], bool, Optional[str]]]:
    """(world, mission id, goal, starting state literals, tidy, split) for every mission with a goal in the files."""
    from fleet.missions import load_mission_set

    found = []
    for path in missions:
        mission_set = load_mission_set(path)
        if world_name and mission_set.world not in (None, world_name):
            continue  # written for another world
        world = world_name or mission_set.world or Path(path).stem.split("_")[0]
        for i, entry in enumerate(mission_set.missions):
            if entry.goal:
                found.append((world, entry.id or f"{Path(path).stem}:{i}", entry.goal, entry.state, entry.tidy, mission_set.split))
    return found


def run(missions: list[str], world_name: Optional[str] = None, policies: tuple[str, ...] = POLICIES, optimal_timeout: float = 10.0) -> dict[str, Any]:
    """Plan, validate and execute every goal under every policy; compare plan costs with the optimum."""
    from fleet.errors import FleetError
    from fleet.goals import parse_goal
    from fleet.planning import plan_cost, plan_goal
    from fleet.sim import Simulation
    from fleet.state import WorldState
    from fleet.world import load_world
    from policies.base import make_policy

    worlds: dict[str, Any] = {}
    rows = []
    per_policy = {name: {"goals": 0, "planned": 0, "executed_ok": 0, "blocked": 0} for name in policies}
    refused: list[dict[str, str]] = []
    planning_s, ratios, lengths = [], [], []
    for world_name_, mission_id, goal, start, tidy, split in _goals(missions, world_name):
        world = worlds.setdefault(world_name_, load_world(world_name_))
        for stats in per_policy.values():
            stats["goals"] += 1
        try:
            literals = parse_goal(world, goal)
            state = WorldState.initial(world).with_facts(parse_goal(world, start)) if start else None
            started = time.perf_counter()
            plan = plan_goal(world, literals, state, tidy=tidy)
            planning_s.append(time.perf_counter() - started)
        except (FleetError, ValueError) as err:
            refused.append({"mission": mission_id, "split": split, "reason": str(err)})
            continue
        lengths.append(len(plan.subtasks))
        row: dict[str, Any] = {
            "mission": mission_id, "world": world_name_, "split": split, "steps": len(plan.subtasks), "cost": plan_cost(world, plan)
        }
        try:
            best = plan_goal(world, literals, state, timeout_s=optimal_timeout, optimal=True, tidy=tidy)
            row["optimal_cost"] = plan_cost(world, best)
            if row["optimal_cost"]:
                ratios.append(row["cost"] / row["optimal_cost"])
        except FleetError:
            row["optimal_cost"] = None  # not proved in time
        for name in policies:
            policy = make_policy(name)
            result = Simulation(world, state=state).dispatch(plan, lambda q, r: policy.assign(world, q, r), literals)
            stats = per_policy[name]
            stats["planned"] += 1
            stats["executed_ok"] += int(result.succeeded)
            stats["blocked"] += int(any(f.startswith("blocked") for s in result.subtasks for f in s.failures))
            row[name] = {"ok": result.succeeded, "makespan_s": round(result.makespan_s, 1)}
        rows.append(row)
    for stats in per_policy.values():
        stats["ok_rate"] = round(stats["executed_ok"] / stats["planned"], 4) if stats["planned"] else None
    by_split: dict[str, dict[str, int]] = {}
    for row in rows:
        split = by_split.setdefault(str(row["split"]), {"goals": 0, "planned": 0, "executed_ok_every_policy": 0})
        split["goals"] += 1
        split["planned"] += 1
        split["executed_ok_every_policy"] += int(all(row[name]["ok"] for name in policies))
    for refusal in refused:
        by_split.setdefault(str(refusal["split"]), {"goals": 0, "planned": 0, "executed_ok_every_policy": 0})["goals"] += 1
    return {
        "goals": len(rows) + len(refused),
        "planned": len(rows),
        "refused": refused,
        "planning_s": {"median": _quantile(planning_s, 0.5), "p95": _quantile(planning_s, 0.95)},
        "cost_ratio": {
            "median": round(statistics.median(ratios), 4) if ratios else None,
            "max": round(max(ratios), 4) if ratios else None,
            "compared": len(ratios),
        },
        "plan_length": {"mean": round(statistics.mean(lengths), 2) if lengths else None},
        "policies": per_policy,
        "by_split": by_split,
        "rows": rows,
    }


def main(argv: Optional[list[str]] = None) -> int:
    from fleet.missions import MISSIONS_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--missions", action="append", help="a mission file (repeatable); default: every file in examples/missions/")
    parser.add_argument("--suite", action="append", help="a folder of mission files, each naming its world (repeatable), e.g. examples/missions/household")
    parser.add_argument("--world", help="run every goal against this world (a bundled name or a YAML path)")
    parser.add_argument("--policy", action="append", choices=POLICIES, help="a policy (repeatable); default: all")
    parser.add_argument("--optimal-timeout", type=float, default=10.0, help="seconds the optimal planner gets per goal")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.optimal_timeout <= 0:
        parser.error("--optimal-timeout must be positive")
    for folder in args.suite or []:
        if not Path(folder).is_dir():
            parser.error(f"no suite folder {folder}")
    suites = [str(p) for folder in args.suite or [] for p in sorted(Path(folder).glob("*.yaml"))]
    missions = (args.missions or []) + suites or sorted(str(p) for p in MISSIONS_DIR.glob("*.yaml"))
    for path in missions:
        if not Path(path).is_file():
            parser.error(f"no mission file {path}")
    result = run(missions, args.world, tuple(args.policy or POLICIES), args.optimal_timeout)
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
