"""Load with back-pressure: hundreds of missions submitted at once through HTTP and the Python API.

A warehouse fleet with a queue limit (`max_missions_in_progress`) takes `--missions` goal
missions at once: half as `POST /missions` through the HTTP ingress (from a pool of threads),
half through `Fleet.submit_async`. Each submission is accepted or refused with the
back-pressure answer (HTTP 429 with Retry-After, `FleetBusy` in Python); nothing is retried. The
benchmark then waits until every accepted mission has ended. It runs once per Redis fsync
policy (`always`, the default, and `everysec`), side by side, to show what durability costs;
`--bursts N` repeats the burst once the last has drained, to show whether memory keeps growing.

Run:
    .venv/bin/python -m benchmarks.load --json
    .venv/bin/python -m benchmarks.load --missions 40 --max-in-progress 20 --fsync always --json

It prints one JSON object with, per fsync policy: `submitted`, `accepted`, `refused`,
`terminal`, `lost` (accepted but not terminal, or not in the store), `submit_p50_s`,
`submit_p99_s`, `missions_per_s` (terminal missions per second from the first submission to
the last end), `coordinator_rss_mb` and `missions_in_memory` before and after. Expect
`lost` = 0, `accepted + refused = submitted`, and missions in memory no more than the queue limit
plus `finished_missions_kept`, however many were submitted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional

from benchmarks.chaos import TERMINAL, at_least_one, mission_specs


def _reason(error: Optional[str]) -> str:
    """An error without its mission's own names and numbers, so alike failures count together."""
    return re.sub(r"\([^)]*\)|\d+", "…", error or "")[:120]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run_load(
    *, missions: int, max_in_progress: int, kept: int, fsync: str, time_scale: float, http_threads: int, timeout_s: float,
    bursts: int = 1,
) -> dict[str, Any]:
    """One fleet under `bursts` bursts of `missions` submissions, each drained before the next; its figures.

    Ray must be running; the fleet is shut down at the end.
    """
    import ray

    from fleet.client import Fleet

    token = uuid.uuid4().hex
    specs = mission_specs(missions, text_every=0)
    with tempfile.TemporaryDirectory(prefix="fleet-load-") as folder:
        fleet = Fleet.start(
            "warehouse", planner="classical", time_scale=time_scale, namespace=f"load-{uuid.uuid4().hex[:6]}",
            state_dir=Path(folder), fresh=True, redis_fsync=fsync,
            max_missions_in_progress=max_in_progress, finished_missions_kept=kept,
        )
        try:
            base = fleet.start_api(token=token, route_prefix=f"/{fleet.config.namespace}")
            before = ray.get(fleet.coordinator.footprint.remote())
            results, ended, rss_after, elapsed = [], [], [], 0.0
            for _ in range(bursts):
                answers, finished, seconds = _burst(fleet, base, token, specs, http_threads, timeout_s)
                results += answers
                ended += finished
                elapsed += seconds
                rss_after.append(ray.get(fleet.coordinator.footprint.remote())["rss_mb"])
            after = ray.get(fleet.coordinator.footprint.remote())
            accepted = [mission_id for outcome, mission_id, _ in results if outcome == "accepted"]
            latencies = [took for _, _, took in results]
            return {
                "fsync": fsync,
                "submitted": len(results),
                "accepted": len(accepted),
                "refused": sum(1 for outcome, _, _ in results if outcome == "refused"),
                "other_answers": [outcome for outcome, _, _ in results if outcome not in ("accepted", "refused")],
                "terminal": len(ended),
                "succeeded": sum(1 for r in ended if r.status.value == "succeeded"),
                "failure_reasons": Counter(_reason(r.error) for r in ended if r.status.value != "succeeded").most_common(5),
                "lost": len(accepted) - len(ended),
                "submit_p50_s": round(statistics.median(latencies), 4),
                "submit_p99_s": round(_percentile(latencies, 0.99), 4),
                "missions_per_s": round(len(ended) / max(elapsed, 1e-6), 2),
                "coordinator_rss_mb": {"before": before["rss_mb"], "after": after["rss_mb"], "after_each_burst": rss_after},
                "missions_in_memory": {"before": before["missions_in_memory"], "after": after["missions_in_memory"]},
                "missions_in_store": fleet.mission_count(),
            }
        finally:
            fleet.shutdown()


