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
import os
import time
from typing import Any, Optional

from ray import serve
from ray.serve.handle import DeploymentHandle

from fleet.config import PlannerConfig
from fleet.metrics import PlannerMetrics
from fleet.placement import PLANNER, resources_for
from serve_apps.llm import GenerationRequest, GenerationResult, make_backend
from serve_apps.planner import LanguagePlanner, PlanRequest, PlanResponse

PLANNER_APP = "planner"


def ensure_serve(http_port: int = 8000, http_host: str = "127.0.0.1") -> None:
    """Start Serve on this Ray cluster with its HTTP proxy on `http_port` (no-op when it runs)."""
    serve.start(http_options={"host": http_host, "port": http_port})


@serve.deployment(name="Planner")
class PlannerDeployment:
    """The language planner with its model; batch size and wait are set from the config."""

    def __init__(self, config: dict[str, Any]):
        self.config = PlannerConfig.model_validate(config)
        llm = self.config.llm
        if llm.backend == "transformers":
            import torch

            torch.set_num_threads(llm.threads or os.cpu_count() or 1)  # Ray sets 1 thread per reserved CPU
        self.backend = make_backend(llm)
        self._generate_batch.set_max_batch_size(llm.max_batch_size)
        self._generate_batch.set_batch_wait_timeout_s(llm.batch_wait_timeout_s)
        self.planner = LanguagePlanner(self.config, self.generate)
        self.metrics = PlannerMetrics(self.config.llm.model)

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


def planner_app(config: PlannerConfig) -> serve.Application:
    """The planner application for a config: replicas, batching and placement from `config.llm`."""
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
    }
    if llm.autoscaling:
        options["autoscaling_config"] = llm.autoscaling
    else:
        options["num_replicas"] = llm.num_replicas
    return PlannerDeployment.options(**options).bind(config.model_dump(mode="json"))


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


def planner_handle(name: str = PLANNER_APP) -> DeploymentHandle:
    """A handle to the running planner app."""
    return serve.get_app_handle(name)


def build_app(args: dict[str, Any]) -> serve.Application:
    """Entry point for `serve run serve_apps.deployment:build_app key=value ...` and Serve config files."""
    return planner_app(PlannerConfig.model_validate(args or {}))
