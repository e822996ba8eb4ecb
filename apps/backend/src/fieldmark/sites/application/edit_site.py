"""Change a site's settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from fieldmark.shared_kernel.errors import NotFound
from fieldmark.shared_kernel.text import display_name
from fieldmark.sites.application.ports import NO_RETENTION, RetentionPolicy, SiteRepository
from fieldmark.sites.domain.site import (
    Site,
    check_retention,
    check_timezone,
    check_tracker_options,
    normalize_heatmap_pages,
    normalize_hostnames,
    normalize_networks,
)


@dataclass(frozen=True)
class SiteChanges:
    """Only the fields given change."""

    name: str | None = None
    timezone: str | None = None
    allowed_hostnames: list[str] | None = None
    excluded_ips: list[str] | None = None
    kept_query_params: list[str] | None = None
    tracker_options: dict[str, bool] | None = None
    heatmap_pages: list[str] | None = None
    retention_days: int | None = None


class EditSite:
    """Rules: the same checks as at creation; the domain and public key do not change (a new domain is a
    new site). Tracker options merge into the current ones. The collect endpoint sees changes within
    30 seconds (its site cache). A new retention period is handed to the retention policy, which applies
    it to the events already stored."""

    def __init__(self, sites: SiteRepository, retention: RetentionPolicy = NO_RETENTION) -> None:
        self._sites = sites
        self._retention = retention

    async def execute(self, site_id: UUID, changes: SiteChanges) -> Site:
        site = await self._sites.by_id(site_id)
        if site is None:
            raise NotFound("no such site")
        edited = replace(
            site,
            name=display_name(changes.name, what="a site's name") if changes.name is not None else site.name,
            timezone=check_timezone(changes.timezone) if changes.timezone is not None else site.timezone,
            allowed_hostnames=(
                normalize_hostnames(changes.allowed_hostnames, site.domain)
                if changes.allowed_hostnames is not None
                else site.allowed_hostnames
            ),
            excluded_networks=(
                normalize_networks(changes.excluded_ips)
                if changes.excluded_ips is not None
                else site.excluded_networks
            ),
            kept_query_params=(
                tuple(p.strip() for p in changes.kept_query_params if p.strip())
                if changes.kept_query_params is not None
                else site.kept_query_params
            ),
            tracker_options=(
                {**site.tracker_options, **check_tracker_options(changes.tracker_options)}
                if changes.tracker_options is not None
                else site.tracker_options
            ),
            heatmap_pages=(
                normalize_heatmap_pages(changes.heatmap_pages)
                if changes.heatmap_pages is not None
                else site.heatmap_pages
            ),
            retention_days=(
                check_retention(changes.retention_days)
                if changes.retention_days is not None
                else site.retention_days
            ),
        )
        await self._sites.update(edited)
        if edited.retention_days != site.retention_days:
            await self._retention.changed(site_id, edited.retention_days)
        return edited
