"""Operations on a real Ray head started with `ray start`: serve deploy, ray job submit, a second driver, names, metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from fleet.placement import EDGE, HEAD, PLANNER, SHARE
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
RAY = str(Path(sys.executable).parent / "ray")
SERVE = str(Path(sys.executable).parent / "serve")
NAMESPACE = "ops"
MISSION = "Bring the red box to loading dock B."


def test_cluster_yaml_passes_rays_own_validation():
    from ray.autoscaler._private.util import prepare_config, validate_config

    raw = yaml.safe_load((ROOT / "cluster.yaml").read_text())
    config = prepare_config(raw)
    validate_config(config)
    types = config["available_node_types"]
    assert config["head_node_type"] == "head"
    assert types["planner"]["resources"]["planner"] == 1 and types["planner"]["resources"]["GPU"] >= 1
    assert types["edge"]["resources"]["edge"] == 1
    assert any("pip install" in c and "~/fleet" in c for c in config["setup_commands"])
    broken = dict(raw, head_node_type="missing")
    with pytest.raises(ValueError, match="head_node_type"):
        validate_config(prepare_config(broken))


def test_serve_config_is_a_valid_deploy_schema_for_the_planner():
    from ray.serve.schema import ServeDeploySchema

    from fleet.config import PlannerConfig

    schema = ServeDeploySchema.model_validate(yaml.safe_load((ROOT / "examples/serve_config.yaml").read_text()))
    (app,) = schema.applications
    assert app.name == "planner" and app.import_path == "serve_apps.deployment:build_app"
    # the same settings as a fleet's default planner, so a fleet started later reuses this app
    assert PlannerConfig.model_validate(app.args) == PlannerConfig()


def _run(*args: str, env: dict, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out


def _wait_for(what: str, probe, timeout: float, interval: float = 2.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what}: not reached in {timeout:.0f} s")


@pytest.fixture(scope="module")
def head():
    """A Ray head on free ports, as `ray start --head` makes it, stopped afterwards (its processes only).

    It also carries the `edge` and `planner` resources of cluster.yaml's node types, so robots and the
    planner's replicas are placed as on such a cluster.
    """
    # every port of its own: the test session's Ray already holds the defaults (e.g. the node agent's 52365)
    ports = {name: free_port() for name in ("gcs", "dashboard", "metrics", "client", "http", "agent", "agent_grpc", "runtime_env", "node_manager", "object_manager")}
    temp = tempfile.mkdtemp(prefix="rayops", dir="/tmp")  # short: Ray's socket paths live under it
    # token auth, as a `ray start` head has by default; `python` in jobs is this virtual environment's
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_USAGE_STATS_ENABLED": "0", "PATH": f"{venv_bin}:{os.environ['PATH']}"}
    env.pop("RAY_ADDRESS", None)
    process = subprocess.Popen(
        [RAY, "start", "--head", "--block", f"--port={ports['gcs']}", f"--dashboard-port={ports['dashboard']}",
         "--dashboard-host=127.0.0.1", f"--metrics-export-port={ports['metrics']}", f"--ray-client-server-port={ports['client']}",
         f"--dashboard-agent-listen-port={ports['agent']}", f"--dashboard-agent-grpc-port={ports['agent_grpc']}",
         f"--runtime-env-agent-port={ports['runtime_env']}", f"--node-manager-port={ports['node_manager']}",
         f"--object-manager-port={ports['object_manager']}",
         "--num-cpus=2", '--resources={"edge": 4, "planner": 1}', "--include-dashboard=true", f"--temp-dir={temp}", "--disable-usage-stats"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    dashboard = f"http://127.0.0.1:{ports['dashboard']}"
    try:
        _wait_for("dashboard up", lambda: _reachable(f"{dashboard}/api/version"), timeout=90)
        yield {"env": env, "dashboard": dashboard, "gcs": f"127.0.0.1:{ports['gcs']}", "http": ports["http"], "metrics": ports["metrics"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # `ray start --block` stops what it started
        try:
            process.wait(timeout=10)  # a graceful stop waits on Serve's replicas: no need here
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        subprocess.run(["pkill", "-f", temp], check=False)  # anything of this head still running


def _reachable(url: str) -> bool:
    """Whether a server answers at all (the dashboard answers 401 without the cluster's token)."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


SECOND_DRIVER = """
import json, sys
from ray.util.state import list_actors
from fleet import Fleet

fleet = Fleet.connect(sys.argv[1])
missions = [{"status": m.status.value, "text": m.spec.text, "goal": m.goal} for m in fleet.missions()]
actors = {a.name: a.required_resources for a in list_actors(filters=[("state", "=", "ALIVE")], limit=10_000, detail=True) if a.name}
print(json.dumps({"missions": missions, "actors": actors, "robots": [r.name for r in fleet.robots()], "policy": fleet.policy()}))
if len(sys.argv) > 2:
    fleet.shutdown()
"""


@pytest.mark.integration
def test_serve_deploy_job_submit_connect_names_and_metrics(head, tmp_path):
    env = head["env"]
    # 1. the planner application from the example Serve config (on a free HTTP port)
    config = yaml.safe_load((ROOT / "examples/serve_config.yaml").read_text())
    config["http_options"] = {"host": "127.0.0.1", "port": head["http"]}
    serve_file = tmp_path / "serve_config.yaml"
    serve_file.write_text(yaml.safe_dump(config))
    _run(SERVE, "deploy", str(serve_file), "--address", head["dashboard"], env=env)

    def planner_running() -> bool:
        status = _run(SERVE, "status", "--address", head["dashboard"], env=env, check=False).stdout
        return "status: RUNNING" in status and "planner" in status

    _wait_for("planner app RUNNING", planner_running, timeout=240)

    # 2. the job, exactly as a user submits it
    submit = (
        RAY, "job", "submit", "--address", head["dashboard"], "--working-dir", ".", "--no-wait", "--",
        "python", "-m", "fleet", "run", "--world", "warehouse", "--mission", MISSION, "--policy", "learned",
        "--keep", "--namespace", NAMESPACE, "--http-port", str(head["http"]), "--json",
    )

    def submitted() -> str:
        # a busy head can answer before its node agent takes jobs ("No available agent"): ask again
        out = _run(*submit, env=env, check=False)
        if out.returncode != 0 and "No available agent" not in out.stderr:
            raise AssertionError(f"ray job submit failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
        found = re.search(r"(raysubmit_\w+)", out.stdout + out.stderr)
        return found.group(1) if out.returncode == 0 and found else ""

    submission = _wait_for("job submitted", submitted, timeout=120, interval=5)

    def job_done() -> str:
        out = _run(RAY, "job", "status", submission, "--address", head["dashboard"], env=env, check=False)
        ended = re.search(r"Job '\w+' (succeeded|failed|was stopped)", out.stdout + out.stderr)
        return ended.group(1) if ended else ""

    state = _wait_for("job finished", job_done, timeout=300)
    logs = _run(RAY, "job", "logs", submission, "--address", head["dashboard"], env=env, check=False).stdout
    assert state == "succeeded", logs[-3000:]
    printed, _ = json.JSONDecoder().raw_decode(logs, logs.rindex("{", 0, logs.index('"world"')))
    assert [m["status"] for m in printed["missions"]] == ["succeeded"], printed

    # 3. a second driver sees the same fleet, and every actor has a readable name
    driver_env = {**env, "RAY_ADDRESS": head["gcs"]}
    seen = json.loads(_run(sys.executable, "-c", SECOND_DRIVER, NAMESPACE, env=driver_env).stdout.strip().splitlines()[-1])
    assert [(m["status"], m["text"]) for m in seen["missions"]] == [("succeeded", MISSION)]
    assert "at(red_box, loading_dock_b)" in seen["missions"][0]["goal"]
    assert seen["policy"]["policy"] == "learned"
    expected = {"coordinator", "world", "store", "policy-trainer"} | {f"robot:{name}" for name in seen["robots"]}
    assert expected <= set(seen["actors"]), sorted(expected - set(seen["actors"]))
    # robots on the edge resource, the rest of the fleet on the head node, the planner's replica on `planner`
    for name in expected:
        wants = seen["actors"][name]
        where = {EDGE: SHARE} if name.startswith("robot:") else {HEAD: SHARE}
        assert {k: v for k, v in wants.items() if k in (EDGE, HEAD)} == where, (name, wants)
    replicas = [wants for name, wants in seen["actors"].items() if name.startswith("SERVE_REPLICA::planner")]
    assert replicas and all(wants.get(PLANNER) == SHARE for wants in replicas), seen["actors"]

    # 4. the metrics, from the node's Prometheus endpoint
    wanted = [
        'ray_fleet_missions_total{.*fleet="ops".*status="succeeded"',
        'ray_fleet_missions_total{.*fleet="ops".*status="submitted"',
        'ray_fleet_subtasks_total{.*event="dispatched"',
        'ray_fleet_subtasks_total{.*event="succeeded"',
        'ray_fleet_queue_depth{.*fleet="ops"',
        'ray_fleet_policy_version{.*policy="learned"',
        'ray_fleet_robot_battery_fraction{.*robot="manip_1"',
        'ray_fleet_robot_state{.*robot="manip_1".*state="idle"',
        "ray_fleet_planner_latency_s_bucket{",
        "ray_fleet_planner_tokens_bucket{",
    ]
    url = f"http://127.0.0.1:{head['metrics']}/metrics"

    def exported() -> bool:
        try:
            text = urllib.request.urlopen(url, timeout=10).read().decode()
        except OSError:
            return False
        exported.missing = [w for w in wanted if not re.search(w, text)]
        return not exported.missing

    exported.missing = wanted
    try:
        _wait_for("metrics exported", exported, timeout=90, interval=3)
    except AssertionError:
        raise AssertionError(f"metrics missing from {url}: {exported.missing}") from None
    # the example Grafana dashboard charts only series that are really exported
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    charted = set(re.findall(r"ray_fleet_\w+", (ROOT / "examples/grafana_dashboard.json").read_text()))
    assert len(charted) >= 8 and not [name for name in charted if f"\n{name}{{" not in text], charted
    _run(sys.executable, "-c", SECOND_DRIVER, NAMESPACE, "shutdown", env=driver_env)
