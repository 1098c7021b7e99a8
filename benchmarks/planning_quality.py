"""How often the language planner turns a mission's text into a plan that does what was asked.

Every mission of a mission file (text plus the goal that defines success, see README) goes to
the planner app on Ray Serve, all at once so the model answers in batches. Each is scored:
- schema_valid: the model's first answer parsed and named only existing things;
- plan_valid: the planner returned a validated plan (after its bounded retries);
- executed: that plan ran to the end in the simulation core;
- success: the mission's ground-truth goal holds afterwards.

`destructive_rate` counts rows whose understood goal sets an irreversible state (broken, sliced,
cooked, toasted) the expected goal does not mention; `--compare-lexicon` runs the same missions
again with the verb lexicon off (`PlannerConfig.lexicon`) and adds those figures as
`without_lexicon`. A mission tagged `impossible` (text, no goal) succeeds when the planner refuses it; `by_tag`
then gives the refusal rate under `impossible`. A mission that starts from its own `state:` is planned and run from that state. An accepted
plan that does not reach the goal counts as `wrong_accept`: the worst outcome, worse than a
refusal.

Run:
    .venv/bin/python -m benchmarks.planning_quality --world household --missions examples/missions/household.yaml --json
    .venv/bin/python -m benchmarks.planning_quality --world warehouse --missions examples/missions/warehouse.yaml --mode direct --json
    .venv/bin/python -m benchmarks.planning_quality --suite examples/missions/household --json

It prints one JSON object with `missions`, the rates, tokens and seconds per mission, `rows`
(one per mission: world, id, text, expected and understood goal, outcome, reason) and, for
suites, `by_world`, `by_split` (mission files marked `split: dev` or `held_out`) and `by_tag`.
All missions go to one Serve deployment: the world travels in each request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import time
from pathlib import Path
from typing import Any, Optional


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def score(world, entry, response) -> dict[str, Any]:
    """One row: how far this mission got, from the model's first answer to the goal holding."""
    from fleet.goals import parse_goal
    from fleet.lexicon import IRREVERSIBLE_STATES
    from fleet.literals import parse_literal
    from fleet.sim import Simulation
    from fleet.state import WorldState
    from fleet.validate import spread_assignment

    row: dict[str, Any] = {
        "world": world.name,
        "id": entry.id,
        "text": entry.text,
        "tags": entry.tags,
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
    row["steps"] = len(response.plan.subtasks) if response.plan is not None else 0
    if entry.goal is None:  # a request the world cannot do: success is a refusal
        row["success"] = not row["plan_valid"]
        row["wrong_accept"] = row["plan_valid"]
        row["unasked_states"] = [g for g in response.goal if _state_of(world, g)] if row["plan_valid"] else []
        row["destructive"] = any(_state_of(world, g) in IRREVERSIBLE_STATES for g in row["unasked_states"])
        return row
    if row["plan_valid"]:
        plan = response.plan
        simulation = Simulation(world, seed=0, state=entry.initial_state(world))
        result = simulation.run(plan, spread_assignment(world, plan), parse_goal(world, response.goal))
        row["executed"] = all(s.status.value == "succeeded" for s in result.subtasks)
        final = WorldState(world, [parse_literal(f).atom for f in result.final_facts])
        row["success"] = row["executed"] and all(final.holds(g) for g in parse_goal(world, entry.goal))
    row["wrong_accept"] = row["plan_valid"] and not row["success"]
    wanted = {parse_literal(g).predicate for g in entry.goal}
    row["unasked_states"] = [g for g in response.goal if _state_of(world, g) and _state_of(world, g) not in wanted]
    row["destructive"] = any(_state_of(world, g) in IRREVERSIBLE_STATES for g in row["unasked_states"])
    return row




def _state_of(world, literal: str) -> str:
    """The state a goal literal speaks of ('' for where things are)."""
    from fleet.literals import parse_literal

    predicate = parse_literal(literal).predicate
    return predicate if predicate in world.state_names else ""


RATES = ("schema_valid", "plan_valid", "executed", "success", "wrong_accept", "destructive")


def rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rates over some rows, and how many there are."""
    count = len(rows)
    return {"missions": count, **{f"{key}_rate": round(sum(r[key] for r in rows) / count, 3) for key in RATES}}


def _missions(pairs: list[tuple[Optional[str], str]]) -> list[tuple[Any, Any, Optional[str]]]:
    """(world, mission entry, split) for every mission with both text and goal in the files."""
    from fleet.missions import load_mission_set
    from fleet.world import load_world

    found = []
    for world_name, path in pairs:
        mission_set = load_mission_set(path)
        name = world_name or mission_set.world
        if name is None:
            raise SystemExit(f"{path}: the file names no world; pass --world")
        world = load_world(name)
        mission_set = load_mission_set(path, world)
        found += [(world, e, mission_set.split) for e in mission_set.missions if e.text and (e.goal or "impossible" in e.tags)]
    if not found:
        raise SystemExit(f"{', '.join(p for _, p in pairs)}: no mission has text and a goal (or the tag impossible)")
    return found


def run(pairs: list[tuple[Optional[str], str]], mode: str, model: str, lexicon: bool = True, engine: str = "auto") -> dict[str, Any]:
    """Ask the planner for every mission of the (world, mission file) pairs at once and score each."""
    import ray

    from fleet.config import LLMConfig, PlanMode, PlannerConfig
    from serve_apps.deployment import deploy_planner, ensure_serve
    from serve_apps.planner import PlanRequest

    missions = _missions(pairs)
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)  # fresh: no stale app
    ensure_serve(_free_port())
    handle = deploy_planner(PlannerConfig(llm=LLMConfig(model=model, backend=engine), lexicon=lexicon))
    started = time.monotonic()

    async def ask_all():
        requests = [
            PlanRequest(
                text=e.text,
                world=world,
                mode=PlanMode(mode),
                facts=sorted(e.initial_state(world).facts) if e.state else None,
                tidy=e.tidy,
            )
            for world, e, _ in missions
        ]
        return await asyncio.gather(*(handle.plan.remote(r) for r in requests))

    responses = asyncio.run(ask_all())
    engines = sorted({r.engine for r in responses if r.engine})
    wall_s = time.monotonic() - started
    rows = [score(world, e, r) for (world, e, _), r in zip(missions, responses)]
    for row, (_, _, split) in zip(rows, missions):
        row["split"] = split
    ray.shutdown()

    def grouped(key) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            for value in key(row):
                groups.setdefault(str(value), []).append(row)
        return {value: rates(members) for value, members in sorted(groups.items())}

    return {
        "world": ",".join(dict.fromkeys(w.name for w, _, _ in missions)),
        "missions_file": ",".join(p for _, p in pairs),
        "mode": mode,
        "model": model,
        "engine": ",".join(engines),
        "lexicon": lexicon,
        **rates(rows),
        "by_world": grouped(lambda r: [r["world"]]),
        # requests that cannot be done are scored apart: "dev/impossible" is the refusal rate
        "by_split": grouped(lambda r: [f"{r['split']}/impossible" if "impossible" in r["tags"] else r["split"]]),
        "by_tag": grouped(lambda r: r["tags"]),
        "median_tokens": statistics.median(r["tokens"] for r in rows),
        "median_seconds": statistics.median(r["seconds"] for r in rows),
        "wall_s": round(wall_s, 2),
        "rows": rows,
    }


def main() -> None:
    from fleet.config import BUNDLED_MODEL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", help="bundled world name or YAML path (default: the one each mission file names)")
    parser.add_argument("--missions", action="append", default=[], help="mission file (text + goal per mission); repeatable")
    parser.add_argument("--suite", action="append", default=[], help="a folder of mission files, each naming its world (repeatable)")
    parser.add_argument("--mode", choices=["goal", "direct"], default="goal")
    parser.add_argument("--planner", default=BUNDLED_MODEL, help="model: bundled:smollm2, a Hugging Face id or a path")
    parser.add_argument("--engine", default="auto", help="inference engine: auto, openvino, transformers, openai")
    parser.add_argument(
        "--compare-lexicon", action="store_true", help="also run with the verb lexicon off, side by side (twice the time)"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    for folder in args.suite:
        if not Path(folder).is_dir():
            parser.error(f"no suite folder {folder}")
    files = args.missions + [str(p) for folder in args.suite for p in sorted(Path(folder).glob("*.yaml"))]
    if not files:
        parser.error("give --missions FILE or --suite DIR")
    pairs = [(args.world, path) for path in files]
    result = run(pairs, args.mode, args.planner, engine=args.engine)
    if args.compare_lexicon:
        off = run(pairs, args.mode, args.planner, lexicon=False, engine=args.engine)
        result["without_lexicon"] = {key: value for key, value in off.items() if key != "rows"}
    if not args.json:
        for row in result["rows"]:
            mark = "ok " if row["success"] else "-- "
            print(mark, row["world"], row["id"], row["text"], "->", row["understood"] or row["reason"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
