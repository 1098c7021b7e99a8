"""Allocation quality: every policy on the same seeded instances, against the best-known makespan.

Generates warehouse instances (`fleet.scenarios`) from small (a few robots, exact reference
solvable) to large (100 robots, 1,000 subtasks), runs each allocation policy on each instance
through the simulation core in virtual time, and solves the small instances exactly with
OR-Tools CP-SAT (time-limited; its status says whether the reference is proven optimal). Small
instances start fully charged, so no robot needs to charge and the reference's model (which
leaves charging out) matches the simulation; larger ones start between half and full charge.

Run:
    .venv/bin/python -m benchmarks.allocation_quality --json
    .venv/bin/python -m benchmarks.allocation_quality --small 4 --medium 1 --large 0 --json   # a quick look

It prints one JSON object: `instances`, and `policies` mapping each policy to
`mean_makespan_ratio` (makespan over best-known, small instances), `mean_makespan_s`,
`decision_ms_per_subtask` (median at the largest size run), travel, energy, charges and
per-size figures; `rows` holds every instance. Expect greedy (the baseline) well above the
best-known, the auction within a few percent of it, and decisions of a few milliseconds per
subtask at 100 robots on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any, Optional

from fleet.errors import FleetError
from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import Simulation
from policies.base import POLICIES, make_policy
from policies.reference import best_makespan

SMALL_SIZES = [(3, 8), (4, 10), (5, 12), (6, 16)]  # (robots, subtasks)
MEDIUM_SIZE = (20, 100)
LARGE_SIZE = (100, 1000)


def instance_specs(small: int, medium: int, large: int, seed: int) -> list[tuple[str, ScenarioSpec]]:
    """(size class, spec) for every instance: `small` seeds per small size, then medium and large."""
    specs = []
    for robots, subtasks in SMALL_SIZES:
        for i in range(small):
            specs.append(("small", ScenarioSpec(robots=robots, subtasks=subtasks, seed=seed + i)))
    for count, (robots, subtasks), cls in ((medium, MEDIUM_SIZE, "medium"), (large, LARGE_SIZE, "large")):
        for i in range(count):
            specs.append((cls, ScenarioSpec(robots=robots, subtasks=subtasks, seed=seed + i, battery_range=(0.5, 1.0))))
    return specs


def run_policy(name: str, scenario) -> dict[str, Any]:
    """One policy on one instance in the simulation core."""
    policy = make_policy(name)
    simulation = Simulation(scenario.world, seed=0)
    result = simulation.dispatch(
        scenario.plan, lambda requests, robots: policy.assign(scenario.world, requests, robots), scenario.goal_literals()
    )
    return {
        "succeeded": result.succeeded,
        "makespan_s": round(result.makespan_s, 3),
        "travel_m": round(result.travel_m, 1),
        "energy_wh": round(result.energy_wh, 2),
        "charges": result.charges,
        "decision_ms_per_subtask": simulation.decision_s * 1000.0 / max(len(scenario.plan.subtasks), 1),
        "rounds": result.decisions,
    }


def measure(small: int, medium: int, large: int, seed: int, time_limit_s: float, policies: list[str]) -> dict[str, Any]:
    rows = []
    for cls, spec in instance_specs(small, medium, large, seed):
        scenario = generate(spec)
        row: dict[str, Any] = {
            "size": f"{spec.robots}x{spec.subtasks}",
            "class": cls,
            "seed": spec.seed,
            "subtasks": len(scenario.plan.subtasks),
            "policies": {name: run_policy(name, scenario) for name in policies},
        }
        if cls == "small":
            reference = best_makespan(scenario.world, scenario.plan, time_limit_s=time_limit_s)
            found = [p["makespan_s"] for p in row["policies"].values() if p["succeeded"]]
            if reference.makespan_s is not None:
                found.append(reference.makespan_s)
            row["reference"] = {
                "makespan_s": reference.makespan_s,
                "bound_s": round(reference.bound_s, 3),
                "status": reference.status.value,
                "solve_s": round(reference.solve_s, 3),
                "charging_free": all(p["charges"] == 0 for p in row["policies"].values()),
            }
            row["best_known_s"] = min(found) if found else None
        rows.append(row)
        print(f"{row['size']} seed {spec.seed}: " + ", ".join(f"{n} {p['makespan_s']:.0f}s" for n, p in row["policies"].items()),
              file=sys.stderr)
    return summarise(rows, policies)


def summarise(rows: list[dict[str, Any]], policies: list[str]) -> dict[str, Any]:
    """Means, medians and ratios per policy, overall and per size."""
    sizes = sorted({r["size"] for r in rows}, key=lambda s: tuple(map(int, s.split("x"))))
    largest = sizes[-1] if sizes else None
    summary: dict[str, Any] = {}
    for name in policies:
        runs = [r["policies"][name] for r in rows]
        ratios = [r["policies"][name]["makespan_s"] / r["best_known_s"] for r in rows if r.get("best_known_s")]
        at_largest = [r["policies"][name]["decision_ms_per_subtask"] for r in rows if r["size"] == largest]
        summary[name] = {
            "mean_makespan_ratio": _mean(ratios),
            "max_makespan_ratio": round(max(ratios), 4) if ratios else None,
            "mean_makespan_s": _mean([p["makespan_s"] for p in runs]),
            "mean_travel_m": _mean([p["travel_m"] for p in runs]),
            "mean_energy_wh": _mean([p["energy_wh"] for p in runs]),
            "charges": sum(p["charges"] for p in runs),
            "success_rate": _mean([1.0 if p["succeeded"] else 0.0 for p in runs]),
            "decision_ms_per_subtask": round(statistics.median(at_largest), 3) if at_largest else None,
            "by_size": {
                size: {
                    "mean_makespan_s": _mean([r["policies"][name]["makespan_s"] for r in rows if r["size"] == size]),
                    "decision_ms_per_subtask": round(
                        statistics.median([r["policies"][name]["decision_ms_per_subtask"] for r in rows if r["size"] == size]), 3
                    ),
                }
                for size in sizes
            },
        }
    small = [r for r in rows if "reference" in r]
    return {
        "instances": len(rows),
        "largest_size": largest,
        "policies": summary,
        "reference": {
            "instances": len(small),
            "optimal": sum(r["reference"]["status"] == "optimal" for r in small),
            "charging_free": sum(r["reference"]["charging_free"] for r in small),
            "median_solve_s": round(statistics.median([r["reference"]["solve_s"] for r in small]), 3) if small else None,
        },
        "rows": rows,
    }


def _mean(values: list[float]) -> Optional[float]:
    return round(statistics.fmean(values), 4) if values else None


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10, help="seeds per small size (4 small sizes)")
    parser.add_argument("--medium", type=int, default=5, help="instances of 20 robots, 100 subtasks")
    parser.add_argument("--large", type=int, default=5, help="instances of 100 robots, 1,000 subtasks")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds for each exact reference")
    parser.add_argument("--policies", nargs="+", default=None, help="policies to compare (default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    args = parser.parse_args(argv)
    if min(args.small, args.medium, args.large) < 0 or args.time_limit <= 0:
        parser.error("instance counts must be 0 or more and --time-limit above 0")
    make_policy("greedy")  # registers the bundled policies
    policies = args.policies or POLICIES.names()
    try:
        for name in policies:
            POLICIES.get(name)  # an unknown name fails before any work
    except FleetError as err:
        print(f"allocation_quality: {err}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = measure(args.small, args.medium, args.large, args.seed, args.time_limit, policies)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
