"""The Redis store on a real server: the embedded one, and an external one with a password."""

from __future__ import annotations

import pytest

from fleet.models import Event, Feedback, MissionResult, MissionSpec, MissionStatus, Outcome, OutcomeKind, RobotStatus
from fleet.store import EmbeddedRedis, Store, redact


@pytest.fixture
def embedded(tmp_path):
    server = EmbeddedRedis(tmp_path / "state")
    yield server
    server.close()


def test_missions_round_trip_and_the_active_set_follows_status(embedded):
    store = Store(embedded.url, "ns")
    record = MissionResult(id="m1", status=MissionStatus.RUNNING, spec=MissionSpec(goal=["sliced(apple)"]))
    store.save_mission(record)
    assert store.load_mission("m1") == record
    assert store.active_mission_ids() == ["m1"]
    record.status = MissionStatus.SUCCEEDED
    store.save_mission(record)
    assert store.active_mission_ids() == [] and store.mission_ids() == ["m1"]
    assert store.load_mission("nope") is None


def test_events_feedback_robots_outcomes_and_facts(embedded):
    store = Store(embedded.url, "ns")
    for i in range(3):
        store.add_event(Event(kind="subtask_started", mission="m1" if i < 2 else "m2", message=str(i)))
    assert [e.message for e in store.events()] == ["0", "1", "2"]
    assert [e.message for e in store.events(mission="m2")] == ["2"]
    store.add_feedback(Feedback(mission="m1", subtask="s1", attempt_id="a", skill="pick", robots=["r"], expected_s=4, actual_s=5, success=True))
    assert store.feedback()[0].actual_s == 5
    status = RobotStatus(name="r", kind="k", place="p", battery_wh=10, battery_fraction=0.5)
    store.save_robot(status)
    assert store.load_robot("r") == status
    outcome = Outcome(attempt_id="m1/s1/1", robot="r", kind=OutcomeKind.SUCCEEDED)
    store.save_outcome("r", "work", outcome)
    assert store.load_outcome("r", "m1/s1/1", "work") == outcome and store.load_outcome("r", "m1/s1/1", "travel") is None
    store.save_facts("belief", [("at", "apple", "kitchen")])
    assert store.load_facts("belief") == [("at", "apple", "kitchen")]


def test_namespaces_do_not_see_each_other(embedded):
    a, b = Store(embedded.url, "a"), Store(embedded.url, "b")
    a.save_robot(RobotStatus(name="r", kind="k", place="p", battery_wh=1, battery_fraction=1))
    assert b.load_robot("r") is None
    a.clear()
    assert a.load_robot("r") is None


def test_data_survives_a_server_restart(tmp_path):
    folder = tmp_path / "state"
    server = EmbeddedRedis(folder)
    Store(server.url, "ns").save_facts("world", [("open", "fridge")])
    server.close()
    again = EmbeddedRedis(folder)
    try:
        assert Store(again.url, "ns").load_facts("world") == [("open", "fridge")]
        assert again.server.config_get("appendonly")["appendonly"] == "yes"
    finally:
        again.close()


def test_external_server_with_password(redis_with_password):
    url, password = redis_with_password
    store = Store(url, "ns")
    assert store.ping()
    with pytest.raises(Exception):
        Store(url.replace(f":{password}@", "@"), "ns").ping()
    assert password not in redact(url)


def test_a_client_rides_out_a_killed_server_and_gives_up_after_its_outage_window(embedded):
    import threading
    import time

    import redis

    store = Store(embedded.url, "ns")
    store.save_facts("world", [("open", "fridge")], applied=("m1/s1/1", 1))
    embedded.stop_server(hard=True)  # as a crash would: nothing acknowledged may be lost
    threading.Timer(1.0, embedded.start_server).start()
    started = time.monotonic()
    assert store.load_facts("world") == [("open", "fridge")]  # waited for the server to come back
    assert 0.9 < time.monotonic() - started < 10
    assert store.applications() == {"m1/s1/1": 1}
    embedded.stop_server()
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        Store(embedded.url, "ns", outage_s=0.5).ping()
    assert time.monotonic() - started < 5
    embedded.start_server()
    assert store.ping()


def test_every_write_is_on_disk_before_it_is_acknowledged_unless_told_otherwise(tmp_path):
    durable = EmbeddedRedis(tmp_path / "a")
    faster = EmbeddedRedis(tmp_path / "b", fsync="everysec")
    try:
        assert Store(durable.url, "ns").durability_problem() is None
        assert "appendfsync everysec" in Store(faster.url, "ns").durability_problem()
    finally:
        durable.close()
        faster.close()
    with pytest.raises(ValueError, match="unknown fsync policy 'sometimes'"):
        EmbeddedRedis(tmp_path / "c", fsync="sometimes")


def test_the_mission_list_pages_in_submission_order(embedded):
    store = Store(embedded.url, "ns")
    for i in range(5):
        store.save_mission(MissionResult(id=f"m{i}", status=MissionStatus.SUCCEEDED, spec=MissionSpec(goal=["x(y)"]), submitted_at=100 + i))
    assert store.mission_count() == 5
    assert store.mission_ids(1, 2) == ["m1", "m2"] and store.mission_ids(4, 10) == ["m4"] and store.mission_ids(0, 0) == []
    assert store.mission_ids() == [f"m{i}" for i in range(5)]
