"""Sites in PostgreSQL through psycopg 3."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable
from fieldmark.shared_kernel.ids import SiteId
from fieldmark.sites.domain.site import Site

_SELECT = (
    "SELECT id, team_id, domain, name, timezone, public_key, allowed_hostnames,"
    " excluded_networks::text[] AS excluded_networks, kept_query_params, created_at, tracker_options,"
    " heatmap_pages, retention_days"
    " FROM sites"
)


def _site(row: dict[str, Any]) -> Site:
    return Site(
        id=SiteId(row["id"]),
        team_id=row["team_id"],
        domain=row["domain"],
        name=row["name"],
        timezone=row["timezone"],
        public_key=row["public_key"],
        allowed_hostnames=tuple(row["allowed_hostnames"]),
        excluded_networks=tuple(row["excluded_networks"]),
        kept_query_params=tuple(row["kept_query_params"]),
        created_at=row["created_at"],
        tracker_options=dict(row["tracker_options"] or {}),
        heatmap_pages=tuple(row["heatmap_pages"] or ()),
        retention_days=row["retention_days"],
    )


class PsycopgSiteRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def add(self, site: Site) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO sites (id, team_id, domain, name, timezone, public_key, allowed_hostnames,"
                    " excluded_networks, kept_query_params, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::cidr[], %s, %s)",
                    (
                        site.id,
                        site.team_id,
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
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def _rows(self, query: str, value: object) -> list[dict[str, Any]]:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(query, (value,))
                return await cursor.fetchall()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def _one(self, query: str, value: object) -> Site | None:
        rows = await self._rows(query, value)
        return _site(rows[0]) if rows else None

    async def by_domain(self, domain: str) -> Site | None:
        return await self._one(_SELECT + " WHERE lower(domain) = lower(%s)", domain)

    async def by_public_key(self, key: str) -> Site | None:
        return await self._one(_SELECT + " WHERE public_key = %s", key)

    async def by_id(self, site_id: UUID) -> Site | None:
        return await self._one(_SELECT + " WHERE id = %s", site_id)

    async def of_team(self, team_id: UUID) -> list[Site]:
        return [
            _site(row) for row in await self._rows(_SELECT + " WHERE team_id = %s ORDER BY domain", team_id)
        ]

    async def delete(self, site_id: UUID) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute("DELETE FROM sites WHERE id = %s", (site_id,))
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def update(self, site: Site) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "UPDATE sites SET name = %s, timezone = %s, allowed_hostnames = %s,"
                    " excluded_networks = %s::cidr[], kept_query_params = %s, tracker_options = %s,"
                    " heatmap_pages = %s, retention_days = %s WHERE id = %s",
                    (
                        site.name,
                        site.timezone,
                        list(site.allowed_hostnames),
                        list(site.excluded_networks),
                        list(site.kept_query_params),
                        Jsonb(site.tracker_options),
                        list(site.heatmap_pages),
                        site.retention_days,
                        site.id,
                    ),
                )
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def count(self) -> int:
        try:
            async with self._pool.connection() as conn:
                row = await (await conn.execute("SELECT count(*) FROM sites")).fetchone()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return int(row[0]) if row else 0

    async def hostname_listed(self, host: str) -> bool:
        labels = host.lower().split(".")
        candidates = [host.lower()] + ["*." + ".".join(labels[i:]) for i in range(1, len(labels))]
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM sites WHERE allowed_hostnames && %s::text[])", (candidates,)
                )
                row = await cursor.fetchone()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return bool(row and row[0])
