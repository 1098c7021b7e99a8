"""The HTTP ingress: missions and robots over HTTP, bearer-token auth, OpenAPI docs."""

from __future__ import annotations

import time

import pytest
import requests

pytestmark = pytest.mark.integration


def test_missions_and_robots_over_http_with_a_token(start_fleet):
    fleet = start_fleet("household", planner="llm")
    base = fleet.start_api(token="t0ken", route_prefix=f"/{fleet.config.namespace}")
    auth = {"Authorization": "Bearer t0ken"}

    assert requests.get(f"{base}/robots", timeout=30).status_code == 401
    assert requests.get(f"{base}/robots", headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    robots = requests.get(f"{base}/robots", headers=auth, timeout=30).json()
    assert {r["name"] for r in robots} == {r.name for r in fleet.config.load_world().robots}

    bad = requests.post(f"{base}/missions", json={"text": "open it", "goal": ["open(fridge)"]}, headers=auth, timeout=30)
    assert bad.status_code == 422 and "exactly one of text, goal or plan" in bad.text
    assert requests.get(f"{base}/missions/nope", headers=auth, timeout=30).status_code == 404

    submitted = requests.post(f"{base}/missions", json={"text": "Open the fridge."}, headers=auth, timeout=30)
    assert submitted.status_code == 201
    mission_id = submitted.json()["id"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        record = requests.get(f"{base}/missions/{mission_id}", headers=auth, timeout=30).json()
        if record["status"] in ("succeeded", "failed", "rejected", "cancelled"):
            break
        time.sleep(0.5)
    assert record["status"] == "succeeded" and record["goal"] == ["open(fridge)"], record.get("error")

    schema = requests.get(f"{base}/openapi.json", timeout=30).json()
    assert {"/missions", "/missions/{mission_id}", "/robots"} <= set(schema["paths"])
    assert requests.get(f"{base}/docs", timeout=30).status_code == 200


def test_a_full_fleet_refuses_with_429_and_cancel_and_events_need_the_token_which_no_log_shows(start_fleet, ray_session, planner_app):
    import uuid
    from pathlib import Path

    from fleet.errors import FleetBusy

    secret = f"planted-{uuid.uuid4().hex}"
    # Serve's proxy runs already, on the planner app's port: start_api answers with that one
    fleet = start_fleet("household", max_missions_in_progress=2, busy_retry_after_s=3.0, time_scale=1.0, planner="classical")
    base = fleet.start_api(token=secret, route_prefix=f"/{fleet.config.namespace}")
    assert f":{planner_app['port']}/" in base
    auth = {"Authorization": f"Bearer {secret}"}

    accepted = [requests.post(f"{base}/missions", json={"goal": [goal]}, headers=auth, timeout=30) for goal in ("switched_on(tv)", "switched_on(lamp)")]
    assert [r.status_code for r in accepted] == [201, 201]
    refused = requests.post(f"{base}/missions", json={"goal": ["open(fridge)"]}, headers=auth, timeout=30)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3" and "2 missions in progress" in refused.text
    with pytest.raises(FleetBusy, match="max_missions_in_progress") as busy:
        fleet.submit(goal=["open(fridge)"])
    assert busy.value.retry_after_s == 3.0

    first = accepted[0].json()["id"]
    assert requests.post(f"{base}/missions/{first}/cancel", timeout=30).status_code == 401
    assert requests.get(f"{base}/events", timeout=30).status_code == 401
    cancelled = requests.post(f"{base}/missions/{first}/cancel", headers=auth, timeout=30).json()
    assert cancelled["id"] == first and cancelled["status"] in ("cancelled", "succeeded")
    assert requests.post(f"{base}/missions/nope/cancel", headers=auth, timeout=30).status_code == 404
    events = requests.get(f"{base}/events", params={"mission": first, "count": 500}, headers=auth, timeout=30).json()
    assert events[0]["kind"] == "mission_submitted" and all(e["mission"] == first for e in events)
    # a place freed: the next submission is taken
    assert requests.post(f"{base}/missions", json={"goal": ["open(fridge)"]}, headers=auth, timeout=30).status_code == 201
    page = requests.get(f"{base}/missions", params={"offset": 1, "limit": 1}, headers=auth, timeout=30).json()
    assert page["total"] == 3 and page["offset"] == 1 and [m["id"] for m in page["missions"]] == [accepted[1].json()["id"]]
    assert requests.get(f"{base}/missions", headers=auth, params={"limit": 0}, timeout=30).status_code == 422

    # hostile bodies: a typed answer to each (422 says what was wrong), and the API keeps serving
    answers = [requests.post(f"{base}/missions", data=body, headers={**auth, "Content-Type": "application/json"}, timeout=30)
               for body in _hostile_bodies(40)]
    assert {a.status_code for a in answers} <= {201, 400, 422, 429}, [(a.status_code, a.text[:200]) for a in answers]
    assert all(a.json()["detail"] for a in answers if a.status_code >= 400)  # 400: not JSON at all
    assert requests.get(f"{base}/robots", headers=auth, timeout=30).status_code == 200

    # the token is in no event and in no log of this Ray session
    assert secret not in " ".join(e.model_dump_json() for e in fleet.events(count=10_000))
    logs = Path(ray_session._private.worker._global_node.get_session_dir_path()) / "logs"
    leaked = [p.name for p in logs.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert not leaked, leaked


def _hostile_bodies(count: int, seed: int = 7) -> list[bytes]:
    """Seeded random request bodies: nested JSON of odd types, cut-off JSON, bytes that are not text."""
    import json
    import random

    rng = random.Random(seed)
    leaves = [None, True, -1, 1e308, "", "open(fridge", "\u0000", "x" * 5000, ["goal"], {"plan": None}]

    def value(depth: int = 0):
        if depth > 3 or rng.random() < 0.4:
            return rng.choice(leaves)
        if rng.random() < 0.5:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        keys = ["text", "goal", "plan", "priority", "labels", "deadline_s", "tidy", "subtasks", "id"]
        return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 4))}

    bodies = []
    for i in range(count):
        text = json.dumps(value())
        kind = i % 4
        bodies.append(text.encode() if kind < 2 else text[: rng.randint(0, len(text))].encode() if kind == 2 else rng.randbytes(rng.randint(1, 64)))
    return bodies
