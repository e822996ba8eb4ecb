"""The collect endpoint's wire format: Fieldmark's tracker and Plausible's Events API (long and short keys),
decoded with msgspec and turned into `IncomingEvent`s, or an `InvalidInput` naming the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pycountry

from fieldmark.ingestion.domain import limits
from fieldmark.ingestion.domain.event import Click, IncomingEvent, Kind, Revenue
from fieldmark.ingestion.domain.labels import scrub_label
from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.net import host_of

Scalar = str | int | float | bool | None


class RevenuePayload(msgspec.Struct, forbid_unknown_fields=True):
    currency: str
    amount: str | int | float


class EventPayload(msgspec.Struct, forbid_unknown_fields=True):
    """Every key the endpoint knows; any other key is refused (400)."""

    # Plausible's long names and the short ones its script sends
    name: str | None = None
    n: str | None = None
    url: str | None = None
    u: str | None = None
    domain: str | None = None
    d: str | None = None
    referrer: str | None = None
    r: str | None = None
    props: dict[str, Any] | str | None = None
    p: dict[str, Any] | str | None = None
    m: dict[str, Any] | str | None = None
    meta: dict[str, Any] | str | None = None
    revenue: RevenuePayload | str | None = None
    dollar: RevenuePayload | str | None = msgspec.field(default=None, name="$")
    interactive: bool | None = None
    i: bool | None = None
    h: int | bool | None = None
    hashMode: int | bool | None = None  # Plausible's name
    v: str | int | None = None  # the sender's script version, not stored
    w: int | None = None
    screen_width: int | None = None
    sd: int | None = None  # engagement: max scroll depth, percent
    e: int | None = None  # engagement: time visible, milliseconds
    # Fieldmark's own
    site: str | None = None  # a public site key instead of the domain
    timestamp: int | float | str | None = None  # epoch milliseconds or ISO 8601, for queued senders
    k: str | None = None  # "click" for heatmap clicks
    x: int | None = None
    y: int | None = None
    vw: int | None = None
    vh: int | None = None
    dw: int | None = None
    dh: int | None = None
    s: str | None = None  # CSS selector
    t: str | None = None  # tag name
    rg: bool | None = None  # rage click
    dd: bool | None = None  # dead click
    lb: str | None = None  # the label of a clicked link or button
    pid: str | None = None  # a signed-in person's id from the site (`fieldmark('identify', id)`), hashed
    event_id: str | None = None  # an idempotency key: the same one again within a day is stored once


_decoder = msgspec.json.Decoder(EventPayload | list[EventPayload])


def decode(body: bytes) -> list[EventPayload]:
    """One event (an object) or a batch (an array of 1 to 50 objects)."""
    try:
        decoded = _decoder.decode(body)
    except msgspec.ValidationError as exc:
        field = _field_of(str(exc))
        raise InvalidInput(f"invalid event: {exc}", field=field) from None
    except msgspec.DecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc}") from None
    except UnicodeDecodeError:  # msgspec's own error for a string that is not UTF-8
        raise InvalidInput("malformed JSON: a string is not valid UTF-8") from None
    except RecursionError:  # msgspec's, for arrays or objects nested deeper than Python's stack allows
        raise InvalidInput("malformed JSON: nested too deeply") from None
    events = decoded if isinstance(decoded, list) else [decoded]
    if not events:
        raise InvalidInput("the batch is empty")
    if len(events) > limits.MAX_BATCH_EVENTS:
        raise InvalidInput(f"a batch holds at most {limits.MAX_BATCH_EVENTS} events, not {len(events)}")
    return events


def _field_of(message: str) -> str | None:
    # msgspec says "... - at `$[0].name`" or "Object contains unknown field `foo` - at `$`"
    if "unknown field `" in message:
        return message.split("unknown field `", 1)[1].split("`", 1)[0]
    if "at `$" in message:
        path = message.rsplit("at `$", 1)[1].rstrip("`")
        parts = [p for p in path.replace("[", ".").replace("]", "").split(".") if p and not p.isdigit()]
        return parts[0] if parts else None
    return None


def to_event(p: EventPayload, index: int | None = None) -> IncomingEvent:
    where = "" if index is None else f"event {index}: "

    def bad(field: str, why: str) -> InvalidInput:
        return InvalidInput(f"{where}{field} {why}", field=field)

    name = (p.name if p.name is not None else p.n or "").strip()
    url = p.url if p.url is not None else p.u or ""
    if not name:
        raise bad("name", "is required")
    if len(name) > limits.MAX_NAME_LENGTH:
        raise bad("name", f"is longer than {limits.MAX_NAME_LENGTH} characters")
    if not url:
        raise bad("url", "is required")
    if len(url) > limits.MAX_URL_LENGTH:
        raise bad("url", f"is longer than {limits.MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # `https://ex]mp/`: an unbalanced IPv6 bracket, a bad port
        raise bad("url", "is not a valid URL") from None
    if parts.scheme.lower() in ("data", "javascript", "") or not host:
        raise bad("url", "must be an absolute URL with a host")
    referrer = (p.referrer if p.referrer is not None else p.r) or ""
    if len(referrer) > limits.MAX_URL_LENGTH:
        raise bad("referrer", f"is longer than {limits.MAX_URL_LENGTH} characters")
    if referrer and not host_of(referrer):
        referrer = ""  # a referrer that cannot be parsed says nothing: the visit counts as direct

    kind = (
        Kind.CLICK
        if p.k == "click"
        else Kind.PAGEVIEW
        if name == "pageview"
        else (Kind.ENGAGEMENT if name == "engagement" else Kind.CUSTOM)
    )
    if p.k is not None and p.k != "click":
        raise bad("k", 'must be "click" when given')
    engagement_ms = _bounded(p.e, "e", 0, limits.MAX_ENGAGEMENT_MS, bad)
    # The tracker sends the lowest point seen over the document's height, which can pass 100 by a little
    # (overscroll, a document that shrank): anything up to 1000 is accepted and taken as at most 100.
    scroll_depth = min(100, _bounded(p.sd, "sd", 0, 1000, bad))
    if kind is Kind.ENGAGEMENT and p.e is None and p.sd is None:
        raise bad("e", "or sd is required in an engagement event")
    screen_width = _bounded(p.w if p.w is not None else p.screen_width, "w", 0, limits.MAX_VIEWPORT, bad)
    return IncomingEvent(
        kind=kind,
        name=name,
        url=url,
        domain=p.domain if p.domain is not None else p.d,
        site_key=p.site,
        referrer=referrer,
        props=_props(next((x for x in (p.props, p.p, p.meta, p.m) if x is not None), None), bad),
        revenue=_revenue(p.revenue if p.revenue is not None else p.dollar, bad),
        interactive=next((x for x in (p.interactive, p.i) if x is not None), True),
        hash_mode=_hash_mode(p.h if p.h is not None else p.hashMode, bad),
        screen_width=screen_width if (p.w is not None or p.screen_width is not None) else None,
        engagement_ms=engagement_ms,
        scroll_depth=scroll_depth,
        click=_click(p, bad) if kind is Kind.CLICK else None,
        timestamp=_timestamp(p.timestamp, bad),
        person=_person(p.pid, bad),
        idempotency_key=idempotency_key(p.event_id, "event_id", bad),
    )


def idempotency_key(raw: str | None, field: str, bad: Any) -> str | None:
    """`event_id` or the Idempotency-Key header: 1 to 200 printable characters."""
    if raw is None:
        return None
    if not 0 < len(raw) <= limits.MAX_IDEMPOTENCY_KEY_LENGTH or not raw.isprintable():
        raise bad(field, f"must be 1 to {limits.MAX_IDEMPOTENCY_KEY_LENGTH} printable characters")
    return raw


def _hash_mode(raw: int | bool | None, bad: Any) -> bool:
    """`h` (Plausible's `hashMode`): 0 or 1, or false or true; nothing else."""
    if raw is None:
        return False
    if raw not in (0, 1):  # True == 1 and False == 0
        raise bad("h", "must be 0 or 1")
    return bool(raw)


def _person(raw: str | None, bad: Any) -> str | None:
    if raw is None:
        return None
    if not 1 <= len(raw) <= 256:
        raise bad("pid", "must have 1 to 256 characters")
    return raw


def _bounded(value: int | None, field: str, low: int, high: int, bad: Any) -> int:
    if value is None:
        return 0
    if not low <= value <= high:
        raise bad(field, f"must be between {low} and {high}")
    return value


def _props(raw: dict[str, Any] | str | None, bad: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, str):  # Plausible's script sends props as a JSON string
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad("props", "is not a JSON object") from None
        if not isinstance(raw, dict):
            raise bad("props", "is not a JSON object")
    props = {}
    for key, value in raw.items():
        if isinstance(value, list | dict):
            continue  # as Plausible documents: lists and maps are filtered out
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if not key or len(key) > limits.MAX_PROP_KEY_LENGTH:
            raise bad("props", f"keys must have 1 to {limits.MAX_PROP_KEY_LENGTH} characters")
        if len(text) > limits.MAX_PROP_VALUE_LENGTH:
            raise bad(
                "props", f"value of {key[:40]!r} is longer than {limits.MAX_PROP_VALUE_LENGTH} characters"
            )
        props[key] = text
    if len(props) > limits.MAX_PROPS:
        raise bad("props", f"has {len(props)} properties; at most {limits.MAX_PROPS} are allowed")
    return props


def _revenue(raw: RevenuePayload | str | None, bad: Any) -> Revenue | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = msgspec.json.decode(raw, type=RevenuePayload)
        except msgspec.MsgspecError:
            raise bad("revenue", 'must be {"amount": number, "currency": ISO 4217 code}') from None
    currency = raw.currency.strip().upper()
    if len(currency) != 3 or pycountry.currencies.get(alpha_3=currency) is None:
        raise bad("revenue", f"currency {raw.currency!r} is not an ISO 4217 code")
    try:
        amount = Decimal(str(raw.amount)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise bad("revenue", f"amount {raw.amount!r} is not a number") from None
    if not amount.is_finite() or not 0 <= amount < limits.MAX_REVENUE:
        raise bad("revenue", f"amount must be from 0 to {limits.MAX_REVENUE:,}")
    return Revenue(amount, currency)


def _click(p: EventPayload, bad: Any) -> Click:
    if p.x is None or p.y is None:
        raise bad("x", "and y are required in a click")
    selector, tag = p.s or "", (p.t or "").lower()
    if len(selector) > limits.MAX_SELECTOR_LENGTH:
        raise bad("s", f"is longer than {limits.MAX_SELECTOR_LENGTH} characters")
    if len(tag) > limits.MAX_TAG_LENGTH:
        raise bad("t", f"is longer than {limits.MAX_TAG_LENGTH} characters")
    return Click(
        x=_bounded(p.x, "x", 0, limits.MAX_COORDINATE, bad),
        y=_bounded(p.y, "y", 0, limits.MAX_COORDINATE, bad),
        viewport_width=_bounded(p.vw, "vw", 0, limits.MAX_VIEWPORT, bad),
        viewport_height=_bounded(p.vh, "vh", 0, limits.MAX_VIEWPORT, bad),
        document_width=_bounded(p.dw, "dw", 0, limits.MAX_COORDINATE, bad),
        document_height=_bounded(p.dh, "dh", 0, limits.MAX_COORDINATE, bad),
        selector=selector,
        tag=tag,
        rage=bool(p.rg),
        dead=bool(p.dd),
        label=scrub_label(p.lb or ""),
    )


def _timestamp(raw: int | float | str | None, bad: Any) -> datetime | None:
    if raw is None:
        return None
    try:
        if isinstance(raw, str):
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return datetime.fromtimestamp(raw / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        raise bad("timestamp", "must be epoch milliseconds or an ISO 8601 time") from None