Answer = tuple[str, Optional[str], float]  # "accepted" / "refused" / another answer, the mission id, seconds


def _burst(fleet: Any, base: str, token: str, specs: list[dict[str, Any]], http_threads: int, timeout_s: float) -> tuple[list[Answer], list[Any], float]:
    """Submit every spec at once, half over HTTP and half in Python; wait for the accepted ones to end.

    Returns the answers, the records of the missions that ended, and the seconds from the first
    submission to the last end.
    """
    import requests

    from fleet.errors import FleetBusy

    session = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}

    def over_http(spec: dict[str, Any]) -> Answer:
        started = time.perf_counter()
        answer = session.post(f"{base}/missions", json=spec, headers=auth, timeout=300)
        took = time.perf_counter() - started
        if answer.status_code == 201:
            return "accepted", answer.json()["id"], took
        if answer.status_code == 429 and answer.headers.get("Retry-After"):
            return "refused", None, took
        return f"http {answer.status_code}: {answer.text[:200]}", None, took

    async def in_python(spec: dict[str, Any]) -> Answer:
        started = time.perf_counter()
        try:
            handle = await fleet.submit_async(spec)
            return "accepted", handle.id, time.perf_counter() - started
        except FleetBusy:
            return "refused", None, time.perf_counter() - started

    async def python_half(batch: list[dict[str, Any]]) -> list[Answer]:
        return list(await asyncio.gather(*(in_python(s) for s in batch)))

    first = time.time()
    with ThreadPoolExecutor(http_threads) as pool:
        http_answers = pool.map(over_http, specs[0::2])
        answers = list(asyncio.run(python_half(specs[1::2]))) + list(http_answers)
    accepted = [mission_id for outcome, mission_id, _ in answers if outcome == "accepted"]
    store = fleet.store()
    deadline = time.monotonic() + timeout_s
    while True:
        records = [store.load_mission(m) for m in accepted]
        ended = [r for r in records if r is not None and r.status.value in TERMINAL]
        if len(ended) == len(accepted) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    return answers, ended, max((r.finished_at or 0 for r in ended), default=time.time()) - first


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--missions", type=at_least_one, default=500)
    parser.add_argument("--max-in-progress", type=at_least_one, default=200, help="the fleet's max_missions_in_progress")
    parser.add_argument("--kept", type=int, default=100, help="the fleet's finished_missions_kept")
    parser.add_argument("--fsync", nargs="+", choices=("always", "everysec"), default=["always", "everysec"])
    parser.add_argument("--time-scale", type=float, default=1000.0)
    parser.add_argument("--http-threads", type=int, default=32)
    parser.add_argument("--timeout-s", type=float, default=900.0, help="how long to wait for accepted missions to end")
    parser.add_argument("--bursts", type=at_least_one, default=1, help="bursts per fsync policy, each drained before the next")
    parser.add_argument("--num-cpus", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from fleet.client import ensure_ray

    ensure_ray(args.num_cpus)
    runs = {
        fsync: run_load(missions=args.missions, max_in_progress=args.max_in_progress, kept=args.kept, fsync=fsync,
                        time_scale=args.time_scale, http_threads=args.http_threads, timeout_s=args.timeout_s, bursts=args.bursts)
        for fsync in args.fsync
    }
    report: dict[str, Any] = {"missions": args.missions, "max_in_progress": args.max_in_progress, "kept": args.kept, "runs": runs}
    if {"always", "everysec"} <= set(runs):
        report["always_vs_everysec"] = {
            "submit_p50_ratio": round(runs["always"]["submit_p50_s"] / max(1e-9, runs["everysec"]["submit_p50_s"]), 2),
            "missions_per_s_ratio": round(runs["always"]["missions_per_s"] / max(1e-9, runs["everysec"]["missions_per_s"]), 2),
        }
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
