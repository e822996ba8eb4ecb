"""What Sites' use cases need from the outside world."""

from typing import Protocol
from uuid import UUID

from fieldmark.sites.domain.definitions import Funnel, Goal, Segment
from fieldmark.sites.domain.site import Site


class SiteRepository(Protocol):
    async def add(self, site: Site) -> None:
        """Store a new site; raise `Conflict` if its domain is taken."""

    async def by_domain(self, domain: str) -> Site | None: ...

    async def by_public_key(self, key: str) -> Site | None: ...

    async def count(self) -> int:
        """Every site of the instance."""
        ...

    async def hostname_listed(self, host: str) -> bool:
        """Whether any site allows this hostname, exactly or through a `*.` wildcard."""

    async def by_id(self, site_id: UUID) -> Site | None: ...

    async def of_team(self, team_id: UUID) -> list[Site]: ...

    async def delete(self, site_id: UUID) -> None: ...

    async def update(self, site: Site) -> None: ...


class RetentionPolicy(Protocol):
    """Applies a site's retention period to its stored events: implemented over Reporting."""

    async def changed(self, site_id: UUID, days: int) -> None: ...


class _NoRetention:
    async def changed(self, site_id: UUID, days: int) -> None:
        return None


NO_RETENTION: RetentionPolicy = _NoRetention()


class SiteDataEraser(Protocol):
    """Removes a site's collected events: implemented over the Ingestion context."""

    async def erase(self, site_id: UUID) -> None: ...

    async def purge(self, site_id: UUID) -> None:
        """Everything else any store holds of a deleted site: queued events, counters, sessions, the
        API keys' mention of it."""


class DefinitionRepository(Protocol):
    """Goals, funnels and segments of sites. `add_*` and `replace_*` raise `Conflict` on a taken name."""

    async def goals(self, site_id: UUID) -> list[Goal]: ...
    async def add_goal(self, goal: Goal) -> None: ...
    async def replace_goal(self, goal: Goal) -> bool: ...
    async def delete_goal(self, site_id: UUID, goal_id: UUID) -> bool: ...

    async def funnels(self, site_id: UUID) -> list[Funnel]: ...
    async def add_funnel(self, funnel: Funnel) -> None: ...
    async def replace_funnel(self, funnel: Funnel) -> bool: ...
    async def delete_funnel(self, site_id: UUID, funnel_id: UUID) -> bool: ...

    async def segments(self, site_id: UUID) -> list[Segment]: ...
    async def add_segment(self, segment: Segment) -> None: ...
    async def replace_segment(self, segment: Segment) -> bool: ...
    async def delete_segment(self, site_id: UUID, segment_id: UUID) -> bool: ...
