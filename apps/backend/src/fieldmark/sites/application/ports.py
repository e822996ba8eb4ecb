"""What Sites' use cases need from the outside world."""

from typing import Protocol
from uuid import UUID

from fieldmark.sites.domain.site import Site


class SiteRepository(Protocol):
    async def add(self, site: Site) -> None:
        """Store a new site; raise `Conflict` if its domain is taken."""

    async def by_domain(self, domain: str) -> Site | None: ...

    async def by_public_key(self, key: str) -> Site | None: ...

    async def hostname_listed(self, host: str) -> bool:
        """Whether any site allows this hostname, exactly or through a `*.` wildcard."""

    async def by_id(self, site_id: UUID) -> Site | None: ...

    async def of_team(self, team_id: UUID) -> list[Site]: ...

    async def delete(self, site_id: UUID) -> None: ...

    async def update(self, site: Site) -> None: ...


class SiteDataEraser(Protocol):
    """Removes a site's collected events: implemented over the Ingestion context."""

    async def erase(self, site_id: UUID) -> None: ...
