"""`GET /api/health` and `GET /api/version`: what an operator or a load balancer asks first."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.openapi import ResponseSpec
from litestar.response import Response

import fieldmark
from fieldmark.bootstrap.stores import StoreHealth
from fieldmark.shared_kernel.access import PUBLIC, access

Probe = Callable[[], Awaitable[StoreHealth]]


class HealthResponse(msgspec.Struct, frozen=True):
    status: Literal["ok", "unavailable"]
    version: str
    roles: list[str]
    stores: dict[str, StoreHealth]
    ingestion: dict[str, int] | None = None


class VersionResponse(msgspec.Struct, frozen=True):
    version: str
    python: str


class HealthController(Controller):
    path = "/api"
    tags = ["Operations"]
    opt = access(PUBLIC)

    @get(
        "/health",
        operation_id="getHealth",
        summary="Health of this process and each store it uses",
        description="Each store this process's roles use (a `collect` process never opens ClickHouse) is "
        "probed: `ok` with its version and round-trip time, or `error` with the reason. "
        "Returns 200 when every store is ok and 503 when any is down. `ingestion` counts the events "
        "waiting in the stream (`backlog`), held by a writer (`in_flight`) and dead-lettered.",
        responses={503: ResponseSpec(data_container=HealthResponse, description="A store is down")},
        cache=False,
    )
    async def health(self, request: Request[Any, Any, Any]) -> Response[HealthResponse]:
        probes: dict[str, Probe] = request.app.state.probes
        results = await asyncio.gather(*(probe() for probe in probes.values()))
        stores = dict(zip(probes, results, strict=True))
        healthy = all(s.status == "ok" for s in stores.values())
        ingestion = None
        if stores.get("redis") and stores["redis"].status == "ok":
            ingestion = await request.app.state.stream_status()
        body = HealthResponse(
            status="ok" if healthy else "unavailable",
            version=fieldmark.__version__,
            roles=sorted(request.app.state.roles),
            stores=stores,
            ingestion=ingestion,
        )
        return Response(body, status_code=200 if healthy else 503)

    @get("/version", operation_id="getVersion", summary="The running Fieldmark version")
    async def version(self) -> VersionResponse:
        import platform

        return VersionResponse(version=fieldmark.__version__, python=platform.python_version())


@get(
    "/api/live",
    opt=access(PUBLIC),
    operation_id="getLiveness",
    summary="Liveness: this process answers",
    status_code=204,
    tags=["Operations"],
    cache=False,
    description="204 from any process, touching no store: for a load balancer's liveness check. "
    "Readiness, with each store probed, is `GET /api/health`.",
)
async def liveness() -> None:
    return None
