"""How often the language planner turns a mission's text into a plan that does what was asked.

Every mission of a mission file (text plus the goal that defines success, see README) goes to
the planner app on Ray Serve, all at once so the model answers in batches. Each is scored:
- schema_valid: the model's first answer parsed and named only existing things;
- plan_valid: the planner returned a validated plan (after its bounded retries);
- executed: that plan ran to the end in the simulation core;
- success: the mission's ground-truth goal holds afterwards.

Run:
    .venv/bin/python -m benchmarks.planning_quality --world household --missions examples/missions/household.yaml --json
    .venv/bin/python -m benchmarks.planning_quality --world warehouse --missions examples/missions/warehouse.yaml --mode direct --json

It prints one JSON object with `missions`, the four rates, tokens and seconds per mission,
and `rows` (one per mission: id, text, expected and understood goal, outcome, reason).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import time
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def score(world, entry, response) -> dict[str, Any]:
    """One row: how far this mission got, from the model's first answer to the goal holding."""
    from fleet.goals import parse_goal
    from fleet.literals import parse_literal
    from fleet.sim import Simulation
    from fleet.state import WorldState
    from fleet.validate import spread_assignment

    row: dict[str, Any] = {
        "id": entry.id,
        "text": entry.text,
        "expected": entry.goal,
        "understood": response.goal,
        "attempts": len(response.attempts),
        "tokens": response.tokens,
        "seconds": round(response.seconds, 3),
        "mean_logprob": [round(a.mean_logprob, 2) for a in response.attempts if a.mean_logprob is not None],
        "answers": [{"answer": a.answer, "error": a.error} for a in response.attempts],
        "reason": response.reason,
    }
    first = response.attempts[0] if response.attempts else None
    schema_valid = False
    if first is not None:
        try:
            parse_goal(world, json.loads(first.answer)["goal"])
            schema_valid = True
        except (ValueError, KeyError, TypeError):
            pass
    row["schema_valid"] = schema_valid
    row["plan_valid"] = bool(response.ok and response.plan is not None)
    row["executed"] = row["success"] = False
    if row["plan_valid"]:
        plan = response.plan
        result = Simulation(world, seed=0).run(plan, spread_assignment(world, plan), parse_goal(world, response.goal))
        row["executed"] = all(s.status.value == "succeeded" for s in result.subtasks)
        final = WorldState(world, [parse_literal(f).atom for f in result.final_facts])
        row["success"] = row["executed"] and all(final.holds(g) for g in parse_goal(world, entry.goal))
    return row


def run(world_name: str, missions_path: str, mode: str, model: str) -> dict[str, Any]:
    import ray

    from fleet.config import LLMConfig, PlanMode, PlannerConfig
    from fleet.missions import load_mission_set
    from fleet.world import load_world
    from serve_apps.deployment import deploy_planner, ensure_serve
    from serve_apps.planner import PlanRequest

    world = load_world(world_name)
    entries = [e for e in load_mission_set(missions_path, world).missions if e.text and e.goal]
    if not entries:
        raise SystemExit(f"{missions_path}: no mission has both text and goal to score against")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)  # fresh: no stale app
    ensure_serve(_free_port())
    handle = deploy_planner(PlannerConfig(llm=LLMConfig(model=model)))
    started = time.monotonic()

    async def ask_all():
        requests = [PlanRequest(text=e.text, world=world, mode=PlanMode(mode)) for e in entries]
        return await asyncio.gather(*(handle.plan.remote(r) for r in requests))

    responses = asyncio.run(ask_all())
    wall_s = time.monotonic() - started
    rows = [score(world, e, r) for e, r in zip(entries, responses)]
    count = len(rows)

    def rate(key: str) -> float:
        return round(sum(r[key] for r in rows) / count, 3)

    ray.shutdown()
    return {
        "world": world_name,
        "missions_file": missions_path,
        "mode": mode,
        "model": model,
        "missions": count,
        "schema_valid_rate": rate("schema_valid"),
        "plan_valid_rate": rate("plan_valid"),
        "executed_rate": rate("executed"),
        "success_rate": rate("success"),
        "median_tokens": statistics.median(r["tokens"] for r in rows),
        "median_seconds": statistics.median(r["seconds"] for r in rows),
        "wall_s": round(wall_s, 2),
        "rows": rows,
    }


def main() -> None:
    from fleet.config import BUNDLED_MODEL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", required=True, help="bundled world name or YAML path")
    parser.add_argument("--missions", required=True, help="mission file (text + goal per mission)")
    parser.add_argument("--mode", choices=["goal", "direct"], default="goal")
    parser.add_argument("--planner", default=BUNDLED_MODEL, help="model: bundled:smollm2, a Hugging Face id or a path")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    result = run(args.world, args.missions, args.mode, args.planner)
    if not args.json:
        for row in result["rows"]:
            mark = "ok " if row["success"] else "-- "
            print(mark, row["id"], row["text"], "->", row["understood"] or row["reason"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
