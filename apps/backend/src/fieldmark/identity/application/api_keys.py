"""A team's API keys: create (shown once), list, revoke."""

from __future__ import annotations

from uuid import UUID

from fieldmark.identity.application.ports import ApiKeyRepository, SiteOwnership
from fieldmark.identity.domain.api_key import ApiKey, check_scopes, key_hash, new_key
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput, NotFound
from fieldmark.shared_kernel.ids import TeamId, new_id
from fieldmark.shared_kernel.text import display_name


class ApiKeys:
    """Rules: a key belongs to a team, has a name (1 to 100 characters) and at least one known scope, and
    may be limited to some of that team's sites (no list: every site, including later ones). A limit never
    widens: deleting a site takes it off the keys limited to it, and revokes a key whose last site it was.
    A limited key sees only its sites in team-wide answers, and cannot call team-wide routes that do not
    filter by site (creating a site among them). The key itself is returned once and stored only as a
    hash. A revoked key stops working at once."""

    def __init__(
        self, keys: ApiKeyRepository, sites: SiteOwnership, clock: Clock, audit: AuditTrail = NO_AUDIT
    ) -> None:
        self._audit = audit
        self._keys = keys
        self._sites = sites
        self._clock = clock

    async def create(
        self, creator: User, team_id: TeamId, name: str, scopes: list[str], site_ids: list[UUID] | None
    ) -> tuple[ApiKey, str]:
        name = display_name(name, what="a key's name")
        if site_ids is not None and not site_ids:
            raise InvalidInput(
                "a key limited to no site would read nothing: name its sites, or leave site_ids out for all",
                field="site_ids",
            )
        for site_id in site_ids or ():
            if await self._sites.team_of(site_id) != team_id:
                raise InvalidInput(f"site {site_id} is not one of this team's", field="site_ids")
        secret = new_key()
        key = ApiKey(
            new_id(),
            team_id,
            name,
            secret[:10],
            check_scopes(scopes),
            None if site_ids is None else tuple(dict.fromkeys(site_ids)),
            creator.id,
            self._clock.now(),
        )
        await self._keys.add(key, key_hash(secret))
        await self._audit.record(
            AuditEvent(
                "api_key.created",
                team_id,
                creator.id,
                None,
                key.name,
                {"scopes": ",".join(key.scopes), "prefix": key.prefix},
            )
        )
        return key, secret

    async def list(self, team_id: TeamId) -> list[ApiKey]:
        return [k for k in await self._keys.of_team(team_id) if k.revoked_at is None]

    async def revoke(self, team_id: TeamId, key_id: UUID, actor: User | None = None) -> None:
        if not await self._keys.revoke(team_id, key_id, self._clock.now()):
            raise NotFound("no such API key")
        await self._audit.record(
            AuditEvent("api_key.revoked", team_id, actor.id if actor else None, None, str(key_id))
        )
