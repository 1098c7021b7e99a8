"""Fleet metrics through `ray.util.metrics`: Ray exports them to Prometheus (names get a `ray_` prefix).

| metric                         | kind      | tags                 | what                                        |
|--------------------------------|-----------|----------------------|---------------------------------------------|
| `fleet_missions`               | counter   | fleet, status        | missions submitted, succeeded, failed, rejected, cancelled |
| `fleet_subtasks`               | counter   | fleet, event         | subtask attempts dispatched, succeeded, failed, retried |
| `fleet_queue_depth`            | gauge     | fleet                | ready subtasks waiting for robots           |
| `fleet_policy_version`         | gauge     | fleet, policy        | version of the allocation policy's weights  |
| `fleet_robot_battery_fraction` | gauge     | fleet, robot         | each robot's charge, 0..1                   |
| `fleet_robot_state`            | gauge     | fleet, robot, state  | 1 for the robot's state (idle, working, paused, dead), 0 for the others |
| `fleet_planner_latency_s`      | histogram | model, engine        | seconds per planned mission                 |
| `fleet_planner_tokens`         | histogram | model, engine        | tokens the model generated per mission      |
| `fleet_planner_model_version`  | gauge     | model, engine        | version of the fine-tuned planner checkpoint in service (0: the base model) |
| `fleet_planner_training_progress` | gauge  | fleet                | share of the planner's background training done, 0..1 |

Each actor builds the metrics it records once (they need a running Ray); `examples/grafana_dashboard.json`
charts them. Ray drops a gauge series that has not been set for about a minute, so a fleet's gauges are
set again every `GAUGE_REFRESH_S` seconds while their actor lives (an idle fleet still shows its robots).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Optional

MISSION_EVENTS = {f"mission_{s}": s for s in ("submitted", "succeeded", "failed", "rejected", "cancelled")}
SUBTASK_EVENTS = {"subtask_started": "dispatched", "subtask_succeeded": "succeeded", "subtask_failed": "failed"}
ROBOT_STATES = ("idle", "working", "paused", "dead")
LATENCY_BOUNDARIES = [0.5, 1, 2, 5, 10, 20, 30, 60, 120]
TOKEN_BOUNDARIES = [8, 16, 32, 64, 128, 256, 512, 1024]
GAUGE_REFRESH_S = 10.0


# the fleet's counters and gauges: attribute -> (kind, Ray name, description, tags)
FLEET_METRICS = {
    "missions": ("counter", "fleet_missions", "Missions by how they ended (and submitted)", ("fleet", "status")),
    "subtasks": ("counter", "fleet_subtasks", "Subtask attempts dispatched, succeeded, failed, retried", ("fleet", "event")),
    "queue_depth": ("gauge", "fleet_queue_depth", "Ready subtasks waiting for robots", ("fleet",)),
    "policy_version": ("gauge", "fleet_policy_version", "Version of the allocation policy's weights in use", ("fleet", "policy")),
    "battery": ("gauge", "fleet_robot_battery_fraction", "Robot charge, 0 to 1", ("fleet", "robot")),
    "robot_state": ("gauge", "fleet_robot_state", "1 for the state a robot is in", ("fleet", "robot", "state")),
    "planner_model_version": ("gauge", "fleet_planner_model_version", "Fine-tuned planner checkpoint in service", ("model", "engine")),
    "planner_training": ("gauge", "fleet_planner_training_progress", "Share of the planner's background training done", ("fleet",)),
}


class FleetMetrics:
    """The coordinator's and robots' metrics for one fleet (its namespace is the `fleet` tag)."""

    def __init__(self, fleet: str):
        self.fleet = fleet
        self._made: dict[str, Any] = {}  # attribute -> Ray metric, built on first use
        self._last: dict[tuple, tuple[Any, float, dict[str, str]]] = {}  # series -> (gauge, value, tags)
        self._lock = threading.Lock()
        self._refresher: Optional[threading.Thread] = None

    def __getattr__(self, attribute: str):
        """`self.missions`, `self.battery`, ...: the Ray metric of FLEET_METRICS, made once."""
        if attribute not in FLEET_METRICS:
            raise AttributeError(attribute)
        made = self.__dict__["_made"]
        if attribute not in made:
            from ray.util.metrics import Counter, Gauge

            kind, name, description, tags = FLEET_METRICS[attribute]
            made[attribute] = (Counter if kind == "counter" else Gauge)(name, description=description, tag_keys=tags)
        return made[attribute]

    def set_gauge(self, gauge, value: float, tags: dict[str, str]) -> None:
        """Set a gauge series and keep setting it while this process lives."""
        gauge.set(value, tags=tags)
        with self._lock:
            self._last[(gauge.info["name"], *sorted(tags.items()))] = (gauge, value, tags)
            if self._refresher is None:
                self._refresher = threading.Thread(target=self._refresh_forever, name="fleet-gauges", daemon=True)
                self._refresher.start()

    def _refresh_forever(self) -> None:
        while True:
            time.sleep(GAUGE_REFRESH_S)
            self.refresh()

    def refresh(self) -> None:
        """Set every gauge series again to its last value, so the exporter keeps it."""
        with self._lock:
            series = list(self._last.values())
        for gauge, value, tags in series:
            gauge.set(value, tags=tags)

    def event(self, kind: str) -> None:
        """Count an event of the coordinator's stream, when it is one the metrics follow."""
        if kind in MISSION_EVENTS:
            self.missions.inc(1, tags={"fleet": self.fleet, "status": MISSION_EVENTS[kind]})
        elif kind in SUBTASK_EVENTS:
            self.subtasks.inc(1, tags={"fleet": self.fleet, "event": SUBTASK_EVENTS[kind]})

    def retried(self) -> None:
        self.subtasks.inc(1, tags={"fleet": self.fleet, "event": "retried"})

    def queue(self, depth: int) -> None:
        self.set_gauge(self.queue_depth, depth, {"fleet": self.fleet})

    def policy(self, name: str, version: int) -> None:
        self.set_gauge(self.policy_version, version, {"fleet": self.fleet, "policy": name})

    def planner_progress(self, fraction: float) -> None:
        self.set_gauge(self.planner_training, fraction, {"fleet": self.fleet})

    def robot(self, name: str, battery_fraction: float, state: str) -> None:
        self.set_gauge(self.battery, battery_fraction, {"fleet": self.fleet, "robot": name})
        for each in ROBOT_STATES:
            self.set_gauge(self.robot_state, 1.0 if each == state else 0.0, {"fleet": self.fleet, "robot": name, "state": each})


class PlannerMetrics:
    """The language planner's latency and tokens per mission, by model and inference engine."""

    def __init__(self, model: str, engine: str = ""):
        from ray.util.metrics import Histogram

        self.tags = {"model": model, "engine": engine}
        self._gauges = FleetMetrics(fleet="")
        self.latency = Histogram(
            "fleet_planner_latency_s", description="Seconds to plan one mission", boundaries=LATENCY_BOUNDARIES, tag_keys=("model", "engine")
        )
        self.tokens = Histogram(
            "fleet_planner_tokens", description="Tokens generated per mission", boundaries=TOKEN_BOUNDARIES, tag_keys=("model", "engine")
        )

    def planned(self, seconds: float, tokens: Optional[int]) -> None:
        self.latency.observe(seconds, tags=self.tags)
        if tokens is not None:
            self.tokens.observe(tokens, tags=self.tags)

    def model_version(self, version: int) -> None:
        """The fine-tuned checkpoint now answering (0 for the model it was tuned from)."""
        self._gauges.set_gauge(self._gauges.planner_model_version, version, self.tags)
