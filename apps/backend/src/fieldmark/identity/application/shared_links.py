"""Shared links: created by a site's admins, opened by anyone holding the token."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fieldmark.identity.application.ports import (
    LoginThrottle,
    PasswordHasher,
    SegmentSummary,
    SharedLinkRepository,
    SiteFacts,
    SiteSummary,
)
from fieldmark.identity.domain.shared_link import (
    GRANT_LIFETIME_S,
    SharedLink,
    check_link_name,
    check_link_password,
    grant,
    new_token,
    token_hash,
)
from fieldmark.shared_kernel.audit import NO_AUDIT, Actor, AuditEvent, AuditTrail
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput, NotFound, RateLimited, Unauthenticated
from fieldmark.shared_kernel.ids import TeamId, new_id


@dataclass(frozen=True)
class NewLink:
    name: str
    password: str | None = None
    segment_id: UUID | None = None


@dataclass(frozen=True)
class OpenedLink:
    link: SharedLink
    site: SiteSummary
    segment: SegmentSummary | None


class SharedLinks:
    """Rules: the token (`fms_…`) is shown once and kept as a hash. A password, if any, is kept as an
    argon2id hash; the right one earns a signed grant good for 12 hours, and wrong ones are throttled
    like sign-ins (10 in 15 minutes per link and client). A link may be restricted to one segment shared
    with the site (not a personal one); deleting that segment or the site deletes the link. Revoking
    stops the link at once."""

    def __init__(
        self,
        links: SharedLinkRepository,
        sites: SiteFacts,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        clock: Clock,
        secret: bytes,
        base_url: str,
        audit: AuditTrail = NO_AUDIT,
    ) -> None:
        self._links = links
        self._sites = sites
        self._hasher = hasher
        self._throttle = throttle
        self._clock = clock
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._audit = audit

    def url(self, token: str) -> str:
        return f"{self._base_url}/share/{token}"

    async def create(
        self, team_id: TeamId, site_id: UUID, data: NewLink, actor: Actor
    ) -> tuple[SharedLink, str]:
        name = check_link_name(data.name)
        password = check_link_password(data.password) if data.password is not None else None
        if data.segment_id is not None and await self._sites.shared_segment(site_id, data.segment_id) is None:
            raise InvalidInput("no segment shared with this site has that id", field="segment_id")
        link = SharedLink(
            new_id(), site_id, name, data.segment_id, password is not None, actor.user_id, self._clock.now()
        )
        token = new_token()
        await self._links.add(link, token_hash(token), self._hasher.hash(password) if password else None)
        await self._record("shared_link.created", team_id, link, actor)
        return link, token

    async def list(self, site_id: UUID) -> list[SharedLink]:
        return await self._links.of_site(site_id)

    async def revoke(self, team_id: TeamId, site_id: UUID, link_id: UUID, actor: Actor) -> None:
        link = await self._links.revoke(site_id, link_id, self._clock.now())
        if link is None:
            raise NotFound("no such shared link")
        await self._record("shared_link.revoked", team_id, link, actor)

    async def _record(self, action: str, team_id: TeamId, link: SharedLink, actor: Actor) -> None:
        detail = {"site_id": str(link.site_id), "password": "yes" if link.has_password else "no"}
        if link.segment_id:
            detail["segment_id"] = str(link.segment_id)
        await self._audit.record(AuditEvent(action, team_id, actor.user_id, actor.key_id, link.name, detail))

    async def open(self, token: str) -> OpenedLink:
        """What the link shows before any password: its site and segment, and whether it needs one."""
        link, _ = await self._live(token)
        site = await self._sites.summary(link.site_id)
        if site is None:
            raise NotFound("no such shared link")
        segment = await self._sites.shared_segment(link.site_id, link.segment_id) if link.segment_id else None
        return OpenedLink(link, site, segment)

    async def unlock(self, token: str, password: str, client: str) -> tuple[str, int]:
        """An access token (`<token>.<expires>.<signature>`) and its expiry, for the right password."""
        link, password_hash = await self._live(token)
        keys = [f"share:{link.id}:{client}"]
        if password_hash is None:
            raise InvalidInput("this shared link has no password", field="password")
        if wait := await self._throttle.attempt(keys):
            raise RateLimited("too many wrong passwords; try again later", retry_after=wait)
        if not self._hasher.verify(password_hash, password):
            raise Unauthenticated("wrong password for this shared link")
        await self._throttle.succeeded(refund=keys, clear=[])
        expires = int(self._clock.now().timestamp()) + GRANT_LIFETIME_S
        return f"{token}.{grant(self._secret, link.id, expires)}", expires

    async def _live(self, token: str) -> tuple[SharedLink, str | None]:
        found = await self._links.by_hash(token_hash(token))
        if found is None or found[0].revoked_at is not None:
            raise NotFound("no such shared link")
        return found
