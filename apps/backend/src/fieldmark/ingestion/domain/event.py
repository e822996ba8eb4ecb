"""What a visitor did, as the collect endpoint accepts it and as it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID


class Kind(StrEnum):
    PAGEVIEW = "pageview"
    CUSTOM = "custom"  # named events, including "Outbound Link: Click", "File Download" and "404"
    ENGAGEMENT = "engagement"  # time visible and max scroll depth of one pageview
    CLICK = "click"  # a click for heatmaps, with its position and element


@dataclass(frozen=True)
class Revenue:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Click:
    x: int
    y: int
    viewport_width: int
    viewport_height: int
    document_width: int
    document_height: int
    selector: str
    tag: str
    rage: bool
    dead: bool
    label: str = ""  # a link's or button's text, without emails and digits; no other element's text


@dataclass(frozen=True)
class IncomingEvent:
    """One event after validation, before enrichment. Carries no IP and no user agent."""

    kind: Kind
    name: str
    url: str
    domain: str | None
    site_key: str | None
    referrer: str
    props: dict[str, str] = field(default_factory=dict)
    revenue: Revenue | None = None
    interactive: bool = True
    hash_mode: bool = False
    screen_width: int | None = None
    engagement_ms: int = 0
    scroll_depth: int = 0
    click: Click | None = None
    timestamp: datetime | None = None
    person: str | None = None  # the site's own id of a signed-in person (`fieldmark('identify', id)`)
    idempotency_key: str | None = None  # `event_id`: the same key again within a day is stored once


@dataclass(frozen=True)
class Location:
    country_code: str = ""
    region: str = ""
    city: str = ""


@dataclass(frozen=True)
class Software:
    browser: str = ""
    browser_version: str = ""
    os: str = ""
    os_version: str = ""
    device: str = ""


@dataclass(frozen=True)
class Source:
    referrer: str = ""  # host and path, no query
    source: str = ""  # a name such as "Google", or the referring host
    channel: str = "Direct"


@dataclass(frozen=True)
class StoredEvent:
    """The row the writer puts in ClickHouse; visitor and session are filled in by the queue."""

    event_id: UUID
    site_id: UUID
    timestamp: datetime
    kind: Kind
    name: str
    hostname: str
    pathname: str
    source: Source
    utm: dict[str, str]
    location: Location
    software: Software
    screen_class: str
    props: dict[str, str]
    revenue: Revenue | None
    interactive: bool
    engagement_ms: int
    scroll_depth: int
    click: Click | None
    person_id: int = 0  # the person's id under a per-site keyed hash; 0 for anonymous visitors
    retention_days: int = 0  # the site's retention period when collected (ClickHouse's TTL); 0: for ever
