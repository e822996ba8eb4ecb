"""CORS for the heatmap routes: the on-page overlay reads them from the site's own pages, so the site's
allowed hostnames (and only those) may call them cross-origin, with an `Authorization: Heatmap` token.
Every other API route stays same-origin."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from fieldmark.ingestion.domain.pages import hostname_allowed
from fieldmark.shared_kernel.errors import ApplicationError
from fieldmark.shared_kernel.net import host_of

_ROUTE = re.compile(r"^/api/sites/([0-9a-fA-F-]{36})/heatmap(?:/pages)?$")


async def _allowed_origin(app_state: Any, site_id: str, origin: str) -> bool:
    sites = getattr(app_state, "sites", None)
    host = host_of(origin)
    if sites is None or not host:
        return False
    try:
        site = await sites.get.execute(UUID(site_id))
    except (ApplicationError, ValueError):
        return False
    return hostname_allowed(host, site.allowed_hostnames)


def heatmap_cors(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        match = _ROUTE.match(scope.get("path", "")) if scope["type"] == ScopeType.HTTP else None
        origin = dict(scope.get("headers", [])).get(b"origin") if match else None
        if match is None or origin is None:
            await app(scope, receive, send)
            return
        text = origin.decode("latin-1")
        allowed = await _allowed_origin(scope["app"].state, match.group(1), text)
        cors = (
            [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
            if allowed
            else [(b"vary", b"Origin")]
        )
        if scope.get("method") == "OPTIONS":
            if allowed:
                cors += [
                    (b"access-control-allow-methods", b"POST"),
                    (b"access-control-allow-headers", b"Authorization, Content-Type"),
                    (b"access-control-max-age", b"600"),
                ]
            await send({"type": "http.response.start", "status": 204, "headers": cors})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *cors]
            await send(message)

        await app(scope, receive, with_cors)

    return middleware
