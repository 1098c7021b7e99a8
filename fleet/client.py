"""The Fleet client: start or connect to a fleet on Ray, submit missions, wait, inspect, cancel.

    from fleet import Fleet
    fleet = Fleet.start(world="warehouse", time_scale=100.0)
    m = fleet.submit(goal=["at(red_box, loading_dock_b)"])
    r = m.wait(timeout=300, progress=True)
    print(r.status, r.makespan_s)
    fleet.shutdown()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from pydantic import ValidationError

from fleet.config import FleetConfig, PlannerConfig, PlannerTrainingConfig
from fleet.errors import FleetError
from fleet.models import Event, MissionResult, MissionSpec, RobotStatus, RobotTable
from fleet.placement import EDGE, HEAD, resources_for
from fleet.plan import Plan
from fleet.sim import FaultModel
from fleet.store import Store, default_state_dir, redact
from fleet.world import World, load_world

if TYPE_CHECKING:
    from serve_apps.tuning import RetrainResult

logger = logging.getLogger(__name__)
POLL_S = 0.1
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PLANNERS = ("llm", "classical")  # llm: text missions through the language planner; classical: goals and plans


def ensure_ray(num_cpus: Optional[int] = None) -> bool:
    """Join the Ray cluster if there is one (RAY_ADDRESS or a local `ray start`), else start Ray here.

    Returns True when this call started Ray.
    """
    import ray

    if ray.is_initialized():
        return False
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
        return True
    try:
        ray.init(address="auto", log_to_driver=False)
    except ConnectionError:
        ray.init(num_cpus=num_cpus, log_to_driver=False)
    return True


@contextlib.contextmanager
def _fleet_errors() -> Iterator[None]:
    """Raise a FleetError from an actor call as itself, not wrapped in Ray's task error."""
    from ray.exceptions import RayTaskError

    try:
        yield
    except RayTaskError as err:
        if isinstance(err.cause, FleetError):
            raise err.cause from None
        raise


def _found(result: Optional[MissionResult], mission_id: str) -> MissionResult:
    if result is None:
        raise FleetError(f"no mission {mission_id!r}")
    return result


def _named_actor(name: str, namespace: str):
    import ray

    try:
        return ray.get_actor(name, namespace=namespace)
    except ValueError:
        return None


class MissionHandle:
    """A submitted mission: poll it, wait for it, cancel it."""

    def __init__(self, fleet: "Fleet", mission_id: str):
        self.fleet = fleet
        self.id = mission_id

    def __repr__(self) -> str:
        return f"MissionHandle({self.id!r})"

    def status(self) -> MissionResult:
        return self.fleet.mission(self.id)

    def cancel(self) -> MissionResult:
        return self.fleet.cancel(self.id)

    def wait(self, timeout: float = 300.0, progress: bool = False) -> MissionResult:
        """Block until the mission ends; a progress bar shows finished subtasks (terminal or notebook)."""
        deadline = time.monotonic() + timeout
        bar = None
        try:
            while True:
                result = self._poll()
                if result is not None:
                    if progress:
                        bar = self._draw(bar, result)
                    if result.status.terminal:
                        return result
                if time.monotonic() > deadline:
                    state = result.status.value if result else "unknown"
                    raise TimeoutError(f"mission {self.id} is still {state} after {timeout:g} s")
                time.sleep(POLL_S)
        finally:
            if bar is not None:
                bar.close()

    async def wait_async(self, timeout: float = 300.0) -> MissionResult:
        """The same wait for code that runs an event loop (notebooks, async services).

        The coordinator answers as soon as the mission ends, so nothing polls in between.
        """
        from ray.exceptions import RayActorError

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                result = await self.fleet.coordinator.wait.remote(self.id, max(0.0, min(remaining, 5.0)))
            except RayActorError:  # the coordinator is restarting; it rebuilds the mission from the store
                result = None
                await asyncio.sleep(POLL_S)
            if result is not None and result.status.terminal:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"mission {self.id} did not finish within {timeout:g} s")

    def _poll(self) -> Optional[MissionResult]:
        from ray.exceptions import RayActorError

        try:
            return self.fleet.mission(self.id)
        except RayActorError:
            return None  # the coordinator is restarting; it rebuilds the mission from the store

    @staticmethod
    def _draw(bar: Any, result: MissionResult) -> Any:
        from tqdm.auto import tqdm

        live = [s for s in result.subtasks if s.status.value != "skipped"]
        done = sum(1 for s in live if s.status.value in ("succeeded", "failed", "cancelled"))
        if bar is None:
            bar = tqdm(total=max(len(live), 1), desc=f"mission {result.id}", unit="subtask")
        bar.total = max(len(live), 1)
        bar.n = done
        bar.set_postfix_str(result.status.value)
        bar.refresh()
        return bar


