# ruff: noqa: S608  (the SQL text is constant: values are bound parameters)
"""API keys in PostgreSQL through psycopg 3."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from fieldmark.identity.adapters.postgres import PostgresRepository
from fieldmark.identity.domain.api_key import ApiKey
from fieldmark.shared_kernel.ids import TeamId

_COLUMNS = "id, team_id, name, prefix, scopes, site_ids, created_by, created_at, last_used_at, revoked_at"
_SELECT = f"SELECT {_COLUMNS} FROM api_keys"


def _key(row: dict[str, Any]) -> ApiKey:
    return ApiKey(
        row["id"],
        TeamId(row["team_id"]),
        row["name"],
        row["prefix"],
        tuple(row["scopes"]),
        None if row["site_ids"] is None else tuple(row["site_ids"]),
        row["created_by"],
        row["created_at"],
        row["last_used_at"],
        row["revoked_at"],
    )


class PsycopgApiKeyRepository(PostgresRepository):
    async def add(self, key: ApiKey, key_hash: str) -> None:
        await self._run(
            "INSERT INTO api_keys"
            " (id, team_id, name, key_hash, prefix, scopes, site_ids, created_by, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                key.id,
                key.team_id,
                key.name,
                key_hash,
                key.prefix,
                list(key.scopes),
                None if key.site_ids is None else list(key.site_ids),
                key.created_by,
                key.created_at,
            ),
        )

    async def by_hash(self, key_hash: str) -> ApiKey | None:
        rows = await self._run(_SELECT + " WHERE key_hash = %s", (key_hash,))
        return _key(rows[0]) if rows else None

    async def of_team(self, team_id: TeamId) -> list[ApiKey]:
        return [
            _key(r) for r in await self._run(_SELECT + " WHERE team_id = %s ORDER BY created_at", (team_id,))
        ]

    async def revoke(self, team_id: TeamId, key_id: UUID, at: datetime) -> bool:
        rows = await self._run(
            "UPDATE api_keys SET revoked_at = %s"
            " WHERE team_id = %s AND id = %s AND revoked_at IS NULL RETURNING id",
            (at, team_id, key_id),
        )
        return bool(rows)

    async def forget_site(self, site_id: UUID, at: datetime) -> list[ApiKey]:
        """A deleted site leaves the keys limited to it; a key whose last site it was is revoked in the same
        statement (an emptied list on a live key is refused by the table's check). Returns those revoked."""
        rows = await self._run(
            "UPDATE api_keys SET site_ids = array_remove(site_ids, %s),"
            " revoked_at = CASE WHEN site_ids = ARRAY[%s]::uuid[] THEN COALESCE(revoked_at, %s)"
            " ELSE revoked_at END"
            " WHERE %s = ANY(site_ids) RETURNING " + _COLUMNS,
            (site_id, site_id, at, site_id),
        )
        return [_key(r) for r in rows if not r["site_ids"]]  # emptied: revoked by this statement

    async def touch(self, key_id: UUID, at: datetime) -> None:
        await self._run(
            "UPDATE api_keys SET last_used_at = %s"
            " WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)",
            (at, key_id, at - timedelta(minutes=1)),
        )
