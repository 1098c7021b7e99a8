"""The planner as a Ray Serve application: one model per replica, concurrent requests batched.

Run it on its own with `serve run serve_apps.deployment:app` (the bundled model on CPU), or let
`Fleet.start(planner="llm")` deploy it. Callers use a DeploymentHandle:

    handle = deploy_planner(PlannerConfig())
    response = await handle.plan.remote(PlanRequest(text="Open the fridge.", world=world))

`generate` (one constrained generation, batched with its neighbours) is public too, for
benchmarks and other planners.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Optional

from ray import serve
from ray.serve.handle import DeploymentHandle

from fleet.config import PlannerConfig, PlannerTrainingConfig
from fleet.models import Exemplar
from fleet.metrics import PlannerMetrics
from fleet.placement import PLANNER, resources_for
from serve_apps.llm import GenerationRequest, GenerationResult, engine_for, make_backend
from serve_apps.planner import LanguagePlanner, PlanRequest, PlanResponse
from serve_apps.tuning import RetrainResult, retrain

PLANNER_APP = "planner"


def ensure_serve(http_port: int = 8000, http_host: str = "127.0.0.1") -> tuple[str, int]:
    """Start Serve on this Ray cluster with its HTTP proxy on `http_port` (no-op when it runs).

    Returns the host and port the running proxy really uses: a Serve that was already running
    keeps the ones it started with.
    """
    from ray.serve.context import _get_global_client

    serve.start(http_options={"host": http_host, "port": http_port})
    running = _get_global_client().http_config
    return running.host, running.port


@serve.deployment(name="Planner")
class PlannerDeployment:
    """The language planner with its model; batch size and wait are set from the config.

    The model can change while the replica serves: a new `user_config={"model": path}` (see
    `switch_planner_model`) loads the new checkpoint beside the old one, then swaps them between
    batches, so no request is dropped or answered by half of each.
    """

    def __init__(self, config: dict[str, Any]):
        self.deployed = PlannerConfig.model_validate(config)  # as bound; user_config may change the model
        llm = self.deployed.llm
        if engine_for(llm) == "transformers":
            import torch

            torch.set_num_threads(llm.threads or os.cpu_count() or 1)  # Ray sets 1 thread per reserved CPU
        self._generate_batch.set_max_batch_size(llm.max_batch_size)
        self._generate_batch.set_batch_wait_timeout_s(llm.batch_wait_timeout_s)
        self._use(self.deployed, make_backend(llm))

    def _use(self, config: PlannerConfig, backend: Any) -> None:
        self.config, self.backend = config, backend
        self.planner = LanguagePlanner(config, self.generate, backend.card, engine=backend.engine)
        self.metrics = PlannerMetrics(backend.card.base if backend.card else config.llm.model, backend.engine)
        self.metrics.model_version(backend.card.version if backend.card else 0)

    async def reconfigure(self, user_config: dict[str, Any]) -> None:
        """Serve calls this with the deployment's user_config: `{"model": ...}` switches models."""
        model = (user_config or {}).get("model")
        if not model or model == self.config.llm.model:
            return
        config = self.config.model_copy(update={"llm": self.config.llm.model_copy(update={"model": model})})
        backend = await asyncio.to_thread(make_backend, config.llm)  # requests go on meanwhile
        self._use(config, backend)

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.05)
    async def _generate_batch(self, requests: list[GenerationRequest]) -> list[GenerationResult]:
        # generate blocks for seconds: keep the event loop free to gather the next batch
        return await asyncio.to_thread(self.backend.generate_json, requests)

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        """One grammar-constrained generation, batched with the requests that arrive with it."""
        return await self._generate_batch(request)

    async def plan(self, request: PlanRequest) -> PlanResponse:
        """Mission text to a validated plan, or a refusal with the reason."""
        started = time.perf_counter()
        response = await self.planner.plan(request)
        self.metrics.planned(time.perf_counter() - started, response.tokens)
        return response

    async def settings(self) -> dict[str, Any]:
        """The configuration this replica runs, so a caller can tell whether it fits."""
        return self.config.model_dump(mode="json")

    async def deployed_config(self) -> dict[str, Any]:
        """The configuration the deployment was bound with (before any model switch)."""
        return self.deployed.model_dump(mode="json")

    async def model_version(self) -> Optional[int]:
        """The fine-tuned checkpoint's version this replica answers with (None: a base model)."""
        return self.backend.card.version if self.backend.card else None


