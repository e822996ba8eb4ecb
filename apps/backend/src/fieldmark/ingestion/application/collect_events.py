"""Accept the events of one request: find the site, drop bots and excluded addresses, enrich, hash, queue."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from fieldmark.ingestion.application.ports import (
    ClientSoftware,
    EventQueue,
    GeoLocator,
    QueuedEvent,
    QueuedRequest,
    ReferrerList,
    SaltStore,
    SiteDirectory,
)
from fieldmark.ingestion.domain import limits
from fieldmark.ingestion.domain.channels import classify
from fieldmark.ingestion.domain.event import IncomingEvent, Kind, Location, Software, StoredEvent
from fieldmark.ingestion.domain.pages import hostname_allowed, screen_class, split_page
from fieldmark.ingestion.domain.site import SiteSettings
from fieldmark.ingestion.domain.visitors import address_token, person_id, visitor_id
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput, NotFound, StoreUnavailable
from fieldmark.shared_kernel.ids import new_id
from fieldmark.shared_kernel.net import host_of


@dataclass(frozen=True)
class CollectCommand:
    events: list[IncomingEvent]
    ip: str
    user_agent: str
    idempotency_key: str | None = None  # the request's (Idempotency-Key): `<key>:<index>` per event


@dataclass(frozen=True)
class CollectResult:
    received: int  # the events accepted: each event once per distinct site it names
    queued: int
    load: tuple[str, ...] = ()  # the tracker modules the sites' settings turn on ("heat")


class CollectEvents:
    """Takes one request's events (1 to 50) into the pipeline.

    Rules: every event names a known site (by public key, or by domain, a comma-separated list of at most
    10 sending it to each; repeats, and domains of one site, count once); its page's host is one of the
    site's allowed hostnames; its timestamp, if given, is at most a week old and ten minutes ahead of the
    server clock. Any broken rule rejects the whole request and queues nothing. Events from a site's
    excluded addresses are dropped; bots are dropped and counted per site and day. The visitor is a keyed
    hash of today's salt, site, IP and user agent; neither the IP nor the user agent goes further than
    this use case. The request is accepted once its events are in the stream. An event with an idempotency
    key (its `event_id`, else the request's key and its index in the request) is queued once per site:
    sent again within a day, it is accepted and not stored again, so a sender may always retry an
    unconfirmed request. A request not confirmed within 5 s (Redis frozen, say) answers 503, and may still
    be stored: the reason a sender retries with its key. Clicks of a site whose heatmaps are off, or of a
    page outside its heatmap pages, are dropped; the answer names the tracker modules to load ("heat" when
    the site has heatmaps on)."""

    def __init__(
        self,
        sites: SiteDirectory,
        software: ClientSoftware,
        geo: GeoLocator,
        referrers: ReferrerList,
        salts: SaltStore,
        queue: EventQueue,
        clock: Clock,
        person_key: bytes = b"",
    ) -> None:
        self._person_key = person_key
        self._sites = sites
        self._software = software
        self._geo = geo
        self._referrers = referrers
        self._salts = salts
        self._queue = queue
        self._clock = clock

    async def execute(self, command: CollectCommand) -> CollectResult:
        try:
            async with asyncio.timeout(limits.COLLECT_DEADLINE_SECONDS):
                return await self._collect(command)
        except TimeoutError:
            raise StoreUnavailable(
                f"the event store did not confirm within {limits.COLLECT_DEADLINE_SECONDS:g} s; the events "
                "may be stored or not: retry with the same Idempotency-Key or event_id"
            ) from None

    async def _collect(self, command: CollectCommand) -> CollectResult:
        now = self._clock.now()
        events = [  # the request's key, as `<key>:<index>`, for events without one of their own
            replace(event, idempotency_key=f"{command.idempotency_key}:{index}")
            if command.idempotency_key and not event.idempotency_key
            else event
            for index, event in enumerate(command.events)
        ]
        targets = [(event, site) for event in events for site in await self._sites_of(event)]
        for event, site in targets:
            self._check(event, site, now)

        load = ("heat",) if any(site.heatmaps for _, site in targets) else ()
        kept = [
            (event, site)
            for event, site in targets
            if not site.excludes(command.ip)
            and (event.kind is not Kind.CLICK or site.keeps_clicks_of(urlsplit(event.url).path or "/"))
        ]
        if kept and self._software.is_bot(command.user_agent):
            await self._queue.count_bots(sorted({str(site.site_id) for _, site in kept}), now.date())
            kept = []
        if not kept:
            return CollectResult(received=len(targets), queued=0, load=load)

        salts = await self._salts.salts(now)
        software = self._software.parse(command.user_agent)
        location = self._geo.locate(command.ip)
        queued = []
        for event, site in kept:
            stored = self._enrich(event, site, software, location, now)
            queued.append(
                QueuedEvent(
                    event=stored,
                    visitor_today=visitor_id(salts.today, site.site_id, command.ip, command.user_agent),
                    visitor_yesterday=(
                        visitor_id(salts.yesterday, site.site_id, command.ip, command.user_agent)
                        if salts.yesterday
                        else None
                    ),
                    idempotency_key=event.idempotency_key,
                )
            )
        await self._queue.enqueue(QueuedRequest(queued, address_token(salts.today, command.ip)), now)
        return CollectResult(received=len(targets), queued=len(queued), load=load)

    async def _sites_of(self, event: IncomingEvent) -> list[SiteSettings]:
        if event.site_key:
            site = await self._sites.by_key(event.site_key)
            if site is None:
                raise NotFound(f"no site has the key {event.site_key!r}", field="site")
            return [site]
        domains = list(dict.fromkeys(d.strip().lower() for d in (event.domain or "").split(",") if d.strip()))
        if not domains:
            domains = [host_of(event.url)]
        if len(domains) > limits.MAX_DOMAINS:
            raise InvalidInput(
                f"an event may name at most {limits.MAX_DOMAINS} sites, not {len(domains)}", field="domain"
            )
        sites: dict[object, SiteSettings] = {}
        for domain in domains:
            site = await self._sites.by_domain(domain)
            if site is None:
                raise NotFound(f"no site is registered for the domain {domain!r}", field="domain")
            sites.setdefault(site.site_id, site)
        return list(sites.values())

    def _check(self, event: IncomingEvent, site: SiteSettings, now: datetime) -> None:
        host = host_of(event.url)
        if not hostname_allowed(host, site.allowed_hostnames):
            raise InvalidInput(
                f"the page's host {host!r} is not one of {site.domain}'s allowed hostnames", field="url"
            )
        if event.timestamp is not None:
            if event.timestamp < now - timedelta(seconds=limits.PAST_TOLERANCE_SECONDS):
                raise InvalidInput("timestamp is more than 7 days in the past", field="timestamp")
            if event.timestamp > now + timedelta(seconds=limits.FUTURE_TOLERANCE_SECONDS):
                raise InvalidInput("timestamp is more than 10 minutes in the future", field="timestamp")

    def _enrich(
        self, event: IncomingEvent, site: SiteSettings, software: Software, location: Location, now: datetime
    ) -> StoredEvent:
        hostname, pathname, utm = split_page(event.url, site.kept_query_params, event.hash_mode)
        referrer_host = host_of(event.referrer) if event.referrer else ""
        known = self._referrers.lookup(referrer_host) if referrer_host else None
        return StoredEvent(
            event_id=new_id(),
            site_id=site.site_id,
            timestamp=event.timestamp or now,
            kind=event.kind,
            name=event.name,
            hostname=hostname,
            pathname=pathname,
            source=classify(event.referrer, hostname, utm, known),
            utm=utm,
            location=location,
            software=software,
            screen_class=screen_class(event.screen_width),
            props=event.props,
            revenue=event.revenue,
            interactive=event.interactive,
            engagement_ms=event.engagement_ms,
            scroll_depth=event.scroll_depth,
            click=event.click,
            person_id=person_id(self._person_key, site.site_id, event.person) if event.person else 0,
            retention_days=site.retention_days,
        )
