"""The one authorization decision every route goes through."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from enum import StrEnum
from uuid import UUID

from fieldmark.identity.application.current_user import CurrentUser
from fieldmark.identity.application.ports import (
    ApiKeyRepository,
    Session,
    SharedLinkRepository,
    SiteOwnership,
    TeamRepository,
    TwoFactorStore,
)
from fieldmark.identity.domain import heatmap_token
from fieldmark.identity.domain.api_key import ApiKey, key_hash
from fieldmark.identity.domain.roles import Permission, Role, allows
from fieldmark.identity.domain.shared_link import SharedLink, grant_valid, token_hash
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import NotFound, PermissionDenied, Unauthenticated
from fieldmark.shared_kernel.ids import TeamId


class Scope(StrEnum):
    USER = "user"  # any signed-in user (their own account and teams)
    TEAM = "team"  # a permission on the team named in the path
    SITE = "site"  # a permission on the team that owns the site named in the path


@dataclass(frozen=True)
class AccessRequest:
    session_token: str | None
    csrf_token: str | None
    writes: bool  # an unsafe method (POST, PUT, PATCH, DELETE)
    scope: Scope
    target: UUID | None = None
    permission: Permission | None = None
    api_key: str | None = None  # a bearer key, instead of the session cookie
    key_scope: str | None = None  # the API-key scope the route accepts, if any
    shared_link: str | None = None  # a shared link's token, or `<token>.<grant>` once unlocked
    accepts_shared_links: bool = False  # the route serves shared-link holders (read-only site routes)
    site_domain: str | None = None  # the site named by its domain (in the body) rather than in the path
    heatmap_token: str | None = None  # `Authorization: Heatmap <token>`, the on-page overlay's credential
    accepts_heatmap_tokens: bool = False  # the route serves the overlay (a site's heatmap reads)
    filters_sites: bool = False  # a team-wide route whose answer covers only the caller's sites


@dataclass(frozen=True)
class Caller:
    """A signed-in person (user and session), or an API key acting for its team."""

    user: User | None
    session: Session | None
    role: Role | None = None
    team_id: TeamId | None = None
    api_key: ApiKey | None = None
    shared_link: SharedLink | None = None
    site_id: UUID | None = None  # the site the request acts on, when its scope is a site
    heatmap_site: UUID | None = None  # the site a heatmap token grants

    @property
    def person(self) -> User:
        """The signed-in user; routes that accept API keys must not ask for it."""
        if self.user is None:
            raise PermissionDenied("this needs a signed-in person, not an API key")
        return self.user

    @property
    def browser_session(self) -> Session:
        if self.session is None:
            raise PermissionDenied("this needs a signed-in browser, not an API key")
        return self.session


class Authorize:
    """Decides whether a request may proceed.

    Rules: the caller is the user of the session cookie (401 without one), or an API key sent as
    `Authorization: Bearer`. A key may call only routes that accept its scope (403 otherwise), and
    only for its own team and, when it is limited to some sites, those sites (404 otherwise); a key limited
    to some sites calls team-wide routes only where the answer is filtered by its sites (403). A shared
    link (`Authorization: Shared <token>`, plus its grant once a password unlocked it) reads only its
    own site through the routes that serve shared links: 401 when unknown, revoked or still locked,
    403 on any other route, 404 for another site. A heatmap token (`Authorization: Heatmap`, 15
    minutes, signed) reads only its site's heatmap routes: 401 when forged or expired, 403 on any other
    route, 404 for another site. A write
    made with the cookie must carry the session's CSRF token (403). For a team or site in the path, the
    caller must be a member of that team (otherwise 404: whether it exists is not revealed), and the
    member's role must grant the route's permission (403). A team that requires two-factor sign-in
    refuses members who have not turned it on (403, `field: two_factor`)."""

    def __init__(
        self,
        current_user: CurrentUser,
        teams: TeamRepository,
        sites: SiteOwnership,
        keys: ApiKeyRepository,
        clock: Clock,
        links: SharedLinkRepository | None = None,
        secret: bytes = b"",
        two_factor: TwoFactorStore | None = None,
    ) -> None:
        self._two_factor = two_factor
        self._links = links
        self._secret = secret
        self._current_user = current_user
        self._teams = teams
        self._sites = sites
        self._keys = keys
        self._clock = clock

    async def execute(self, request: AccessRequest) -> Caller:
        if request.site_domain is not None:
            site = await self._sites.by_domain(request.site_domain)
            if site is None:
                raise NotFound("no such site")
            request = replace(request, target=site, site_domain=None)
        caller = await self._decide(request)
        return replace(caller, site_id=request.target) if request.scope is Scope.SITE else caller

    async def _decide(self, request: AccessRequest) -> Caller:
        if request.api_key is not None:
            return await self._by_key(request, request.api_key)
        if request.shared_link is not None:
            return await self._by_shared_link(request, request.shared_link)
        if request.heatmap_token is not None:
            return await self._by_heatmap_token(request, request.heatmap_token)
        user, session = await self._current_user.execute(request.session_token)
        if request.writes and not hmac.compare_digest(
            (request.csrf_token or "").encode(), session.csrf_token.encode()
        ):
            raise PermissionDenied("missing or wrong X-CSRF-Token for this session", field="x-csrf-token")
        if request.scope is Scope.USER:
            return Caller(user, session)
        if request.target is None or request.permission is None:
            raise PermissionDenied("this route names no team or site")
        if request.scope is Scope.TEAM:
            team_id: TeamId | None = TeamId(request.target)
        else:
            team_id = await self._sites.team_of(request.target)
        found = await self._teams.access_of(team_id, user.id) if team_id is not None else None
        if found is None:
            raise NotFound(f"no such {request.scope.value}")
        role, needs_two_factor = found
        if needs_two_factor and not (self._two_factor and (await self._two_factor.state(user.id)).enabled):
            raise PermissionDenied(
                "this team requires two-factor sign-in: turn it on for your account first", field="two_factor"
            )
        if not allows(role, request.permission):
            raise PermissionDenied(f"a {role.value} may not do this")
        return Caller(user, session, role, team_id)

    async def _by_key(self, request: AccessRequest, secret: str) -> Caller:
        key = await self._keys.by_hash(key_hash(secret))
        if key is None or key.revoked_at is not None:
            raise Unauthenticated("unknown or revoked API key")
        if request.key_scope is None:
            raise PermissionDenied("API keys cannot call this route")
        if request.key_scope not in key.scopes:
            raise PermissionDenied(f"this API key lacks the {request.key_scope} scope")
        if request.scope is Scope.TEAM and request.target != key.team_id:
            raise NotFound("no such team")
        if request.scope is Scope.TEAM and key.limited and not request.filters_sites:
            raise PermissionDenied("an API key limited to some sites cannot call this team-wide route")
        if request.scope is Scope.SITE:
            assert request.target is not None
            if await self._sites.team_of(request.target) != key.team_id or not key.covers(request.target):
                raise NotFound("no such site")
        await self._keys.touch(key.id, self._clock.now())
        return Caller(None, None, None, key.team_id, key)

    async def _by_shared_link(self, request: AccessRequest, credential: str) -> Caller:
        token, _, granted = credential.partition(".")
        found = await self._links.by_hash(token_hash(token)) if self._links else None
        if found is None or found[0].revoked_at is not None:
            raise Unauthenticated("unknown or revoked shared link")
        link, password_hash = found
        now = int(self._clock.now().timestamp())
        if password_hash is not None and not grant_valid(self._secret, link.id, granted, now):
            raise Unauthenticated("this shared link needs its password (POST /api/share/{token}/unlock)")
        # Routes that serve shared links are reads (a query is a POST, but changes nothing).
        if not request.accepts_shared_links or request.permission is not Permission.VIEW:
            raise PermissionDenied("a shared link only reads the statistics of its site")
        if request.scope is not Scope.SITE or request.target != link.site_id:
            raise NotFound("no such site")
        team_id = await self._sites.team_of(link.site_id)
        return Caller(None, None, None, team_id, shared_link=link)

    async def _by_heatmap_token(self, request: AccessRequest, token: str) -> Caller:
        site = heatmap_token.site_of(self._secret, token, int(self._clock.now().timestamp()))
        if site is None:
            raise Unauthenticated(
                "unknown or expired heatmap token: open the heatmap from the dashboard again"
            )
        if not request.accepts_heatmap_tokens or request.permission is not Permission.VIEW:
            raise PermissionDenied("a heatmap token only reads the heatmaps of its site")
        if request.scope is not Scope.SITE or request.target != site:
            raise NotFound("no such site")
        return Caller(None, None, None, await self._sites.team_of(site), heatmap_site=site)
