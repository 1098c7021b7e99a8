"""Planner self-training: the base model against the fine-tuned one, each with and without grounding.

First it fine-tunes the bundled model on synthetic requests from every world (`python -m fleet
train-planner` does the same; the bundled mission sets are never used for training), unless
`--model` names a checkpoint to reuse. Then, in one Ray session, two planner apps (base and tuned model) answer every
mission of the bundled sets (`examples/missions/<world>.yaml`) and every request of the
impossible sets (`<world>_impossible.yaml`, things the world does not have):
with grounding off and on (per request), which makes four variants:
- base: the bundled model with instructions and worked examples, over the whole vocabulary;
- base_grounded: the same with the request linked to world names first (the default planner);
- tuned: the fine-tuned checkpoint over the whole vocabulary;
- tuned_grounded: the fine-tuned checkpoint with grounding.

Run (about 25 minutes on 2 cores, half of it training):
    .venv/bin/python -m benchmarks.planner_training --json
    .venv/bin/python -m benchmarks.planner_training --model ~/.fleet/models/planner/v0001 --json

With `--suite DIR` it measures self-training the way a fleet does it on a new world: for each world
of the suite's `--split` (default dev: worlds already used to design the planner; the held-out
ones stay untouched by any training run), it trains a model on that world's vocabulary alone
(`--examples` synthetic requests, default 60), then scores the base model and the tuned one on the
world's people's requests and can't-do requests with `benchmarks.planning_quality`. About 5
minutes per world on 2 cores:
    .venv/bin/python -m benchmarks.planner_training --suite examples/missions/household \
        --suite examples/missions/household_impossible --steps 60 --json

It prints one JSON object: `training` (seconds, examples, steps, held-out goal exact-match),
and `worlds`: world -> variant -> `goal_exact` (the understood goal equals the expected one),
`success_rate` (the plan ran in the simulation core and the expected goal held),
`false_accept_rate` (impossible requests that got a plan), `median_tokens` per request and
`median_seconds`; `rows` lists each mission's outcome per variant.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

from benchmarks.planning_quality import _free_port, score


def _missions(world_name: str) -> tuple[list[Any], list[Any]]:
    """(missions with text and goal, impossible requests) of a bundled world's mission files."""
    from fleet.missions import MISSIONS_DIR, load_mission_set
    from fleet.world import load_world

    world = load_world(world_name)
    possible = [e for e in load_mission_set(str(MISSIONS_DIR / f"{world_name}.yaml"), world).missions if e.text and e.goal]
    impossible_file = MISSIONS_DIR / f"{world_name}_impossible.yaml"
    impossible = load_mission_set(str(impossible_file), world).missions if impossible_file.is_file() else []
    return possible, impossible


def evaluate_variant(handle: Any, world_names: list[str], grounding: bool, limit: Optional[int] = None) -> dict[str, Any]:
    """Every world's missions and impossible requests through one planner app, all at once."""
    from fleet.world import load_world
    from serve_apps.planner import PlanRequest

    jobs = []  # (world, entry, impossible)
    for name in world_names:
        world = load_world(name)
        possible, impossible = _missions(name)
        jobs += [(world, e, False) for e in possible[:limit]] + [(world, e, True) for e in impossible[:limit]]

    async def ask_all():
        requests = [PlanRequest(text=e.text, world=w, grounding=grounding) for w, e, _ in jobs]
        return await asyncio.gather(*(handle.plan.remote(r) for r in requests))

    responses = asyncio.run(ask_all())
    by_world: dict[str, dict[str, Any]] = {}
    for (world, entry, impossible), response in zip(jobs, responses):
        rows = by_world.setdefault(world.name, {"possible": [], "impossible": []})
        if impossible:
            rows["impossible"].append({"id": entry.id, "text": entry.text, "accepted": response.ok, "goal": response.goal, "reason": response.reason})
        else:
            row = score(world, entry, response)
            row["goal_exact"] = response.ok and set(response.goal) == set(entry.goal)
            rows["possible"].append(row)
    figures = {}
    for name, rows in by_world.items():
        possible, impossible = rows["possible"], rows["impossible"]
        figures[name] = {
            "missions": len(possible),
            "goal_exact": round(sum(r["goal_exact"] for r in possible) / len(possible), 3),
            "success_rate": round(sum(r["success"] for r in possible) / len(possible), 3),
            "impossible": len(impossible),
            "false_accept_rate": round(sum(r["accepted"] for r in impossible) / len(impossible), 3) if impossible else None,
            "median_tokens": statistics.median(r["tokens"] for r in possible),
            "median_seconds": statistics.median(r["seconds"] for r in possible),
            "rows": [
                {k: r[k] for k in ("id", "understood", "goal_exact", "success", "reason")} for r in possible
            ] + [{"id": r["id"], "accepted": r["accepted"], "goal": r["goal"], "reason": r["reason"]} for r in impossible],
        }
    return figures


