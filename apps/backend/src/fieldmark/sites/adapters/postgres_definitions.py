"""Goals, funnels and segments in PostgreSQL. Matchers and filters are kept as JSON in their API form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable
from fieldmark.sites.domain.definitions import Funnel, Goal, Segment, check_visibility, matcher, matcher_out

T = TypeVar("T")


def _goal(row: dict[str, Any]) -> Goal:
    return Goal(
        row["id"],
        row["site_id"],
        row["name"],
        matcher(row["match"], "match"),
        row["currency"],
        row["created_at"],
    )


def _funnel(row: dict[str, Any]) -> Funnel:
    steps = tuple(matcher(step, "steps") for step in row["steps"])
    return Funnel(
        row["id"],
        row["site_id"],
        row["name"],
        steps,
        timedelta(seconds=row["window_seconds"]),
        row["created_at"],
    )


def _segment(row: dict[str, Any]) -> Segment:
    return Segment(
        row["id"],
        row["site_id"],
        row["name"],
        row["filters"],
        check_visibility(row["visibility"]),
        row["owner_id"],
        row["created_at"],
    )


class PsycopgDefinitionRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def _run(
        self, query: str | sql.Composed, params: tuple[Any, ...], taken: str = ""
    ) -> list[dict[str, Any]]:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.errors.UniqueViolation:
            raise Conflict(taken, field="name") from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def _list(self, table: str, site_id: UUID, row: Callable[[dict[str, Any]], T]) -> list[T]:
        query = sql.SQL("SELECT * FROM {} WHERE site_id = %s ORDER BY created_at, id").format(
            sql.Identifier(table)
        )
        rows = await self._run(query, (site_id,))
        return [row(r) for r in rows]

    async def _delete(self, table: str, site_id: UUID, item_id: UUID) -> bool:
        query = sql.SQL("DELETE FROM {} WHERE site_id = %s AND id = %s RETURNING id").format(
            sql.Identifier(table)
        )
        rows = await self._run(query, (site_id, item_id))
        return bool(rows)

    # Goals
    async def goals(self, site_id: UUID) -> list[Goal]:
        return await self._list("goals", site_id, _goal)

    async def add_goal(self, goal: Goal) -> None:
        await self._run(
            "INSERT INTO goals (id, site_id, name, match, currency, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (
                goal.id,
                goal.site_id,
                goal.name,
                Jsonb(matcher_out(goal.match)),
                goal.currency,
                goal.created_at,
            ),
            f"a goal named {goal.name!r} exists",
        )

    async def replace_goal(self, goal: Goal) -> bool:
        rows = await self._run(
            "UPDATE goals SET name = %s, match = %s, currency = %s"
            " WHERE site_id = %s AND id = %s RETURNING id",
            (goal.name, Jsonb(matcher_out(goal.match)), goal.currency, goal.site_id, goal.id),
            f"a goal named {goal.name!r} exists",
        )
        return bool(rows)

    async def delete_goal(self, site_id: UUID, goal_id: UUID) -> bool:
        return await self._delete("goals", site_id, goal_id)

    # Funnels
    async def funnels(self, site_id: UUID) -> list[Funnel]:
        return await self._list("funnels", site_id, _funnel)

    async def add_funnel(self, funnel: Funnel) -> None:
        await self._run(
            "INSERT INTO funnels (id, site_id, name, steps, window_seconds, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (
                funnel.id,
                funnel.site_id,
                funnel.name,
                Jsonb([matcher_out(s) for s in funnel.steps]),
                int(funnel.window.total_seconds()),
                funnel.created_at,
            ),
            f"a funnel named {funnel.name!r} exists",
        )

    async def replace_funnel(self, funnel: Funnel) -> bool:
        rows = await self._run(
            "UPDATE funnels SET name = %s, steps = %s, window_seconds = %s WHERE site_id = %s AND id = %s"
            " RETURNING id",
            (
                funnel.name,
                Jsonb([matcher_out(s) for s in funnel.steps]),
                int(funnel.window.total_seconds()),
                funnel.site_id,
                funnel.id,
            ),
            f"a funnel named {funnel.name!r} exists",
        )
        return bool(rows)

    async def delete_funnel(self, site_id: UUID, funnel_id: UUID) -> bool:
        return await self._delete("funnels", site_id, funnel_id)

    # Segments
    async def segments(self, site_id: UUID) -> list[Segment]:
        return await self._list("segments", site_id, _segment)

    async def add_segment(self, segment: Segment) -> None:
        await self._run(
            "INSERT INTO segments (id, site_id, name, filters, visibility, owner_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                segment.id,
                segment.site_id,
                segment.name,
                Jsonb(segment.filters),
                segment.visibility,
                segment.owner_id,
                segment.created_at,
            ),
        )

    async def replace_segment(self, segment: Segment) -> bool:
        rows = await self._run(
            "UPDATE segments SET name = %s, filters = %s, visibility = %s WHERE site_id = %s AND id = %s"
            " RETURNING id",
            (segment.name, Jsonb(segment.filters), segment.visibility, segment.site_id, segment.id),
        )
        return bool(rows)

    async def delete_segment(self, site_id: UUID, segment_id: UUID) -> bool:
        return await self._delete("segments", site_id, segment_id)
