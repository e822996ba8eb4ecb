"""One person's data, for their rights of access and erasure (GDPR articles 15 and 17): the events a site
recorded under the id it gave them (`fieldmark('identify', id)`), and the rest of the visits those
events were in (pages seen before signing in, say). Anonymous visitors cannot be singled out: their ids
are hashes under a daily salt that is deleted after 48 hours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from fieldmark.reporting.application.ports import PersonEvents, PersonIds, SiteTeams
from fieldmark.shared_kernel.audit import NO_AUDIT, Actor, AuditEvent, AuditTrail
from fieldmark.shared_kernel.errors import InvalidInput

MAX_PERSON_ID = 256  # as the collect endpoint takes it


def _checked(person: str) -> str:
    if not isinstance(person, str) or not person.strip() or len(person) > MAX_PERSON_ID:
        raise InvalidInput(
            f"person is the id the site identifies them by (1 to {MAX_PERSON_ID} characters)", field="person"
        )
    return person


class PersonData:
    """Rules: admins and owners of the site's team only (the routes' guard). The audit log records each
    export and erasure with the hashed id, never the id the site gave."""

    def __init__(
        self, ids: PersonIds, events: PersonEvents, sites: SiteTeams, audit: AuditTrail = NO_AUDIT
    ) -> None:
        self._ids = ids
        self._events = events
        self._sites = sites
        self._audit = audit

    async def _record(
        self, action: str, site_id: UUID, hashed: int, actor: Actor | None, detail: dict[str, str]
    ) -> None:
        await self._audit.record(
            AuditEvent(
                action,
                await self._sites.team_of(site_id),
                actor.user_id if actor else None,
                actor.key_id if actor else None,
                f"person {hashed:016x}",
                {"site_id": str(site_id), **detail},
            )
        )

    async def export(self, site_id: UUID, person: str, actor: Actor | None = None) -> AsyncIterator[bytes]:
        hashed = self._ids.of(site_id, _checked(person))
        await self._record("person.exported", site_id, hashed, actor, {})
        return self._events.export(site_id, hashed)

    async def erase(self, site_id: UUID, person: str, actor: Actor | None = None) -> int:
        """The number of events deleted."""
        hashed = self._ids.of(site_id, _checked(person))
        count = await self._events.count(site_id, hashed)
        if count:
            await self._events.erase(site_id, hashed)
        await self._record("person.erased", site_id, hashed, actor, {"events": str(count)})
        return count
