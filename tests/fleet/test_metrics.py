"""Fleet metrics: which events count where, one-hot robot states, and gauges kept alive by refresh."""

from __future__ import annotations

from fleet.metrics import FLEET_METRICS, ROBOT_STATES, FleetMetrics


class Recorder:
    """Stands in for a Ray metric in these pure unit tests: records every call."""

    def __init__(self, name: str):
        self.info = {"name": name}
        self.calls: list[tuple[str, float, dict]] = []

    def inc(self, value, tags):
        self.calls.append(("inc", value, tags))

    def set(self, value, tags):
        self.calls.append(("set", value, tags))


def _metrics() -> FleetMetrics:
    metrics = FleetMetrics("ops")
    for attribute in FLEET_METRICS:
        metrics._made[attribute] = Recorder(attribute)  # in place of the Ray metric
    return metrics


def test_events_count_as_missions_or_subtasks_and_others_are_ignored():
    metrics = _metrics()
    for kind in ("mission_submitted", "subtask_started", "subtask_failed", "mission_rejected", "policy_version", "robot_died"):
        metrics.event(kind)
    metrics.retried()
    assert [c[2] for c in metrics.missions.calls] == [{"fleet": "ops", "status": "submitted"}, {"fleet": "ops", "status": "rejected"}]
    assert [c[2]["event"] for c in metrics.subtasks.calls] == ["dispatched", "failed", "retried"]


def test_robot_state_is_one_hot_and_refresh_sets_every_gauge_to_its_last_value():
    metrics = _metrics()
    metrics.robot("manip_1", 0.5, "working")
    metrics.robot("manip_1", 0.4, "idle")
    metrics.queue(3)
    states = {c[2]["state"]: c[1] for c in metrics.robot_state.calls[-len(ROBOT_STATES):]}
    assert states == {"idle": 1.0, "working": 0.0, "paused": 0.0, "dead": 0.0}
    for gauge in (metrics.battery, metrics.robot_state, metrics.queue_depth):
        gauge.calls.clear()
    metrics.refresh()
    assert metrics.battery.calls == [("set", 0.4, {"fleet": "ops", "robot": "manip_1"})]
    assert {c[2]["state"]: c[1] for c in metrics.robot_state.calls} == states
    assert metrics.queue_depth.calls == [("set", 3, {"fleet": "ops"})]


def test_unknown_attributes_are_still_errors():
    import pytest

    with pytest.raises(AttributeError):
        FleetMetrics("ops").no_such_metric


def test_the_planner_reports_the_checkpoint_version_it_serves():
    from fleet.metrics import PlannerMetrics

    planner = PlannerMetrics.__new__(PlannerMetrics)  # without Ray's histograms
    planner.tags = {"model": "bundled:smollm2"}
    planner._gauges = _metrics()
    planner.model_version(3)
    assert planner._gauges.planner_model_version.calls == [("set", 3, {"model": "bundled:smollm2"})]
