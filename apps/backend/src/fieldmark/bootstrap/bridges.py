"""Ports of one context implemented over another: the only place where two contexts meet."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pycountry

from fieldmark.analytics.application.ports import FunnelDef, SiteView
from fieldmark.analytics.application.run_query import RunQuery
from fieldmark.analytics.domain.dates import resolve as resolve_dates
from fieldmark.analytics.domain.query import GoalDef
from fieldmark.identity.adapters.postgres_api_keys import PsycopgApiKeyRepository
from fieldmark.identity.adapters.postgres_audit import PsycopgAuditLog
from fieldmark.identity.adapters.postgres_users import PsycopgUserRepository
from fieldmark.identity.application.ports import SegmentSummary, SiteSummary
from fieldmark.ingestion.adapters.clickhouse_store import ClickHouseEventStore
from fieldmark.ingestion.adapters.redis_forget import RedisSiteForgetting
from fieldmark.ingestion.adapters.redis_versions import RedisDataVersions
from fieldmark.ingestion.domain.pages import hostname_allowed
from fieldmark.ingestion.domain.site import SiteSettings
from fieldmark.ingestion.domain.visitors import person_id
from fieldmark.shared_kernel.audit import AuditEvent
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput, NotFound
from fieldmark.shared_kernel.ids import TeamId, UserId
from fieldmark.shared_kernel.net import host_of
from fieldmark.sites.application.ports import DefinitionRepository, SiteRepository
from fieldmark.sites.domain.definitions import Matcher, check_steps, check_window, path_regex
from fieldmark.sites.domain.site import Site


def _settings(site: Site | None) -> SiteSettings | None:
    if site is None:
        return None
    return SiteSettings(
        site_id=site.id,
        domain=site.domain,
        public_key=site.public_key,
        allowed_hostnames=site.allowed_hostnames,
        excluded_networks=tuple(ipaddress.ip_network(n) for n in site.excluded_networks),
        kept_query_params=site.kept_query_params,
        heatmaps=site.option("heatmaps"),
        heatmap_pages=site.heatmap_pages,
        retention_days=site.retention_days,
    )


class SitesForIngestion:
    """Ingestion's `SiteDirectory` over the Sites context's repository."""

    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def by_domain(self, domain: str) -> SiteSettings | None:
        return _settings(await self._sites.by_domain(domain))

    async def by_key(self, public_key: str) -> SiteSettings | None:
        return _settings(await self._sites.by_public_key(public_key))

    async def origin_allowed(self, host: str) -> bool:
        return await self._sites.hostname_listed(host)


class SitesForIdentity:
    """Identity's `SiteOwnership` over the Sites context's repository."""

    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def count(self) -> int:
        return await self._sites.count()

    async def by_domain(self, domain: str) -> UUID | None:
        site = await self._sites.by_domain(domain)
        return site.id if site else None

    async def team_of(self, site_id: UUID) -> TeamId | None:
        site = await self._sites.by_id(site_id)
        return TeamId(site.team_id) if site is not None and site.team_id is not None else None

    async def serves(self, site_id: UUID, url: str) -> bool:
        host = host_of(url)
        if not host or not url.lower().startswith(("http://", "https://")):
            return False
        site = await self._sites.by_id(site_id)
        return site is not None and hostname_allowed(host, (site.domain, *site.allowed_hostnames))


class SiteFactsForIdentity:
    """Identity's `SiteFacts` (what a shared link shows) over the Sites context's repositories."""

    def __init__(self, sites: SiteRepository, definitions: DefinitionRepository) -> None:
        self._sites = sites
        self._definitions = definitions

    async def summary(self, site_id: UUID) -> SiteSummary | None:
        site = await self._sites.by_id(site_id)
        return SiteSummary(site.domain, site.name, site.timezone) if site else None

    async def shared_segment(self, site_id: UUID, segment_id: UUID) -> SegmentSummary | None:
        for segment in await self._definitions.segments(site_id):
            if segment.id == segment_id and segment.visibility == "site":
                return SegmentSummary(segment.id, segment.name, segment.filters)
        return None


def _step(match: Matcher) -> GoalDef:
    return GoalDef(
        match.label(),
        match.kind,
        path_regex(match.path) if match.kind == "pageview" else "",
        match.event,
        match.property_key,
        match.property_value,
        path=match.path,
    )


class SitesForAnalytics:
    """Analytics's `SiteCatalog` over the Sites context's repositories."""

    def __init__(self, sites: SiteRepository, definitions: DefinitionRepository) -> None:
        self._sites = sites
        self._definitions = definitions

    async def site(self, site_id: UUID) -> SiteView | None:
        site = await self._sites.by_id(site_id)
        if site is None:
            return None
        goals = tuple(
            replace(_step(g.match), name=g.name, currency=g.currency)
            for g in await self._definitions.goals(site_id)
        )
        return SiteView(site.id, site.timezone, goals)

    async def team_sites(self, team_id: UUID) -> list[SiteView]:
        return [SiteView(s.id, s.timezone) for s in await self._sites.of_team(team_id)]

    async def funnel(self, site_id: UUID, funnel_id: UUID) -> FunnelDef | None:
        for funnel in await self._definitions.funnels(site_id):
            if funnel.id == funnel_id:
                steps = tuple(_step(s) for s in funnel.steps)
                return FunnelDef(funnel.name, steps, int(funnel.window.total_seconds()))
        return None

    def funnel_steps(self, raw: Any, window_seconds: Any) -> FunnelDef:
        if not isinstance(raw, list) or not all(isinstance(step, dict) for step in raw):
            raise InvalidInput("steps is a list of matchers", field="steps")
        if window_seconds is not None and (
            not isinstance(window_seconds, int) or isinstance(window_seconds, bool)
        ):
            raise InvalidInput("window_seconds is a number of seconds", field="window_seconds")
        steps = tuple(_step(s) for s in check_steps(raw))
        return FunnelDef("Ad hoc funnel", steps, int(check_window(window_seconds).total_seconds()))

    async def segment_filters(
        self, site_id: UUID, segment_id: UUID, user_id: UUID | None
    ) -> list[Any] | None:
        for segment in await self._definitions.segments(site_id):
            if segment.id == segment_id and (segment.visibility == "site" or segment.owner_id == user_id):
                return segment.filters
        return None


class StatsForReporting:
    """Reporting's `Stats` over the Analytics context's query use case."""

    def __init__(self, queries: RunQuery) -> None:
        self._queries = queries

    async def rows(
        self, site_id: UUID, query: dict[str, Any], actor: Any = None
    ) -> list[tuple[list[str], list[float | int]]]:
        answer = await self._queries.execute(site_id, query, actor)
        return [(row.dimensions, row.metrics) for row in answer.results]


class PeriodsForReporting:
    """Reporting's `Periods`: the Stats API's date ranges, in the site's time zone."""

    def __init__(self, sites: SiteRepository, clock: Clock) -> None:
        self._sites = sites
        self._clock = clock

    async def resolve(self, site_id: UUID, date_range: Any) -> tuple[datetime, datetime]:
        site = await self._sites.by_id(site_id)
        if site is None:
            raise NotFound("no such site")
        period = resolve_dates(date_range, self._clock.now(), site.timezone)
        return period.start, period.end


