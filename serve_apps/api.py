"""HTTP ingress (FastAPI on Ray Serve): submit missions and read missions and robots over HTTP.

Start it from a running fleet with `fleet.start_api(token=...)`; it serves

    POST /missions              {"text": "..."} | {"goal": [...]} | {"plan": {...}}  -> {"id": ...}
    GET  /missions              a page of missions, oldest first (?offset=0&limit=100), and the total
    GET  /missions/{id}         the mission's record (status, goal, plan, subtasks, error)
    POST /missions/{id}/cancel  stop a mission; its record as it ends
    GET  /events                the newest events (?count=, ?mission=)
    GET  /robots                every robot's status
    GET  /docs                  OpenAPI documentation (and /openapi.json)

When a token is configured every request but the documentation needs `Authorization: Bearer
<token>`. A fleet with as many missions in progress as it takes answers a submission with 429
and a Retry-After header.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the wrapped
# methods at run time to tell a JSON body from query parameters.

import hmac
from typing import Any, Optional

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel
from ray import serve

from fleet.errors import FleetBusy
from fleet.models import Event, MissionResult, MissionSpec, RobotStatus

API_APP = "fleet-api"

api = FastAPI(
    title="Fleet",
    description="Run a robot fleet from missions: plain-language text, goal conditions or explicit plans.",
)


class Submitted(BaseModel):
    """The id of an accepted mission; poll GET /missions/{id} for its progress."""

    id: str


class MissionPage(BaseModel):
    """A page of the mission list: `total` missions in all, these from `offset` on."""

    total: int
    offset: int
    missions: list[MissionResult]


def _require_token(request: Request) -> None:
    expected: Optional[str] = request.app.state.token
    if not expected:
        return
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise HTTPException(status_code=401, detail="missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})


@serve.deployment(name="FleetAPI", max_ongoing_requests=256)
@serve.ingress(api)
class FleetAPI:
    """Forwards HTTP requests to the coordinator of one fleet (by its namespace)."""

    def __init__(self, namespace: str, token: Optional[str] = None):
        self.namespace = namespace
        api.state.token = token

    def _coordinator(self) -> Any:
        import ray

        from actors.coordinator import COORDINATOR_NAME

        try:
            return ray.get_actor(COORDINATOR_NAME, namespace=self.namespace)
        except ValueError:
            raise HTTPException(status_code=503, detail=f"no fleet is running in namespace {self.namespace!r}") from None

    @api.post("/missions", response_model=Submitted, status_code=201, dependencies=[Depends(_require_token)])
    async def submit(self, spec: MissionSpec = Body(...)) -> Submitted:
        """Submit a mission: exactly one of `text`, `goal` or `plan`, with optional priority and labels."""
        from ray.exceptions import RayTaskError

        try:
            mission_id = await self._coordinator().submit.remote(spec.model_dump(mode="json", exclude_none=True))
        except RayTaskError as err:
            if isinstance(err.cause, FleetBusy):
                retry = str(max(1, round(err.cause.retry_after_s)))
                raise HTTPException(status_code=429, detail=str(err.cause), headers={"Retry-After": retry}) from None
            raise
        return Submitted(id=mission_id)

    @api.get("/missions", response_model=MissionPage, dependencies=[Depends(_require_token)])
    async def missions(self, offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)) -> MissionPage:
        """Missions in submission order, oldest first: `limit` of them from `offset`."""
        total, records = await self._coordinator().missions_list.remote(offset, limit)
        return MissionPage(total=total, offset=offset, missions=records)

    @api.get("/missions/{mission_id}", response_model=MissionResult, dependencies=[Depends(_require_token)])
    async def mission(self, mission_id: str) -> MissionResult:
        """A mission's record: status, the goal pursued, the plan and each subtask."""
        record = await self._coordinator().mission.remote(mission_id)
        if record is None:
            raise HTTPException(status_code=404, detail=f"no mission {mission_id!r}")
        return record

    @api.post("/missions/{mission_id}/cancel", response_model=MissionResult, dependencies=[Depends(_require_token)])
    async def cancel(self, mission_id: str) -> MissionResult:
        """Stop a mission: running robots stop, nothing more starts. A finished mission stays as it ended."""
        record = await self._coordinator().cancel.remote(mission_id)
        if record is None:
            raise HTTPException(status_code=404, detail=f"no mission {mission_id!r}")
        return record

    @api.get("/events", response_model=list[Event], dependencies=[Depends(_require_token)])
    async def events(self, count: int = Query(100, ge=1, le=10_000), mission: Optional[str] = None) -> list[Event]:
        """The newest events, oldest first; only one mission's with `mission`."""
        return await self._coordinator().events.remote(count, mission)

    @api.get("/robots", response_model=list[RobotStatus], dependencies=[Depends(_require_token)])
    async def robots(self) -> list[RobotStatus]:
        """Every robot: place, battery, what it holds, its queue, whether it is alive."""
        return await self._coordinator().robots_status.remote()


def api_app(namespace: str, token: Optional[str] = None) -> serve.Application:
    return FleetAPI.bind(namespace, token)
