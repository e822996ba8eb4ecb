"""Reading and deleting the sites of a team."""

from __future__ import annotations

from uuid import UUID

from fieldmark.shared_kernel.audit import NO_AUDIT, Actor, AuditEvent, AuditTrail
from fieldmark.shared_kernel.errors import NotFound
from fieldmark.sites.application.ports import SiteDataEraser, SiteRepository
from fieldmark.sites.domain.site import Site


class ListSites:
    """A team's sites, by domain: those the caller sees (an API key limited to some sites sees only those)."""

    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def execute(self, team_id: UUID, actor: Actor | None = None) -> list[Site]:
        sites = await self._sites.of_team(team_id)
        return [s for s in sites if actor.sees(s.id)] if actor is not None else sites


class GetSite:
    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def execute(self, site_id: UUID) -> Site:
        site = await self._sites.by_id(site_id)
        if site is None:
            raise NotFound("no such site")
        return site


class DeleteSite:
    """Deletes a site and every event collected for it. Rules: the events go first, so a failure leaves
    the site in place to delete again rather than events no site owns; then its settings, goals, funnels,
    segments and links; then whatever else any store holds of it, including events still queued (they
    are dropped, not written)."""

    def __init__(self, sites: SiteRepository, eraser: SiteDataEraser, audit: AuditTrail = NO_AUDIT) -> None:
        self._sites = sites
        self._eraser = eraser
        self._audit = audit

    async def execute(self, site_id: UUID, actor: Actor | None = None) -> None:
        site = await self._sites.by_id(site_id)
        if site is None:
            raise NotFound("no such site")
        await self._eraser.erase(site_id)
        await self._sites.delete(site_id)
        await self._eraser.purge(site_id)
        await self._audit.record(
            AuditEvent(
                "site.deleted",
                site.team_id,
                actor.user_id if actor else None,
                actor.key_id if actor else None,
                site.domain,
            )
        )


class ResetSiteData:
    """Deletes every event of a site and keeps the site, its settings, goals, funnels and links. Rules:
    admins and owners only (the route's guard); cached answers for the site are dropped with the events,
    so the dashboard shows the empty site at once."""

    def __init__(self, sites: SiteRepository, eraser: SiteDataEraser, audit: AuditTrail = NO_AUDIT) -> None:
        self._sites = sites
        self._eraser = eraser
        self._audit = audit

    async def execute(self, site_id: UUID, actor: Actor | None = None) -> None:
        site = await self._sites.by_id(site_id)
        if site is None:
            raise NotFound("no such site")
        await self._eraser.erase(site_id)
        await self._audit.record(
            AuditEvent(
                "site.data_reset",
                site.team_id,
                actor.user_id if actor else None,
                actor.key_id if actor else None,
                site.domain,
            )
        )