class Fleet:
    """A running fleet: a coordinator, one actor per robot, the world actor and the store."""

    def __init__(self, config: FleetConfig, coordinator: Any, started_ray: bool = False):
        self.config = config
        self.coordinator = coordinator
        self.started_ray = started_ray

    # ---- life cycle --------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        world: str = "warehouse",
        *,
        planner: str = "llm",
        planner_config: Union[PlannerConfig, dict, None] = None,
        policy: str = "auction",
        time_scale: float = 100.0,
        namespace: str = "fleet",
        redis_url: Optional[str] = None,
        state_dir: Optional[Union[str, Path]] = None,
        faults: Union[FaultModel, dict, None] = None,
        seed: int = 0,
        fresh: bool = False,
        num_cpus: Optional[int] = None,
        **settings: Any,
    ) -> "Fleet":
        """Start a fleet in a Ray namespace (joining a running Ray cluster if there is one).

        `world` is a bundled world name or a YAML path. `planner="llm"` (the default) deploys
        the shared language planner (a Serve app, reused when one with the same `planner_config`
        runs) so text missions work; `"classical"` takes goals and plans only. With
        `fresh=False` a fleet that ran in the same namespace and store before picks up where it
        stopped: its missions, robots and world state come back from Redis. `settings` sets
        other `FleetConfig` fields.
        """
        import ray

        from actors.coordinator import COORDINATOR_NAME, Coordinator
        from actors.robot import RobotActor, robot_actor_name
        from actors.store_server import StoreServer
        from actors.world import WorldActor

        loaded = load_world(world)
        if planner not in PLANNERS:
            raise FleetError(f"unknown planner {planner!r}; planners: {', '.join(PLANNERS)}")
        try:
            config = FleetConfig(
                world=world,
                world_data=loaded.model_dump(mode="json"),
                namespace=namespace,
                planner=planner,
                planner_config=PlannerConfig.model_validate(planner_config or {})
                if not isinstance(planner_config, PlannerConfig)
                else planner_config,
                policy=policy,
                time_scale=time_scale,
                redis_url=redis_url or os.environ.get("REDIS_URL"),
                state_dir=str(state_dir) if state_dir else None,
                faults=FaultModel.model_validate(faults) if isinstance(faults, dict) else (faults or FaultModel()),
                seed=seed,
                **settings,
            )
        except ValidationError as err:
            raise FleetError(f"invalid fleet settings: {err}") from None
        from policies.base import make_policy

        make_policy(policy)  # an unknown policy or driver fails here, before any actor starts
        from actors.drivers import DRIVERS

        DRIVERS.get(config.driver)  # raises FleetError naming the known drivers
        if config.planner == "llm":
            from serve_apps.llm import BACKENDS

            if config.planner_config.llm.backend != "auto":  # auto picks a known one where the planner runs
                BACKENDS.get(config.planner_config.llm.backend)
        started_ray = ensure_ray(num_cpus)
        if _named_actor(COORDINATOR_NAME, namespace) is not None:
            raise FleetError(f"a fleet is already running in namespace {namespace!r}: use Fleet.connect() or shut it down")
        if config.planner == "llm":
            from serve_apps.deployment import deploy_planner, ensure_serve

            ensure_serve(config.http_port)
            deploy_planner(config.planner_config, name=config.planner_app)

        def options(name: str, resources: Optional[dict[str, float]] = None) -> dict[str, Any]:
            # robots say where they go (edge nodes, or anywhere); the rest of the fleet stays on the head node
            placed = resources if resources is not None else resources_for(default=HEAD)
            return {"name": name, "namespace": namespace, "lifetime": "detached", "resources": placed}

        store_url = config.redis_url
        if store_url is None:
            folder = Path(config.state_dir) if config.state_dir else default_state_dir() / namespace
            server = StoreServer.options(**options("store")).remote(str(folder), namespace, config.redis_fsync)
            store_url = ray.get(server.url.remote())
            if ray.get(server.adopted.remote()):
                logger.warning("the Redis server of an earlier fleet in %s was still running: this fleet uses it (and stops it at shutdown)", folder)
        store = Store(store_url, namespace, outage_s=2.0)  # a wrong address fails in seconds, not after an outage's wait
        try:
            store.ping()
        except Exception as err:  # noqa: BLE001 - any connection problem gets the same clear message
            raise FleetError(f"cannot reach Redis at {redact(store_url)}: {err}") from None
        if config.redis_url and (problem := store.durability_problem()):
            logger.warning("the Redis server at %s may lose acknowledged missions: %s", redact(store_url), problem)
        if fresh:
            store.clear()
        payload = config.model_dump(mode="json")
        world_actor = WorldActor.options(**options("world")).remote(payload, store_url)
        ray.get(world_actor.facts.remote())
        robots = [
            RobotActor.options(**options(robot_actor_name(r.name), resources_for(loaded.robot_kinds[r.kind].resource, EDGE))).remote(
                r.name, payload, store_url
            )
            for r in loaded.robots
        ]
        ray.get([r.status.remote() for r in robots])
        coordinator = Coordinator.options(**options(COORDINATOR_NAME)).remote(payload, store_url)
        ray.get(coordinator.ping.remote())
        if config.policy == "learned" and config.trainer.enabled:
            from actors.trainer import TRAINER_NAME, PolicyTrainer

            trainer = PolicyTrainer.options(**options(TRAINER_NAME)).remote(payload, store_url)
            ray.get(trainer.status.remote())
        return cls(config, coordinator, started_ray)

    @classmethod
    def connect(cls, namespace: str = "fleet") -> "Fleet":
        """Attach to a fleet that is already running (from another driver, a job or a notebook)."""
        import ray

        from actors.coordinator import COORDINATOR_NAME

        ensure_ray()
        coordinator = _named_actor(COORDINATOR_NAME, namespace)
        if coordinator is None:
            raise FleetError(f"no fleet is running in namespace {namespace!r}: start one with Fleet.start()")
        config = FleetConfig.model_validate(ray.get(coordinator.get_config.remote()))
        return cls(config, coordinator)

    def start_api(self, token: Optional[str] = None, route_prefix: str = "/", host: str = "127.0.0.1") -> str:
        """Serve this fleet over HTTP (missions, cancel, events, robots, /docs). Returns the base URL.

        With a `token` (or FLEET_API_TOKEN set) every request needs `Authorization: Bearer
        <token>`. Serve's proxy binds to `host` when this starts Serve; on anything but loopback
        a token is required, and one is made and printed once when none is given.
        """
        import secrets

        from ray import serve

        from serve_apps.api import API_APP, api_app
        from serve_apps.deployment import ensure_serve

        host, port = ensure_serve(self.config.http_port, host)  # a running Serve keeps its own host and port
        token = token or os.environ.get("FLEET_API_TOKEN")
        if not token and host not in LOOPBACK_HOSTS:
            token = secrets.token_urlsafe(24)
            print(f"the fleet API on {host}:{port} needs this bearer token: {token}", file=sys.stderr)
        serve.run(api_app(self.config.namespace, token), name=f"{API_APP}-{self.config.namespace}", route_prefix=route_prefix)
        shown = "127.0.0.1" if host in LOOPBACK_HOSTS or host in ("0.0.0.0", "::") else host
        return f"http://{shown}:{port}{route_prefix.rstrip('/')}"

    def shutdown(self) -> None:
        """Stop every actor of this fleet and its HTTP API; the store keeps what it holds on disk.

        The shared language planner stays up for the next fleet (it takes tens of seconds to
        load); `serve.delete("planner")` stops it.
        """
        import ray

        from actors.coordinator import COORDINATOR_NAME
        from actors.robot import robot_actor_name

        if ray.is_initialized():
            self._stop_api()

        from actors.trainer import TRAINER_NAME

        names = [TRAINER_NAME, COORDINATOR_NAME, "world"] + [robot_actor_name(r["name"]) for r in (self.config.world_data or {}).get("robots", [])]
        for name in names:
            actor = _named_actor(name, self.config.namespace)
            if actor is not None:
                ray.kill(actor, no_restart=True)
        store = _named_actor("store", self.config.namespace)
        if store is not None:
            try:
                ray.get(store.close.remote(), timeout=30)
            finally:
                ray.kill(store, no_restart=True)
        if self.started_ray:
            ray.shutdown()

    def _stop_api(self) -> None:
        from ray import serve

        from serve_apps.api import API_APP

        name = f"{API_APP}-{self.config.namespace}"
        try:
            if name in serve.status().applications:
                serve.delete(name)
        except Exception:  # noqa: BLE001 - Serve never ran on this cluster: nothing to stop
            pass

    def __enter__(self) -> "Fleet":
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # ---- missions ----------------------------------------------------------------------------
    @staticmethod
    def _spec(mission: Union[str, dict, None], goal: Optional[list[str]], plan: Union[Plan, dict, None], **extra: Any) -> dict:
        if mission is not None and (goal is not None or plan is not None):
            raise FleetError("give the mission as text, or goal=..., or plan=..., not several")
        if isinstance(mission, dict):
            data = dict(mission)
            if "subtasks" in data:
                data = {"plan": data}
        elif isinstance(mission, str):
            data = {"text": mission}
        else:
            data = {"goal": goal} if goal is not None else {"plan": plan}
        data.update({k: v for k, v in extra.items() if v is not None})
        try:
            return MissionSpec.model_validate(data).model_dump(mode="json")
        except ValueError as err:
            raise FleetError(f"invalid mission: {err}") from None

    def submit(
        self,
        mission: Union[str, dict, None] = None,
        *,
        goal: Optional[list[str]] = None,
        plan: Union[Plan, dict, None] = None,
        priority: int = 0,
        labels: Optional[dict[str, str]] = None,
        deadline_s: Optional[float] = None,
        tidy: Optional[bool] = None,
    ) -> MissionHandle:
        """Submit text, a goal (list of literals) or a plan; returns once the mission is stored.

        `tidy=False` lets the plan leave open what it opened (see the world's `tidy:` states).
        """
        spec = self._spec(mission, goal, plan, priority=priority, labels=labels, deadline_s=deadline_s, tidy=tidy)
        return MissionHandle(self, self._ask("submit", spec))

    async def submit_async(self, mission: Union[str, dict, None] = None, **kwargs: Any) -> MissionHandle:
        spec = self._spec(mission, kwargs.pop("goal", None), kwargs.pop("plan", None), **kwargs)
        with _fleet_errors():
            return MissionHandle(self, await self.coordinator.submit.remote(spec))

    def _ask(self, method: str, *args: Any) -> Any:
        """Call a coordinator method and wait for its answer; its FleetErrors (FleetBusy...) come out as they are."""
        import ray

        with _fleet_errors():
            return ray.get(getattr(self.coordinator, method).remote(*args))

    def mission(self, mission_id: str) -> MissionResult:
        return _found(self._ask("mission", mission_id), mission_id)

    def missions(self, offset: int = 0, limit: Optional[int] = 100) -> list[MissionResult]:
        """Missions in submission order, oldest first: `limit` of them from `offset` (None: all).

        Finished missions live in Redis (the coordinator keeps only the newest in memory), so
        this reads every mission ever submitted to this fleet's store; `mission_count()` says how many.
        """
        if offset < 0 or (limit is not None and limit < 0):
            raise FleetError(f"offset and limit must be 0 or more (got offset={offset}, limit={limit})")
        return self._ask("missions_list", offset, limit)[1]

    def mission_count(self) -> int:
        """How many missions were ever submitted to this fleet's store."""
        return self._ask("missions_list", 0, 0)[0]

    def cancel(self, mission_id: str) -> MissionResult:
        return _found(self._ask("cancel", mission_id), mission_id)

    # ---- fleet state -------------------------------------------------------------------------
    def robots(self) -> RobotTable:
        """Every robot's state; a list that notebooks show as a table."""
        return RobotTable(self._ask("robots_status"))

    def world(self) -> World:
        """The world this fleet runs in (places, objects, robot kinds, skills), for plots and planning."""
        return self.config.load_world()

    def reliability(self) -> list[dict]:
        """What the fleet has learned per robot and skill: success rate, duration factor, attempts.

        One dict per row, so `pandas.DataFrame(fleet.reliability())` shows it as a table.
        """
        return [row.model_dump() for row in self._ask("reliability_table")]

    def policy(self) -> dict:
        """The allocation policy in use; for `learned`, the version and provenance of its weights."""
        return self._ask("policy_info")

    def trainer(self) -> Optional[dict]:
        """What the policy trainer has done (versions published, feedback read), or None without one."""
        import ray

        from actors.trainer import TRAINER_NAME

        actor = _named_actor(TRAINER_NAME, self.config.namespace)
        return ray.get(actor.status.remote()).model_dump() if actor is not None else None

    def train_policy(self) -> int:
        """Fine-tune the learned policy now from the feedback so far and publish it; returns the version."""
        import ray

        from actors.trainer import TRAINER_NAME

        actor = _named_actor(TRAINER_NAME, self.config.namespace)
        if actor is None:
            raise FleetError("this fleet has no policy trainer: start it with policy='learned'")
        return ray.get(actor.train_now.remote())

    def retrain_planner(self, **overrides: Any) -> "RetrainResult":
        """Fine-tune the planner's model now on fresh synthetic data and the missions that
        succeeded, as a Ray task; the planner app serves the new version only if it scores
        higher on the held-out split. `overrides` change `planner_training` settings (e.g. steps=40).
        """
        import ray

        from serve_apps.deployment import retrain_and_serve

        try:
            training = PlannerTrainingConfig.model_validate({**self.config.planner_training.model_dump(), **overrides})
        except ValidationError as err:
            raise FleetError(f"bad planner training settings: {err}") from None
        config = training.model_copy(update={"worlds": training.worlds or [self.config.world]})
        world = self.config.load_world().name
        memory = {world: self.store().memory(world)}
        task = ray.remote(retrain_and_serve).options(num_cpus=training.num_cpus)
        return ray.get(task.remote(config, memory, self.config.planner_app))

    def world_state(self) -> list[str]:
        """The true facts of the (simulated) world, sorted."""
        import ray

        return ray.get(ray.get_actor("world", namespace=self.config.namespace).facts.remote())

    def events(self, count: int = 1000, mission: Optional[str] = None) -> list[Event]:
        return self._ask("events", count, mission)

    def store(self) -> Store:
        """Direct access to this fleet's Redis keys (see fleet.store for the layout)."""
        return Store(self._ask("store_url"), self.config.namespace)

    def pause(self, robot: str) -> RobotStatus:
        return self._ask("pause_robot", robot)

    def resume(self, robot: str) -> RobotStatus:
        return self._ask("resume_robot", robot)
