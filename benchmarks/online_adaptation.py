"""Online adaptation: a stream of missions in which one robot's reliability drops, with and without learning.

Runs the same stream of seeded warehouse missions (`fleet.scenarios`, one small instance per
mission, nine robots, loads one robot can carry: a coalition that needs the failing robot could
not avoid it) through the simulation core twice, side by side: the auction with what it assumes at
the start (`static`), and the auction whose reliability estimates learn from every attempt
(`estimates`, the coordinator's `ReliabilityModel`), and the learned policy (`policies.learned`,
the bundled weights) with the same estimates and online updates: every `--retrain-every`
missions it is fine-tuned with a few PPO iterations on episodes calibrated by the estimates, as
the policy trainer actor does, and the new weights are swapped in. Every skill fails 2% of the
time; at mission `--drift-at` one manipulator's picks start failing 60% of the time.

Run:
    .venv/bin/python -m benchmarks.online_adaptation --json
    .venv/bin/python -m benchmarks.online_adaptation --missions 40 --drift-at 10 --json   # a quick look

It prints one JSON object: `drift_at`, `window`, and `runs` mapping each run to lists, one entry
per window of missions, of `first_try_success` (share of subtasks whose first attempt
succeeded), `mission_success` and `mean_makespan_s`; `summary` gives each run's first-try success
before the drift, in the first window after it and over all windows after it; `versions` lists the learned run's weight
versions with the mission they took over at and the time their fine-tuning took. Expect both runs alike before the drift;
after it, `static` keeps sending the failing robot to pick while `estimates` recovers within a
window or so. Missions themselves succeed throughout: failed attempts are retried.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import yaml

from fleet.scenarios import ScenarioSpec, generate
from fleet.sim import DriftEvent, FailureRate, FaultModel, SimConfig, Simulation
from policies.base import make_policy
from policies.reliability import ReliabilityModel

RUNS = ("static", "estimates", "learned")
SCENARIO = dict(robots=9, subtasks=8, dependency_probability=0.3, heavy_fraction=0.0)  # the same fleet every mission


def run_stream(
    run: str, missions: int, drift_at: int, robot: str, seed: int, retrain_every: int = 20, iterations: int = 2
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One mission after another; with `estimates` and `learned`, the policy learns from each mission's attempts.

    Returns a row per mission and, for `learned`, a row per weights version it used.
    """
    faults = FaultModel(
        rates=[FailureRate(probability=0.02)],
        drift=[DriftEvent(robot=robot, skill="pick", probability=0.6, after_missions=drift_at)],
    )
    policy = make_policy("learned" if run == "learned" else "auction")
    model = ReliabilityModel()
    rows: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        fleet_file = Path(folder) / "fleet.yaml"  # the stream's fleet, for calibrated fine-tuning episodes
        for k in range(missions):
            scenario = generate(ScenarioSpec(**SCENARIO, seed=seed + k))
            if run == "learned" and k and k % retrain_every == 0:
                versions.append(_fine_tune(policy, scenario.world, fleet_file, model, iterations, seed + k, k))
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
            if run != "static":
                for record in result.feedback:
                    model.update(record)
                policy.estimates = model.estimates()
    return rows, versions


def _fine_tune(policy, world, fleet_file: Path, model: ReliabilityModel, iterations: int, seed: int, mission: int) -> dict[str, Any]:
    """Fine-tune the learned policy's weights on episodes calibrated by the estimates so far; swap them in."""
    from policies.learned import PolicyWeights
    from policies.train import fine_tune

    fleet_file.write_text(yaml.safe_dump(world.model_dump(mode="json", exclude_none=True, exclude={"objects"})))
    clock = time.perf_counter()
    current = PolicyWeights(meta=policy.meta, state=policy.module.get_state(inference_only=False))
    result = fine_tune(current, str(fleet_file), model.estimates(), iterations, batch=500, seed=seed)
    weights = result.weights.model_copy(update={"meta": result.weights.meta.model_copy(update={"version": policy.version + 1})})
    policy.load(weights)
    return {"version": policy.version, "from_mission": mission, "train_s": round(time.perf_counter() - clock, 1), "mean_return": weights.meta.mean_return}


def by_window(rows: list[dict[str, Any]], window: int) -> dict[str, list[float]]:
    chunks = [rows[i : i + window] for i in range(0, len(rows), window)]
    return {
        "first_try_success": [round(sum(r["first_try_ok"] for r in c) / max(sum(r["first_tries"] for r in c), 1), 4) for c in chunks],
        "mission_success": [round(statistics.fmean(1.0 if r["succeeded"] else 0.0 for r in c), 4) for c in chunks],
        "mean_makespan_s": [round(statistics.fmean(r["makespan_s"] for r in c), 2) for c in chunks],
        "drifted_robot_picks": [sum(r["drifted_robot_picks"] for r in c) for c in chunks],
    }


def summarize(windows: list[float], drift_at: int, window: int) -> dict[str, Optional[float]]:
    """First-try success before the drift, in the first window after it, and over every window after it."""
    first_after = -(-drift_at // window)  # the first window that starts at or after the drift
    before = windows[: drift_at // window]
    after = windows[first_after:]
    mean = lambda values: round(statistics.fmean(values), 4) if values else None  # noqa: E731
    return {"pre_drift": mean(before), "first_window_after": after[0] if after else None, "after_drift": mean(after)}


def run(
    missions: int = 100,
    drift_at: int = 30,
    window: int = 10,
    runs: tuple[str, ...] | list[str] = RUNS,
    robot: str = "mobile_manipulator_3",
    seed: int = 0,
    retrain_every: int = 20,
) -> dict[str, Any]:
    """Every run on the same stream; the object `--json` prints (notebooks call this directly)."""
    figures, versions = {}, []
    for name in runs:
        rows, used = run_stream(name, missions, drift_at, robot, seed, retrain_every)
        figures[name] = by_window(rows, window)
        versions += used
    return {
        "summary": {name: summarize(f["first_try_success"], drift_at, window) for name, f in figures.items()},
        "drift_at": drift_at,
        "window": window,
        "missions": missions,
        "robot": robot,
        "runs": figures,
        "versions": versions,
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=100)
    parser.add_argument("--drift-at", type=int, default=30, help="missions finished before the drift")
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--robot", default="mobile_manipulator_3", help="the robot whose picks start failing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--retrain-every", type=int, default=20, help="missions between fine-tunings of the learned run")
    parser.add_argument("--runs", default=",".join(RUNS), help="which runs, comma separated")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    args = parser.parse_args(argv)
    if args.missions < 1 or args.window < 1 or args.drift_at < 0 or args.retrain_every < 1:
        parser.error("--missions, --window and --retrain-every must be 1 or more, --drift-at 0 or more")
    runs_wanted = [r for r in args.runs.split(",") if r]
    unknown = [r for r in runs_wanted if r not in RUNS]
    if unknown or not runs_wanted:
        parser.error(f"unknown runs {unknown}; known: {', '.join(RUNS)}")
    fleet = [r.name for r in generate(ScenarioSpec(**SCENARIO, seed=args.seed)).world.robots]
    if args.robot not in fleet:
        parser.error(f"--robot {args.robot!r} is not in the fleet; it has {', '.join(fleet)}")
    result = run(args.missions, args.drift_at, args.window, runs_wanted, args.robot, args.seed, args.retrain_every)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
