"""Digest subscriptions and alerts in PostgreSQL through psycopg 3."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from fieldmark.reporting.application.imports import ImportRecord
from fieldmark.reporting.domain.alerts import Alert
from fieldmark.reporting.domain.digests import Subscription
from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable

_SUBSCRIPTION = "SELECT id, site_id, user_id, email, frequency, last_period FROM report_subscriptions"
_ALERT = (
    "SELECT id, site_id, kind, threshold, emails, webhook_url, cooldown_minutes, breached, last_notified_at"
    " FROM alerts"
)


class _Store:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def _run(self, query: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.errors.UniqueViolation:
            raise Conflict("that digest is already sent there") from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None


def _subscription(row: dict[str, Any]) -> Subscription:
    return Subscription(
        row["id"], row["site_id"], row["frequency"], row["user_id"], row["email"], row["last_period"]
    )


class PsycopgSubscriptions(_Store):
    async def add(self, s: Subscription) -> None:
        await self._run(
            "INSERT INTO report_subscriptions (id, site_id, user_id, email, frequency)"
            " VALUES (%s, %s, %s, %s, %s)",
            (s.id, s.site_id, s.user_id, s.email, s.frequency),
        )

    async def remove(self, subscription_id: UUID) -> bool:
        return bool(
            await self._run("DELETE FROM report_subscriptions WHERE id = %s RETURNING id", (subscription_id,))
        )

    async def by_id(self, subscription_id: UUID) -> Subscription | None:
        rows = await self._run(_SUBSCRIPTION + " WHERE id = %s", (subscription_id,))
        return _subscription(rows[0]) if rows else None

    async def of_site(self, site_id: UUID) -> list[Subscription]:
        return [
            _subscription(r)
            for r in await self._run(_SUBSCRIPTION + " WHERE site_id = %s ORDER BY created_at", (site_id,))
        ]

    async def every(self) -> list[Subscription]:
        return [_subscription(r) for r in await self._run(_SUBSCRIPTION + " ORDER BY site_id, created_at")]

    async def mark_sent(self, subscription_id: UUID, period: str) -> None:
        await self._run(
            "UPDATE report_subscriptions SET last_period = %s WHERE id = %s", (period, subscription_id)
        )


def _alert(row: dict[str, Any]) -> Alert:
    return Alert(
        row["id"],
        row["site_id"],
        row["kind"],
        row["threshold"],
        tuple(row["emails"]),
        row["webhook_url"],
        row["cooldown_minutes"],
        row["breached"],
        row["last_notified_at"],
    )


class PsycopgAlerts(_Store):
    async def add(self, a: Alert) -> None:
        await self._run(
            "INSERT INTO alerts (id, site_id, kind, threshold, emails, webhook_url, cooldown_minutes)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (a.id, a.site_id, a.kind, a.threshold, list(a.emails), a.webhook_url, a.cooldown_minutes),
        )

    async def of_site(self, site_id: UUID) -> list[Alert]:
        return [
            _alert(r) for r in await self._run(_ALERT + " WHERE site_id = %s ORDER BY created_at", (site_id,))
        ]

    async def remove(self, site_id: UUID, alert_id: UUID) -> bool:
        return bool(
            await self._run(
                "DELETE FROM alerts WHERE site_id = %s AND id = %s RETURNING id", (site_id, alert_id)
            )
        )

    async def every(self) -> list[Alert]:
        return [_alert(r) for r in await self._run(_ALERT + " ORDER BY site_id, created_at")]

    async def save_state(self, a: Alert) -> None:
        await self._run(
            "UPDATE alerts SET breached = %s, last_notified_at = %s WHERE id = %s",
            (a.breached, a.last_notified_at, a.id),
        )


class PsycopgImportLog(_Store):
    _SELECT = (
        "SELECT id, site_id, source, file_name, first_day, last_day, visitors, pageviews, created_by,"
        " created_at FROM imports"
    )

    async def add(self, r: ImportRecord) -> None:
        await self._run(
            "INSERT INTO imports (id, site_id, source, file_name, first_day, last_day, visitors, pageviews,"
            " created_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                r.id,
                r.site_id,
                r.source,
                r.file_name,
                r.first_day,
                r.last_day,
                r.visitors,
                r.pageviews,
                r.created_by,
            ),
        )

    async def of_site(self, site_id: UUID) -> list[ImportRecord]:
        rows = await self._run(self._SELECT + " WHERE site_id = %s ORDER BY created_at", (site_id,))
        return [ImportRecord(**row) for row in rows]

    async def remove(self, site_id: UUID, import_id: UUID) -> ImportRecord | None:
        rows = await self._run(
            "DELETE FROM imports WHERE site_id = %s AND id = %s RETURNING id, site_id, source, file_name,"
            " first_day, last_day, visitors, pageviews, created_by, created_at",
            (site_id, import_id),
        )
        return ImportRecord(**rows[0]) if rows else None
