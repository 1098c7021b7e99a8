"""Online adaptation: a stream of missions in which one robot's reliability drops, with and without learning.

Runs the same stream of seeded warehouse missions (`fleet.scenarios`, one small instance per
mission, nine robots, loads one robot can carry: a coalition that needs the failing robot could
not avoid it) through the simulation core twice, side by side: the auction with what it assumes at
the start (`static`), and the auction whose reliability estimates learn from every attempt
(`estimates`, the coordinator's `ReliabilityModel`). Every skill fails 2% of the time; at
mission `--drift-at` one manipulator's picks start failing 60% of the time.

Run:
    .venv/bin/python -m benchmarks.online_adaptation --json
    .venv/bin/python -m benchmarks.online_adaptation --missions 40 --drift-at 10 --json   # a quick look

It prints one JSON object: `drift_at`, `window`, and `runs` mapping each run to lists, one entry
per window of missions, of `first_try_success` (share of subtasks whose first attempt
succeeded), `mission_success` and `mean_makespan_s`. Expect both runs alike before the drift;
after it, `static` keeps sending the failing robot to pick while `estimates` recovers within a
window or so. Missions themselves succeed throughout: failed attempts are retried.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any, Optional

from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import DriftEvent, FailureRate, FaultModel, SimConfig, Simulation
from policies.base import make_policy
from policies.reliability import ReliabilityModel

RUNS = ("static", "estimates")
SCENARIO = dict(robots=9, subtasks=8, dependency_probability=0.3, heavy_fraction=0.0)  # the same fleet every mission


def run_stream(run: str, missions: int, drift_at: int, robot: str, seed: int) -> list[dict[str, Any]]:
    """One mission after another; with `estimates`, the policy learns from each mission's attempts."""
    faults = FaultModel(
        rates=[FailureRate(probability=0.02)],
        drift=[DriftEvent(robot=robot, skill="pick", probability=0.6, after_missions=drift_at)],
    )
    policy = make_policy("auction")
    model = ReliabilityModel()
    rows = []
    for k in range(missions):
        scenario = generate(ScenarioSpec(**SCENARIO, seed=seed + k))
        simulation = Simulation(scenario.world, faults, seed=seed + k, config=SimConfig(missions_done=k))
        result = simulation.dispatch(
            scenario.plan, lambda q, v: policy.assign(scenario.world, q, v), scenario.goal_literals(), mission=f"m{k}"
        )
        firsts = [a for a in result.feedback if a.attempt == 1]
        rows.append({
            "first_tries": len(firsts),
            "first_try_ok": sum(a.success for a in firsts),
            "succeeded": result.succeeded,
            "makespan_s": result.makespan_s,
            "drifted_robot_picks": sum(1 for a in result.feedback if a.skill == "pick" and robot in a.robots),
        })
        if run == "estimates":
            for record in result.feedback:
                model.update(record)
            policy.estimates = model.estimates()
    return rows


def by_window(rows: list[dict[str, Any]], window: int) -> dict[str, list[float]]:
    chunks = [rows[i : i + window] for i in range(0, len(rows), window)]
    return {
        "first_try_success": [round(sum(r["first_try_ok"] for r in c) / max(sum(r["first_tries"] for r in c), 1), 4) for c in chunks],
        "mission_success": [round(statistics.fmean(1.0 if r["succeeded"] else 0.0 for r in c), 4) for c in chunks],
        "mean_makespan_s": [round(statistics.fmean(r["makespan_s"] for r in c), 2) for c in chunks],
        "drifted_robot_picks": [sum(r["drifted_robot_picks"] for r in c) for c in chunks],
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=100)
    parser.add_argument("--drift-at", type=int, default=30, help="missions finished before the drift")
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--robot", default="mobile_manipulator_3", help="the robot whose picks start failing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    args = parser.parse_args(argv)
    if args.missions < 1 or args.window < 1 or args.drift_at < 0:
        parser.error("--missions must be 1 or more, --window must be 1 or more, --drift-at 0 or more")
    fleet = [r.name for r in generate(ScenarioSpec(**SCENARIO, seed=args.seed)).world.robots]
    if args.robot not in fleet:
        parser.error(f"--robot {args.robot!r} is not in the fleet; it has {', '.join(fleet)}")
    runs = {run: by_window(run_stream(run, args.missions, args.drift_at, args.robot, args.seed), args.window) for run in RUNS}
    result = {"drift_at": args.drift_at, "window": args.window, "missions": args.missions, "robot": args.robot, "runs": runs}
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
