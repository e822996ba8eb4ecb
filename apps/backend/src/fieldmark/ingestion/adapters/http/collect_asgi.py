"""`/api/event` as a bare ASGI handler: the hot path skips the framework's per-request machinery (request
object, parameter parsing, response pipeline). Errors are raised as usual and rendered as problem+json
by the app's exception handlers. The contract is documented in docs/api/ingestion.md and in OpenAPI."""

from __future__ import annotations

from typing import Any

from litestar import asgi
from litestar.enums import ParamType
from litestar.exceptions import HTTPException, MethodNotAllowedException
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Schema,
)
from litestar.types import HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from fieldmark.ingestion.adapters.http.payload import decode, idempotency_key, to_event
from fieldmark.ingestion.application.collect_events import CollectCommand
from fieldmark.ingestion.domain.limits import MAX_BODY_BYTES
from fieldmark.shared_kernel.access import PUBLIC, access
from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.net import RELAYED_PEER, client_ip, host_of

_ACCEPTED_TYPES = (b"", b"text/plain", b"application/json")
_JSON = [(b"content-type", b"application/json")]


async def _body(receive: Receive, announced: int | None) -> bytes:
    if announced is not None and announced > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail=f"the body is over {MAX_BODY_BYTES // 1024} KB")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail=f"the body is over {MAX_BODY_BYTES // 1024} KB")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _cors(ingestion: Any, origin: bytes | None) -> list[tuple[bytes, bytes]]:
    """Only an origin that some site lists as a hostname may read the answer."""
    if not origin:
        return []
    host = host_of(origin.decode("latin-1"))
    if host and await ingestion.sites.origin_allowed(host):
        return [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
    return [(b"vary", b"Origin")]


def _bad(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"{field} {why}", field=field)


@asgi("/api/event", copy_scope=False, opt=access(PUBLIC))
async def collect_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    headers = dict(scope["headers"])
    ingestion = scope["litestar_app"].state.ingestion
    method = scope["method"]  # type: ignore[typeddict-item]
    if method == "OPTIONS":
        cors = await _cors(ingestion, headers.get(b"origin"))
        if cors and cors[0][0] == b"access-control-allow-origin":
            cors += [
                (b"access-control-allow-methods", b"POST"),
                (b"access-control-allow-headers", b"Content-Type, Idempotency-Key"),
                (b"access-control-max-age", b"86400"),
            ]
        await _respond(send, 204, cors, b"")
        return
    if method != "POST":
        raise MethodNotAllowedException(headers={"Allow": "POST, OPTIONS"})
    content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if content_type not in _ACCEPTED_TYPES:
        raise HTTPException(
            status_code=415,
            detail=f"send text/plain or application/json, not {content_type.decode('latin-1')}",
        )
    length = headers.get(b"content-length")
    body = await _body(receive, int(length) if length and length.isdigit() else None)
    payloads = decode(body)
    events = [to_event(p, i if len(payloads) > 1 else None) for i, p in enumerate(payloads)]
    client = scope.get("client")
    peer = client[0] if client else ""
    forwarded_for, forwarded = headers.get(b"x-forwarded-for"), headers.get(b"forwarded")
    relayed = headers.get(RELAYED_PEER.encode())
    ip = client_ip(
        peer,
        forwarded_for.decode("latin-1") if forwarded_for else None,
        forwarded.decode("latin-1") if forwarded else None,
        ingestion.trusted_proxies,
        relayed.decode("latin-1") if relayed else None,
    )
    user_agent = headers.get(b"user-agent", b"").decode("latin-1")
    sent_key = headers.get(b"idempotency-key")
    key = idempotency_key(sent_key.decode("latin-1").strip(), "idempotency-key", _bad) if sent_key else None
    result = await ingestion.collect.execute(CollectCommand(events, ip, user_agent, key))
    response = b'{"accepted":%d,"load":[%s]}' % (
        result.received,
        b",".join(b'"%s"' % name.encode() for name in result.load),
    )
    out = [
        *_JSON,
        (b"content-length", str(len(response)).encode()),
        *await _cors(ingestion, headers.get(b"origin")),
    ]
    await _respond(send, 202, out, response)


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


def document(schema: OpenAPI) -> None:
    """Bare ASGI handlers are not in the generated schema: describe this one there by hand."""
    problem = Schema(
        type=OpenAPIType.OBJECT, description="RFC 9457 problem details; `field` names the culprit"
    )
    accepted = Schema(
        type=OpenAPIType.OBJECT,
        properties={
            "accepted": Schema(type=OpenAPIType.INTEGER),
            "load": Schema(
                type=OpenAPIType.ARRAY,
                items=Schema(type=OpenAPIType.STRING),
                description="Tracker modules the site's settings turn on",
            ),
        },
        required=["accepted", "load"],
    )
    responses: dict[str, OpenAPIResponse | Reference] = {
        "202": OpenAPIResponse(
            description="The events are in the stream",
            content={"application/json": OpenAPIMediaType(schema=accepted)},
        ),
    }
    for status, why in (
        (400, "Malformed JSON or an invalid field"),
        (404, "Unknown site"),
        (413, "Body over 64 KB"),
        (415, "Unsupported content type"),
        (429, "Rate limited; see Retry-After"),
        (
            503,
            "Pipeline behind or Redis unavailable, or not confirmed within 5 s (then the events may be "
            "stored: retry with the same Idempotency-Key); see Retry-After",
        ),
    ):
        responses[str(status)] = OpenAPIResponse(
            description=why, content={"application/problem+json": OpenAPIMediaType(schema=problem)}
        )
    body = Schema(one_of=[Schema(type=OpenAPIType.OBJECT), Schema(type=OpenAPIType.ARRAY, max_items=50)])
    operation = Operation(
        operation_id="collectEvent",
        tags=["Ingestion"],
        summary="Record a pageview, custom event, engagement or click (one, or a batch of up to 50)",
        description="One event object or an array of 1 to 50, at most 64 KB, as text/plain or "
        "application/json, in Fieldmark's or Plausible's Events API format. "
        "An event's `event_id`, or the request's Idempotency-Key header (per event: key and index), "
        "stores it once per site within 24 hours. Every field: docs/api/ingestion.md.",
        parameters=[
            Parameter(
                name="Idempotency-Key",
                param_in=ParamType.HEADER,
                required=False,
                description="1 to 200 printable characters: a retry with the same key is not stored again",
                schema=Schema(type=OpenAPIType.STRING),
            )
        ],
        request_body=RequestBody(
            required=True,
            content={
                "text/plain": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                "application/json": OpenAPIMediaType(schema=body),
            },
        ),
        responses=responses,
    )
    paths = schema.paths if schema.paths is not None else {}
    paths["/api/event"] = PathItem(post=operation)
    schema.paths = paths
