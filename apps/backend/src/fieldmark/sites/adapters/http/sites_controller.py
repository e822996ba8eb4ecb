"""Sites of a team over HTTP: list, create, read, delete. Access is declared here and decided by the guard."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.shared_kernel.access import (
    EDIT_SITES,
    MANAGE_SITES,
    SITE,
    SITES_MANAGE,
    STATS_READ,
    TEAM,
    VIEW,
    access,
)
from fieldmark.sites.application.create_site import CreateSite, CreateSiteCommand
from fieldmark.sites.application.edit_site import EditSite, SiteChanges
from fieldmark.sites.application.manage_sites import DeleteSite, GetSite, ListSites, ResetSiteData
from fieldmark.sites.domain.site import TRACKER_OPTIONS, Site, snippets


class NewSite(msgspec.Struct, forbid_unknown_fields=True):
    domain: str
    name: str = ""
    timezone: str = "UTC"
    allowed_hostnames: list[str] = []
    excluded_ips: list[str] = []


class SiteEdit(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    timezone: str | None = None
    allowed_hostnames: list[str] | None = None
    excluded_ips: list[str] | None = None
    kept_query_params: list[str] | None = None
    tracker_options: dict[str, bool] | None = None
    heatmap_pages: list[str] | None = None
    retention_days: int | None = None


class Snippets(msgspec.Struct, frozen=True):
    direct: str
    first_party: str


class SiteOut(msgspec.Struct, frozen=True):
    id: str
    team_id: str | None
    domain: str
    name: str
    timezone: str
    public_key: str
    allowed_hostnames: list[str]
    excluded_ips: list[str]
    kept_query_params: list[str]
    tracker_options: dict[str, bool]
    heatmap_pages: list[str]
    retention_days: int


def _out(site: Site) -> SiteOut:
    return SiteOut(
        str(site.id),
        str(site.team_id) if site.team_id else None,
        site.domain,
        site.name,
        site.timezone,
        site.public_key,
        list(site.allowed_hostnames),
        list(site.excluded_networks),
        list(site.kept_query_params),
        {name: site.option(name) for name in TRACKER_OPTIONS},
        list(site.heatmap_pages),
        site.retention_days,
    )


class SitesController(Controller):
    tags = ["Sites"]

    @get(
        "/api/teams/{team_id:uuid}/sites",
        operation_id="listSites",
        opt=access(TEAM, VIEW, key_scope=STATS_READ, filters_sites=True),
        summary="The team's sites",
        description="200 for members, and for the team's API keys with stats:read (a key limited to some "
        "sites lists only those); 404 for anyone else.",
    )
    async def list_sites(self, request: Request[Any, Any, State], team_id: FromPath[UUID]) -> list[SiteOut]:
        use_case: ListSites = request.app.state.sites.list
        return [_out(site) for site in await use_case.execute(team_id, request.state.actor)]

    @post(
        "/api/teams/{team_id:uuid}/sites",
        operation_id="createSite",
        opt=access(TEAM, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Add a site to the team",
        description="201 with the site and its public key. 400 for an invalid domain, hostname, IP or time "
        "zone; 403 below admin, and for an API key limited to some sites; 409 when the domain is taken.",
    )
    async def create_site(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], data: JSONBody[NewSite]
    ) -> SiteOut:
        use_case: CreateSite = request.app.state.sites.create
        site = await use_case.execute(
            CreateSiteCommand(
                domain=data.domain,
                name=data.name,
                timezone=data.timezone,
                allowed_hostnames=data.allowed_hostnames,
                excluded_ips=data.excluded_ips,
                team_id=team_id,
            )
        )
        return _out(site)

    @get(
        "/api/sites/{site_id:uuid}",
        operation_id="getSite",
        opt=access(SITE, VIEW, key_scope=STATS_READ),
        summary="One site",
        description="200 for members of its team; 404 for anyone else.",
    )
    async def get_site(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> SiteOut:
        use_case: GetSite = request.app.state.sites.get
        return _out(await use_case.execute(site_id))

    @delete(
        "/api/sites/{site_id:uuid}",
        operation_id="deleteSite",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Delete a site and all its events",
        description="204. 403 below admin; 404 for non-members.",
    )
    async def delete_site(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> None:
        use_case: DeleteSite = request.app.state.sites.delete
        await use_case.execute(site_id, request.state.actor)

    @delete(
        "/api/sites/{site_id:uuid}/events",
        operation_id="resetSiteData",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Delete every event of a site, keeping the site and its settings",
        description="204. 403 below admin; 404 for non-members. Cached statistics of the site go too.",
    )
    async def reset_site_data(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> None:
        use_case: ResetSiteData = request.app.state.sites.reset
        await use_case.execute(site_id, request.state.actor)

    @patch(
        "/api/sites/{site_id:uuid}",
        operation_id="editSite",
        opt=access(SITE, EDIT_SITES, key_scope=SITES_MANAGE),
        summary="Change a site's settings (only the fields sent)",
        description="200 with the site. Editors and up. 400 for an invalid name, time zone, hostname, IP or "
        "tracker option (`field` names it). The collect endpoint applies changes within 30 seconds.",
    )
    async def edit_site(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[SiteEdit]
    ) -> SiteOut:
        use_case: EditSite = request.app.state.sites.edit
        return _out(
            await use_case.execute(
                site_id,
                SiteChanges(
                    name=data.name,
                    timezone=data.timezone,
                    allowed_hostnames=data.allowed_hostnames,
                    excluded_ips=data.excluded_ips,
                    kept_query_params=data.kept_query_params,
                    tracker_options=data.tracker_options,
                    heatmap_pages=data.heatmap_pages,
                    retention_days=data.retention_days,
                ),
            )
        )

    @get(
        "/api/sites/{site_id:uuid}/snippet",
        operation_id="getSnippet",
        opt=access(SITE, VIEW, key_scope=STATS_READ),
        summary="The script tag to paste: direct, or through a first-party proxy at /stats",
        description="200. See docs/first-party-proxy.md for proxy recipes.",
    )
    async def snippet(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> Snippets:
        get_site: GetSite = request.app.state.sites.get
        tags = snippets(await get_site.execute(site_id), request.app.state.sites.base_url)
        return Snippets(tags["direct"], tags["first_party"])
