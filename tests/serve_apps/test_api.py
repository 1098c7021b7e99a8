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
