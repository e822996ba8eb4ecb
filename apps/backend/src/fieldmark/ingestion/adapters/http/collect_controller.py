"""`POST /api/event`: the collect endpoint, for the tracker, Plausible-compatible senders and batches."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Request, Response, post, route
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from fieldmark.ingestion.adapters.http.client_ip import client_ip
from fieldmark.ingestion.adapters.http.payload import decode, to_event
from fieldmark.ingestion.application.collect_events import CollectCommand, CollectEvents
from fieldmark.ingestion.application.ports import SiteDirectory
from fieldmark.ingestion.domain.limits import MAX_BODY_BYTES

_ACCEPTED_TYPES = ("", "text/plain", "application/json")


class Accepted(msgspec.Struct, frozen=True):
    accepted: int


@route("/api/event", http_method=["OPTIONS"], operation_id="collectEventPreflight", include_in_schema=False)
async def collect_preflight(request: Request[Any, Any, State]) -> Response[None]:
    headers = await _cors(request, request.app.state.ingestion.sites)
    if headers:
        headers |= {
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "86400",
        }
    return Response(None, status_code=HTTP_204_NO_CONTENT, headers=headers)


@post(
    "/api/event",
    operation_id="collectEvent",
    tags=["Ingestion"],
    summary="Record a pageview, custom event, engagement or click (one, or a batch of up to 50)",
    description=(
        "Body: one event object or an array of 1 to 50, at most 64 KB, as `text/plain` (what "
        "`sendBeacon` sends) or `application/json`. Accepts Plausible's Events API (long and short "
        "keys). "
        "202 once the events are in the stream; 400 for malformed JSON or an invalid field (the "
        "problem names it); 404 for an unknown site; 413 for a body over 64 KB; 415 for another "
        "content type; 429 with Retry-After when an address or site sends too fast; 503 with "
        "Retry-After when the pipeline is behind or Redis is down. Bots and a site's excluded "
        "addresses get 202 and are not recorded. See docs/api/ingestion.md."
    ),
    status_code=HTTP_202_ACCEPTED,
    request_max_body_size=MAX_BODY_BYTES,
    responses={
        400: ResponseSpec(None, description="Malformed or invalid event"),
        404: ResponseSpec(None, description="Unknown site"),
        413: ResponseSpec(None, description="Body over 64 KB"),
        415: ResponseSpec(None, description="Unsupported content type"),
        429: ResponseSpec(None, description="Rate limited"),
        503: ResponseSpec(None, description="Pipeline overloaded or Redis unavailable"),
    },
    security=[],
)
async def collect_event(request: Request[Any, Any, State]) -> Response[Accepted]:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in _ACCEPTED_TYPES:
        raise HTTPException(
            status_code=415, detail=f"send text/plain or application/json, not {content_type}"
        )
    payloads = decode(await request.body())
    events = [to_event(p, i if len(payloads) > 1 else None) for i, p in enumerate(payloads)]
    ingestion = request.app.state.ingestion
    peer = request.client.host if request.client else ""
    ip = client_ip(
        peer,
        request.headers.get("x-forwarded-for"),
        request.headers.get("forwarded"),
        ingestion.trusted_proxies,
    )
    user_agent = request.headers.get("user-agent", "")
    use_case: CollectEvents = ingestion.collect
    result = await use_case.execute(CollectCommand(events, ip, user_agent))
    return Response(
        Accepted(result.received),
        status_code=HTTP_202_ACCEPTED,
        headers=await _cors(request, ingestion.sites),
    )


async def _cors(request: Request[Any, Any, State], sites: SiteDirectory) -> dict[str, str]:
    """Only an origin that some site lists as a hostname may read the answer."""
    origin = request.headers.get("origin")
    if not origin:
        return {}
    host = urlsplit(origin).hostname
    if host and await sites.origin_allowed(host):
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {"Vary": "Origin"}


# In this order: a route registered first with an OPTIONS handler gets no automatic one from Litestar.
COLLECT_HANDLERS = [collect_preflight, collect_event]
