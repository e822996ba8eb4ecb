"""Shared links in PostgreSQL: tokens as SHA-256 hashes, passwords as argon2id hashes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fieldmark.identity.adapters.postgres import PostgresRepository
from fieldmark.identity.domain.shared_link import SharedLink

_COLUMNS = "id, site_id, name, segment_id, password_hash, created_by, created_at, revoked_at"


def _link(row: dict[str, Any]) -> SharedLink:
    return SharedLink(
        row["id"],
        row["site_id"],
        row["name"],
        row["segment_id"],
        row["password_hash"] is not None,
        row["created_by"],
        row["created_at"],
        row["revoked_at"],
    )


class PsycopgSharedLinkRepository(PostgresRepository):
    async def add(self, link: SharedLink, token_hash: str, password_hash: str | None) -> None:
        await self._run(
            "INSERT INTO shared_links"
            " (id, site_id, name, token_hash, password_hash, segment_id, created_by, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                link.id,
                link.site_id,
                link.name,
                token_hash,
                password_hash,
                link.segment_id,
                link.created_by,
                link.created_at,
            ),
        )

    async def by_hash(self, token_hash: str) -> tuple[SharedLink, str | None] | None:
        rows = await self._run(f"SELECT {_COLUMNS} FROM shared_links WHERE token_hash = %s", (token_hash,))  # noqa: S608
        return (_link(rows[0]), rows[0]["password_hash"]) if rows else None

    async def of_site(self, site_id: UUID) -> list[SharedLink]:
        rows = await self._run(
            f"SELECT {_COLUMNS} FROM shared_links WHERE site_id = %s AND revoked_at IS NULL"  # noqa: S608
            " ORDER BY created_at",
            (site_id,),
        )
        return [_link(r) for r in rows]

    async def revoke(self, site_id: UUID, link_id: UUID, at: datetime) -> SharedLink | None:
        rows = await self._run(
            "UPDATE shared_links SET revoked_at = %s WHERE site_id = %s AND id = %s AND revoked_at IS NULL"  # noqa: S608
            f" RETURNING {_COLUMNS}",
            (at, site_id, link_id),
        )
        return _link(rows[0]) if rows else None