def country_code_of(name: str) -> str | None:
    """A country's ISO 3166 code from its English name (as GA4 exports them), with pycountry."""
    if not name:
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


class SitesForReporting:
    """Reporting's `SiteInfo` over the Sites context's repository."""

    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def info(self, site_id: UUID) -> tuple[str, str, UUID | None] | None:
        site = await self._sites.by_id(site_id)
        return (site.domain, site.timezone, site.team_id) if site is not None else None


class PeopleForReporting:
    """Reporting's `People` over the Identity context's users."""

    def __init__(self, users: PsycopgUserRepository) -> None:
        self._users = users

    async def email_of(self, user_id: UUID) -> str | None:
        user = await self._users.by_id(UserId(user_id))
        return user.email if user is not None else None


class PersonIdsForReporting:
    """Reporting's `PersonIds`: the same keyed hash Ingestion stores."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def of(self, site_id: UUID, person: str) -> int:
        return person_id(self._key, site_id, person)


class EventsEraserForSites:
    """Sites' `SiteDataEraser` over the Ingestion context's event store; the site's data version moves on
    too, so no cached answer outlives the events. A deleted site is also forgotten by Ingestion's Redis
    (its queued events are then dropped by the writers) and by Identity's API keys."""

    def __init__(
        self,
        store: ClickHouseEventStore,
        versions: RedisDataVersions | None = None,
        forgetting: RedisSiteForgetting | None = None,
        api_keys: PsycopgApiKeyRepository | None = None,
        audit: PsycopgAuditLog | None = None,
    ) -> None:
        self._audit = audit
        self._store = store
        self._versions = versions
        self._forgetting = forgetting
        self._api_keys = api_keys

    async def purge(self, site_id: UUID) -> None:
        if self._forgetting is not None:
            await self._forgetting.forget(site_id)
            # A batch written between the first erase and the tombstone is erased now; later ones drop.
            await self._store.erase_site(site_id)
        if self._api_keys is not None:
            for key in await self._api_keys.forget_site(site_id, datetime.now(UTC)):
                if self._audit is not None:
                    await self._audit.record(
                        AuditEvent(
                            "api_key.revoked",
                            key.team_id,
                            target=key.name,
                            detail={"prefix": key.prefix, "reason": "its last site was deleted"},
                        )
                    )
        if self._audit is not None:
            await self._audit.forget_site(site_id)

    async def erase(self, site_id: UUID) -> None:
        await self._store.erase_site(site_id)
        if self._versions is not None:
            await self._versions.bump({site_id})