def planner_app(config: PlannerConfig, model: Optional[str] = None) -> serve.Application:
    """The planner application for a config: replicas, batching and placement from `config.llm`;
    `model` replaces the config's model through user_config (a switch without a restart)."""
    llm = config.llm
    actor_options: dict[str, Any] = {"num_cpus": llm.num_cpus, "num_gpus": llm.num_gpus}
    resources = dict(llm.resources) or resources_for(default=PLANNER)  # planner nodes when the cluster has them
    if resources:
        actor_options["resources"] = resources
    options: dict[str, Any] = {
        "max_ongoing_requests": max(llm.max_ongoing_requests, llm.max_batch_size),
        "ray_actor_options": actor_options,
        # loading the model takes tens of seconds on a small CPU node
        "health_check_timeout_s": 120,
        "graceful_shutdown_timeout_s": 120,  # a replaced replica finishes the batches it holds
        "user_config": {"model": model or llm.model},
    }
    if llm.autoscaling:
        options["autoscaling_config"] = llm.autoscaling
    else:
        options["num_replicas"] = llm.num_replicas
    deployment = PlannerDeployment.options(**options)
    # Serve gives every `serve.run` a random code version, and a new version replaces the
    # replicas (dropping requests in flight). A version fixed by this code and the bound config
    # makes a change of user_config alone (a model switch) reach the running replicas instead.
    source = Path(__file__).read_bytes() + json.dumps(config.model_dump(mode="json"), sort_keys=True).encode()
    deployment._version = hashlib.sha256(source).hexdigest()[:16]
    return deployment.bind(config.model_dump(mode="json"))


def _running_settings(name: str) -> Optional[dict[str, Any]]:
    """The config of the planner app running under `name`, or None when there is none."""
    try:
        if name not in serve.status().applications:
            return None
        handle = serve.get_app_handle(name)
        return handle.settings.remote().result(timeout_s=30)
    except Exception:  # no Serve instance yet, or the app is broken: deploy afresh
        return None


def deploy_planner(config: PlannerConfig, name: str = PLANNER_APP) -> DeploymentHandle:
    """Start the planner app, or reuse the one already running with the same config."""
    if _running_settings(name) == config.model_dump(mode="json"):
        return serve.get_app_handle(name)
    return serve.run(planner_app(config), name=name, route_prefix=None)


def switch_planner_model(model: str, name: str = PLANNER_APP) -> None:
    """Serve `model` (a checkpoint path or model id) from the running planner app without
    dropping requests: same replicas, new user_config; returns once every replica has it."""
    handle = serve.get_app_handle(name)
    deployed = PlannerConfig.model_validate(handle.deployed_config.remote().result(timeout_s=60))
    serve.run(planner_app(deployed, model=model), name=name, route_prefix=None)


def retrain_and_serve(
    config: PlannerTrainingConfig,
    memory: Optional[dict[str, list[Exemplar]]] = None,
    name: str = PLANNER_APP,
    progress: Callable[[str], None] = lambda line: None,
) -> RetrainResult:
    """Retrain against the model the planner app serves now and switch the app to the new
    version if it scores higher on the held-out split (run it as a Ray task: it takes minutes)."""
    served = planner_handle(name).settings.remote().result(timeout_s=60)["llm"]["model"]
    result = retrain(config, served, memory, progress)
    if result.promoted and result.path:
        switch_planner_model(result.path, name)
    return result


def planner_handle(name: str = PLANNER_APP) -> DeploymentHandle:
    """A handle to the running planner app."""
    return serve.get_app_handle(name)


def build_app(args: dict[str, Any]) -> serve.Application:
    """Entry point for `serve run serve_apps.deployment:build_app key=value ...` and Serve config files."""
    return planner_app(PlannerConfig.model_validate(args or {}))
