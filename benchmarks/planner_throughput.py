"""Planner throughput: concurrent requests through Ray Serve against raw batched `generate`.

The same model, the same prompts (goal requests for bundled household missions) and the same
constrained decoding, measured side by side in one run: first `generate_json` called directly
in this process on batches of 1, 4, 8 and 16 requests, then the same numbers of concurrent
requests sent to the Serve deployment, which batches them with `@serve.batch`. The driver's
model is freed before Serve's replica starts, so the two never compete for the cores.

Run:
    .venv/bin/python -m benchmarks.planner_throughput --json
    .venv/bin/python -m benchmarks.planner_throughput --concurrency 1 4 --rounds 1 --json

It prints one JSON object with `raw_tok_s`, `serve_tok_s`, `serve_req_s`, `serve_p50_s`,
`serve_p99_s` (maps from concurrency to a number; medians over rounds) and the two targets:
`serve_vs_raw_at_max` (Serve over raw tokens/s at the highest concurrency) and
`serve_speedup_vs_1` (Serve tokens/s at the highest concurrency over batch 1), with
`raw_speedup_vs_1`, the same ratio for raw batching: the most batching can give on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import socket
import statistics
import time
from typing import Any


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
        out.append(GenerationRequest(messages=messages, schema_=goal_schema(world, names), max_new_tokens=88))
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(concurrency: list[int], rounds: int) -> dict[str, Any]:
    import ray
    from ray import serve

    from fleet.config import PlannerConfig
    from serve_apps.deployment import deploy_planner, ensure_serve
    from serve_apps.llm import TransformersModel

    model = TransformersModel()
    model.generate_json(_requests(2))  # warm up: compile grammars, first-call costs
    raw: dict[str, float] = {}
    for c in concurrency:
        rates = []
        for _ in range(rounds):
            batch = _requests(c)
            started = time.monotonic()
            results = model.generate_json(batch)
            rates.append(sum(r.new_tokens for r in results) / (time.monotonic() - started))
        raw[str(c)] = round(statistics.median(rates), 2)
    del model
    gc.collect()

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ensure_serve(port)
    config = PlannerConfig()
    handle = deploy_planner(config)

    async def burst(batch: list[Any]) -> tuple[float, list[float], int]:
        async def one(request: Any) -> tuple[float, int]:
            t0 = time.monotonic()
            result = await handle.generate.remote(request)
            return time.monotonic() - t0, result.new_tokens

        t0 = time.monotonic()
        done = await asyncio.gather(*(one(r) for r in batch))
        return time.monotonic() - t0, [d[0] for d in done], sum(d[1] for d in done)

    asyncio.run(burst(_requests(2)))  # warm up the replica
    serve_tok: dict[str, float] = {}
    serve_req: dict[str, float] = {}
    p50: dict[str, float] = {}
    p99: dict[str, float] = {}
    for c in concurrency:
        tok_rates, req_rates, latencies = [], [], []
        for _ in range(rounds):
            wall, lat, tokens = asyncio.run(burst(_requests(c)))
            tok_rates.append(tokens / wall)
            req_rates.append(c / wall)
            latencies += lat
        serve_tok[str(c)] = round(statistics.median(tok_rates), 2)
        serve_req[str(c)] = round(statistics.median(req_rates), 3)
        p50[str(c)] = round(_percentile(latencies, 0.5), 3)
        p99[str(c)] = round(_percentile(latencies, 0.99), 3)
    serve.shutdown()
    ray.shutdown()
    top, one = str(max(concurrency)), str(min(concurrency))
    return {
        "model": config.llm.model,
        "max_batch_size": config.llm.max_batch_size,
        "rounds": rounds,
        "raw_tok_s": raw,
        "serve_tok_s": serve_tok,
        "serve_req_s": serve_req,
        "serve_p50_s": p50,
        "serve_p99_s": p99,
        "serve_vs_raw_at_max": round(serve_tok[top] / raw[top], 3),
        "serve_speedup_vs_1": round(serve_tok[top] / serve_tok[one], 2),
        "raw_speedup_vs_1": round(raw[top] / raw[one], 2),  # the ceiling batching gives on this machine
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8, 16])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    args = parser.parse_args()
    print(json.dumps(measure(args.concurrency, args.rounds)))


if __name__ == "__main__":
    main()
