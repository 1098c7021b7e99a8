"""Planner throughput: the inference engines side by side, on the same prompts and schemas.

For each engine (OpenVINO GenAI and transformers, on the bundled model) a fresh process loads
the model and answers goal requests for the bundled household missions under the same JSON
schemas: one at a time (`c1_p50_s`, `c1_p99_s`, `c1_requests_per_s`), then 16 at once
(`c16_requests_per_s`, `tokens_per_s`), and reports its peak memory (`rss_gb`). Then the whole
language planner runs on `examples/missions/household.yaml` through Ray Serve with that engine
(`success_rate`). Each engine runs alone, so the two never compete for the cores.

Run:
    .venv/bin/python -m benchmarks.planner_throughput --json
    .venv/bin/python -m benchmarks.planner_throughput --engines openvino --rounds 1 --no-success --json

It prints one JSON object: `engines` (engine -> its figures), `default_engine` (what `auto`
picks here) and, when both engines ran, `c1_p50_ratio` (default over transformers; the target
is at most 0.25), `c16_speedup` (default over transformers; at least 10) and
`success_difference` (default minus transformers; within 0.01).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

HOUSEHOLD = "examples/missions/household.yaml"


def _requests(count: int) -> list[Any]:
    """Goal requests for the first `count` household missions (repeated when more are asked)."""
    from fleet.missions import MISSIONS_DIR, load_mission_set
    from fleet.world import load_world
    from serve_apps.llm import GenerationRequest
    from serve_apps.planner import choose_exemplars, goal_messages
    from serve_apps.vocabulary import goal_schema, mentioned_names

    world = load_world("household")
    entries = [e for e in load_mission_set(str(MISSIONS_DIR / "household.yaml"), world).missions if e.text]
    out = []
    for i in range(count):
        text = entries[i % len(entries)].text
        names = mentioned_names(world, text)
        messages = goal_messages(world, text, names, choose_exemplars(world, text, [], names, 4))
        out.append(GenerationRequest(messages=messages, schema_=goal_schema(world, names), max_new_tokens=56))
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_engine(engine: str, rounds: int, success: bool) -> dict[str, Any]:
    """One engine's figures, measured in this process."""
    from fleet.config import LLMConfig

    from serve_apps.llm import make_backend

    started = time.monotonic()
    backend = make_backend(LLMConfig(backend=engine, device="cpu"))
    load_s = time.monotonic() - started
    singles = _requests(28)
    backend.generate_json(singles[:2])  # warm up: compile grammars, first-call costs
    latencies = []
    for _ in range(rounds):
        for request in singles:
            t0 = time.monotonic()
            backend.generate_json([request])
            latencies.append(time.monotonic() - t0)
    c16_rates, token_rates = [], []
    for _ in range(rounds):
        batch = _requests(16)
        t0 = time.monotonic()
        results = backend.generate_json(batch)
        wall = time.monotonic() - t0
        c16_rates.append(16 / wall)
        token_rates.append(sum(r.new_tokens for r in results) / wall)
    figures = {
        "load_s": round(load_s, 2),
        "c1_p50_s": round(_percentile(latencies, 0.5), 3),
        "c1_p99_s": round(_percentile(latencies, 0.99), 3),
        "c1_requests_per_s": round(len(latencies) / sum(latencies), 2),
        "c16_requests_per_s": round(statistics.median(c16_rates), 2),
        "tokens_per_s": round(statistics.median(token_rates), 1),
        "rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }
    del backend
    if success:
        from benchmarks.planning_quality import run
        from fleet.config import BUNDLED_MODEL

        quality = run([(None, HOUSEHOLD)], "goal", BUNDLED_MODEL, engine=engine)
        figures["success_rate"] = quality["success_rate"]
        figures["wrong_accept_rate"] = quality["wrong_accept_rate"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["openvino", "transformers"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-success", action="store_true", help="skip the planner run on household.yaml")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process measuring one engine
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_engine(args.one, args.rounds, not args.no_success)))
        return
    from fleet.config import LLMConfig
    from serve_apps.llm import engine_for

    engines: dict[str, Any] = {}
    for engine in args.engines:
        command = [sys.executable, "-m", "benchmarks.planner_throughput", "--one", engine, "--rounds", str(args.rounds)]
        done = subprocess.run(command + (["--no-success"] if args.no_success else []), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"measuring {engine} failed:\n{done.stderr[-3000:]}")
        engines[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        if not args.json:
            print(engine, engines[engine], file=sys.stderr)
    default = engine_for(LLMConfig(device="cpu"))
    result: dict[str, Any] = {"engines": engines, "default_engine": default}
    if default in engines and "transformers" in engines and default != "transformers":
        fast, slow = engines[default], engines["transformers"]
        result["c1_p50_ratio"] = round(fast["c1_p50_s"] / slow["c1_p50_s"], 3)
        result["c16_speedup"] = round(fast["c16_requests_per_s"] / slow["c16_requests_per_s"], 2)
        if "success_rate" in fast and "success_rate" in slow:
            result["success_difference"] = round(fast["success_rate"] - slow["success_rate"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