def run(
    world_names: list[str],
    model: Optional[str],
    examples: int,
    steps: Optional[int],
    seed: int,
    held_out: int = 100,
    limit: Optional[int] = None,
) -> dict[str, Any]:
    import ray

    from fleet.config import LLMConfig, PlannerConfig, PlannerTrainingConfig
    from serve_apps.deployment import deploy_planner, ensure_serve
    from serve_apps.llm import read_card
    from serve_apps.tuning import train_planner

    if model is None:
        model_dir = tempfile.mkdtemp(prefix="fleet-planner-")
        config = PlannerTrainingConfig(
            worlds=world_names, model_dir=model_dir, examples_per_world=examples, held_out_per_world=held_out, steps=steps, seed=seed
        )
        started = time.monotonic()
        model, card = train_planner(config)
        training = {"wall_s": round(time.monotonic() - started, 1)}
    else:
        card = read_card(model)
        if card is None:
            raise SystemExit(f"{model} is not a fine-tuned planner checkpoint (no card): train one with python -m fleet train-planner")
        training = {"wall_s": None}
    training.update(
        path=model,
        seconds=card.seconds,
        examples=card.examples,
        steps=card.steps,
        held_out_goal_exact={name: h.goal_exact for name, h in card.held_out.items()},
    )
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    ensure_serve(_free_port())
    results: dict[str, dict[str, Any]] = {name: {} for name in world_names}
    for prefix, served in (("base", LLMConfig().model), ("tuned", model)):
        handle = deploy_planner(PlannerConfig(llm=LLMConfig(model=served)))
        for variant, grounding in ((prefix, False), (f"{prefix}_grounded", True)):
            for name, figures in evaluate_variant(handle, world_names, grounding, limit).items():
                results[name][variant] = figures
    ray.shutdown()
    return {"training": training, "worlds": results}


def suite_worlds(folders: list[str], split: str) -> dict[str, list[str]]:
    """World name -> its mission files, for the suite files marked with `split`."""
    from fleet.missions import load_mission_set

    worlds: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            mission_set = load_mission_set(str(path))
            if mission_set.split == split and mission_set.world:
                worlds.setdefault(mission_set.world, []).append(str(path))
    return worlds


def _suite_figures(result: dict[str, Any]) -> dict[str, Any]:
    """People's requests and can't-do requests of one planning_quality run, apart."""
    possible = [r for r in result["rows"] if "impossible" not in r["tags"]]
    impossible = [r for r in result["rows"] if "impossible" in r["tags"]]
    return {
        "requests": len(possible),
        "successes": sum(r["success"] for r in possible),
        "wrong_accepts": sum(r["wrong_accept"] for r in possible),
        "success_rate": round(sum(r["success"] for r in possible) / len(possible), 3) if possible else None,
        "wrong_accept_rate": round(sum(r["wrong_accept"] for r in possible) / len(possible), 3) if possible else None,
        "destructive": sum(r["destructive"] for r in result["rows"]),
        "impossible": len(impossible),
        "impossible_refused": sum(r["success"] for r in impossible),
    }


