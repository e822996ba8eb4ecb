"""Shared links over HTTP: admins create and revoke them; anyone holding one opens it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.adapters.http.auth_controller import client_key
from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.application.shared_links import NewLink, SharedLinks
from fieldmark.identity.domain.shared_link import SharedLink
from fieldmark.shared_kernel.access import MANAGE_SITES, PUBLIC, SITE, SITES_MANAGE, access
from fieldmark.shared_kernel.ids import TeamId


class LinkBody(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    password: str | None = None
    segment_id: UUID | None = None


class LinkOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    segment_id: str | None
    has_password: bool
    created_at: datetime


class CreatedLink(msgspec.Struct, frozen=True):
    shared_link: LinkOut
    token: str  # shown once
    url: str


class SharedSite(msgspec.Struct, frozen=True):
    site_id: str
    domain: str
    name: str
    timezone: str


class SharedSegment(msgspec.Struct, frozen=True):
    id: str
    name: str
    filters: list[Any]


class OpenedOut(msgspec.Struct, frozen=True):
    name: str
    site: SharedSite
    segment: SharedSegment | None
    password_required: bool


class UnlockBody(msgspec.Struct, forbid_unknown_fields=True):
    password: str


class Unlocked(msgspec.Struct, frozen=True):
    access_token: str  # send as `Authorization: Shared <access_token>`
    expires_at: datetime


def _out(link: SharedLink) -> LinkOut:
    return LinkOut(
        str(link.id),
        link.name,
        str(link.segment_id) if link.segment_id else None,
        link.has_password,
        link.created_at,
    )


def _links(request: Request[Any, Any, State]) -> SharedLinks:
    links: SharedLinks = request.app.state.identity.shared_links
    return links


def _team(request: Request[Any, Any, State]) -> TeamId:
    caller: Caller = request.state.caller
    assert caller.team_id is not None
    return caller.team_id


class SharedLinksController(Controller):
    tags = ["Shared links"]

    @get(
        "/api/sites/{site_id:uuid}/shared-links",
        operation_id="listSharedLinks",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="The site's live shared links, without their tokens",
    )
    async def list_links(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> list[LinkOut]:
        return [_out(link) for link in await _links(request).list(site_id)]

    @post(
        "/api/sites/{site_id:uuid}/shared-links",
        operation_id="createSharedLink",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Share the site's dashboard read-only, optionally behind a password or within a segment",
        description="201 with the link, its token and URL: shown once. Admins and owners. 400 for a name "
        "outside 1 to 100 characters, a password outside 8 to 1,024, or a segment that is not one shared "
        "with this site (`field` names it).",
    )
    async def create_link(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[LinkBody]
    ) -> CreatedLink:
        links = _links(request)
        link, token = await links.create(
            _team(request), site_id, NewLink(data.name, data.password, data.segment_id), request.state.actor
        )
        return CreatedLink(_out(link), token, links.url(token))

    @delete(
        "/api/sites/{site_id:uuid}/shared-links/{link_id:uuid}",
        operation_id="revokeSharedLink",
        opt=access(SITE, MANAGE_SITES, key_scope=SITES_MANAGE),
        summary="Revoke a shared link: it stops working at once (204; 404)",
    )
    async def revoke_link(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], link_id: FromPath[UUID]
    ) -> None:
        await _links(request).revoke(_team(request), site_id, link_id, request.state.actor)

    @get(
        "/api/share/{token:str}",
        operation_id="openSharedLink",
        opt=access(PUBLIC),
        summary="What a shared link shows: its site, its segment, whether it needs a password",
        description="200. 404 for an unknown or revoked link. Then call the site's read routes with "
        "`Authorization: Shared <token>` (or the access token from unlock).",
    )
    async def open_link(self, request: Request[Any, Any, State], token: FromPath[str]) -> OpenedOut:
        opened = await _links(request).open(token)
        segment = opened.segment
        return OpenedOut(
            opened.link.name,
            SharedSite(str(opened.link.site_id), opened.site.domain, opened.site.name, opened.site.timezone),
            SharedSegment(str(segment.id), segment.name, segment.filters) if segment else None,
            opened.link.has_password,
        )

    @post(
        "/api/share/{token:str}/unlock",
        operation_id="unlockSharedLink",
        opt=access(PUBLIC),
        status_code=200,
        summary="Trade a shared link's password for an access token good for 12 hours",
        description="200 `{access_token, expires_at}`. 401 for a wrong password; 400 when the link has "
        "none; 404 for an unknown or revoked link; 429 with Retry-After after 10 wrong passwords in 15 "
        "minutes from one client.",
    )
    async def unlock(
        self, request: Request[Any, Any, State], token: FromPath[str], data: JSONBody[UnlockBody]
    ) -> Unlocked:
        access_token, expires = await _links(request).unlock(token, data.password, client_key(request))
        return Unlocked(access_token, datetime.fromtimestamp(expires, UTC))
