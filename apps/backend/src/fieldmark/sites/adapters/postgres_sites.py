"""Sites in PostgreSQL through psycopg 3."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable
from fieldmark.shared_kernel.ids import SiteId
from fieldmark.sites.domain.site import Site

_COLUMNS = (
    "id, domain, name, timezone, public_key, allowed_hostnames, excluded_networks::text[] AS "
    "excluded_networks, kept_query_params, created_at"
)


def _site(row: dict[str, Any]) -> Site:
    return Site(
        id=SiteId(row["id"]),
        domain=row["domain"],
        name=row["name"],
        timezone=row["timezone"],
        public_key=row["public_key"],
        allowed_hostnames=tuple(row["allowed_hostnames"]),
        excluded_networks=tuple(row["excluded_networks"]),
        kept_query_params=tuple(row["kept_query_params"]),
        created_at=row["created_at"],
    )


class PsycopgSiteRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def add(self, site: Site) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO sites (id, domain, name, timezone, public_key, allowed_hostnames,"
                    " excluded_networks, kept_query_params, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s::cidr[], %s, %s)",
                    (
                        site.id,
                        site.domain,
                        site.name,
                        site.timezone,
                        site.public_key,
                        list(site.allowed_hostnames),
                        list(site.excluded_networks),
                        list(site.kept_query_params),
                        site.created_at,
                    ),
                )
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"a site with the domain {site.domain} exists", field="domain") from None
        except psycopg.OperationalError:
            raise StoreUnavailable("PostgreSQL is unavailable") from None

    async def _one(self, where: str, value: str) -> Site | None:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(f"SELECT {_COLUMNS} FROM sites WHERE {where}", (value,))  # noqa: S608
                row = await cursor.fetchone()
        except psycopg.OperationalError:
            raise StoreUnavailable("PostgreSQL is unavailable") from None
        return _site(row) if row else None

    async def by_domain(self, domain: str) -> Site | None:
        return await self._one("lower(domain) = lower(%s)", domain)

    async def by_public_key(self, key: str) -> Site | None:
        return await self._one("public_key = %s", key)

    async def hostname_listed(self, host: str) -> bool:
        labels = host.lower().split(".")
        candidates = [host.lower()] + ["*." + ".".join(labels[i:]) for i in range(1, len(labels))]
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM sites WHERE allowed_hostnames && %s::text[])", (candidates,)
                )
                row = await cursor.fetchone()
        except psycopg.OperationalError:
            raise StoreUnavailable("PostgreSQL is unavailable") from None
        return bool(row and row[0])