def run_suite(folders: list[str], split: str, examples: int, held_out: int, steps: Optional[int], seed: int) -> dict[str, Any]:
    """Per world of the split: train on its vocabulary alone, then score base and tuned side by side."""
    from benchmarks.planning_quality import run as score_files
    from fleet.config import BUNDLED_MODEL, PlannerTrainingConfig
    from serve_apps.tuning import train_planner

    worlds = suite_worlds(folders, split)
    if not worlds:
        raise SystemExit(f"no mission file in {', '.join(folders)} is marked split: {split}")
    results: dict[str, Any] = {}
    for world, files in worlds.items():
        pairs = [(None, path) for path in files]
        base = _suite_figures(score_files(pairs, "goal", BUNDLED_MODEL))
        with tempfile.TemporaryDirectory(prefix="fleet-planner-") as model_dir:
            config = PlannerTrainingConfig(
                worlds=[world], model_dir=model_dir, examples_per_world=examples, held_out_per_world=held_out, steps=steps, seed=seed
            )
            started = time.monotonic()
            checkpoint, card = train_planner(config)
            training = {
                "wall_s": round(time.monotonic() - started, 1),
                "first_loss": card.first_loss,
                "last_loss": card.last_loss,
                "held_out_goal_exact": card.held_out[world].goal_exact if world in card.held_out else None,
            }
            tuned = _suite_figures(score_files(pairs, "goal", checkpoint))
        results[world] = {"training": training, "base": base, "tuned": tuned}
        print(json.dumps({world: results[world]}), file=sys.stderr, flush=True)  # progress: a world takes minutes

    def total(variant: str) -> dict[str, Any]:
        figures = [r[variant] for r in results.values()]
        requests = sum(f["requests"] for f in figures)
        return {
            "requests": requests,
            "success_rate": round(sum(f["successes"] for f in figures) / requests, 3) if requests else None,
            "wrong_accept_rate": round(sum(f["wrong_accepts"] for f in figures) / requests, 3) if requests else None,
            "destructive": sum(f["destructive"] for f in figures),
            "impossible": sum(f["impossible"] for f in figures),
            "impossible_refused": sum(f["impossible_refused"] for f in figures),
        }

    return {"split": split, "examples_per_world": examples, "steps": steps, "worlds": results, "total": {v: total(v) for v in ("base", "tuned")}}


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", action="append", help="bundled world (repeat); default: household and warehouse")
    parser.add_argument("--model", help="a fine-tuned checkpoint to evaluate instead of training one")
    parser.add_argument("--examples", type=int, default=None, help="synthetic training requests per world (default 1000; 60 with --suite)")
    parser.add_argument("--steps", type=int, default=None, help="optimizer steps (default: one pass)")
    parser.add_argument("--held-out", type=int, default=None, help="held-out synthetic requests per world (default 100; 20 with --suite)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N missions of each set (a quick look)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--suite", action="append", default=[], help="a folder of mission files: train per world of --split (repeatable)")
    parser.add_argument("--split", default="dev", help="which suite worlds to train on and score (default dev)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args(argv)
    if args.suite:
        for folder in args.suite:
            if not Path(folder).is_dir():
                parser.error(f"no suite folder {folder}")
        examples = 60 if args.examples is None else args.examples
        held_out = 20 if args.held_out is None else args.held_out
        if examples < 1 or held_out < 0:
            parser.error(f"--examples must be at least 1 and --held-out at least 0 (got {examples} and {held_out})")
        print(json.dumps(run_suite(args.suite, args.split, examples, held_out, args.steps, args.seed)))
        return
    worlds = args.world or ["household", "warehouse"]
    model = str(Path(args.model).expanduser()) if args.model else None
    held_out = 100 if args.held_out is None else args.held_out
    result = run(worlds, model, 1000 if args.examples is None else args.examples, args.steps, args.seed, held_out, args.limit)
    if not args.json:
        for name, variants in result["worlds"].items():
            for variant, figures in variants.items():
                print(f"{name:10} {variant:15} goal_exact {figures['goal_exact']:.3f} success {figures['success_rate']:.3f} false_accept {figures['false_accept_rate']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
