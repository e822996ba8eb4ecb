"""Traffic alerts: a site's spike and drop rules, and checking them."""

from __future__ import annotations

import html
import logging
import uuid
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from fieldmark.reporting.application.ports import AlertStore, Mail, Mailer, SiteInfo, Stats, Webhooks
from fieldmark.reporting.domain.addresses import is_email
from fieldmark.reporting.domain.alerts import KINDS, MAX_EMAILS, Alert, Reading, check_webhook, step
from fieldmark.shared_kernel.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)
CURRENT_MINUTES = 5  # "current visitors": those with an event in the last five minutes


class Alerts:
    """Rules: editors and up set a site's alerts (the routes' guard). A spike's threshold is a number of
    current visitors; a drop's is a percentage (1 to 99) of the usual daily visitors. Each alert goes to
    up to 20 addresses and one webhook; a webhook on a private or loopback address is refused unless the
    instance allows them."""

    def __init__(self, store: AlertStore, allow_private_webhooks: bool) -> None:
        self._store = store
        self._allow_private = allow_private_webhooks

    async def add(
        self,
        site_id: UUID,
        kind: str,
        threshold: int,
        emails: list[str],
        webhook_url: str | None,
        cooldown_minutes: int = 60,
    ) -> Alert:
        if kind not in KINDS:
            raise InvalidInput(f"kind is {' or '.join(KINDS)}", field="kind")
        high = 99 if kind == "drop" else 10_000_000
        if not isinstance(threshold, int) or not 1 <= threshold <= high:
            raise InvalidInput(f"threshold is a whole number from 1 to {high:,}", field="threshold")
        cleaned = [e.strip() for e in emails if e.strip()]
        if len(cleaned) > MAX_EMAILS or any(not is_email(e) for e in cleaned):
            raise InvalidInput(f"emails are up to {MAX_EMAILS} email addresses", field="emails")
        url = check_webhook(webhook_url, self._allow_private) if webhook_url else None
        if not cleaned and not url:
            raise InvalidInput("an alert needs an email address or a webhook", field="emails")
        if not 5 <= cooldown_minutes <= 10_080:
            raise InvalidInput("cooldown_minutes is from 5 to 10,080 (a week)", field="cooldown_minutes")
        alert = Alert(uuid.uuid4(), site_id, kind, threshold, tuple(cleaned), url, cooldown_minutes)
        await self._store.add(alert)
        return alert

    async def of_site(self, site_id: UUID) -> list[Alert]:
        return list(await self._store.of_site(site_id))

    async def remove(self, site_id: UUID, alert_id: UUID) -> None:
        if not await self._store.remove(site_id, alert_id):
            raise NotFound("no such alert")


class CheckAlerts:
    """Rules: every alert is read and stepped (see domain.alerts.step); a notification goes by email and
    to the webhook (Slack-compatible JSON: `{"text": …}` plus the figures). A failed delivery is logged;
    the breach still counts as notified, so a flapping endpoint cannot cause a storm."""

    def __init__(
        self,
        store: AlertStore,
        stats: Stats,
        sites: SiteInfo,
        mailer: Mailer,
        webhooks: Webhooks,
        base_url: str,
    ) -> None:
        self._store = store
        self._stats = stats
        self._sites = sites
        self._mailer = mailer
        self._webhooks = webhooks
        self._base_url = base_url.rstrip("/")

    async def _visitors(self, site_id: UUID, date_range: list[str]) -> float:
        rows = await self._stats.rows(site_id, {"metrics": ["visitors"], "date_range": date_range})
        return float(rows[0][1][0]) if rows else 0.0

    async def reading(self, alert: Alert, now: datetime, zone: str) -> Reading:
        if alert.kind == "spike":
            start = now - timedelta(minutes=CURRENT_MINUTES)
            return Reading(await self._visitors(alert.site_id, [start.isoformat(), now.isoformat()]))
        yesterday = now.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)
        week_start, week_end = yesterday - timedelta(days=7), yesterday - timedelta(days=1)
        rows = await self._stats.rows(
            alert.site_id,
            {
                "metrics": ["visitors"],
                "date_range": [week_start.isoformat(), week_end.isoformat()],
                "dimensions": ["time:day"],
            },
        )
        usual = sum(float(m[0]) for _, m in rows) / 7
        return Reading(await self._visitors(alert.site_id, [yesterday.isoformat()] * 2), usual)

    async def execute(self, now: datetime) -> int:
        notified = 0
        sites: dict[UUID, tuple[str, str, UUID | None] | None] = {}  # one lookup a site per run
        for alert in await self._store.every():
            if alert.site_id not in sites:
                sites[alert.site_id] = await self._sites.info(alert.site_id)
            info = sites[alert.site_id]
            if info is None:
                continue
            domain, zone, _ = info
            reading = await self.reading(alert, now, zone)
            stepped, notify = step(alert, reading, now)
            if stepped != alert:
                await self._store.save_state(stepped)
            if notify:
                await self._notify(stepped, reading, domain)
                notified += 1
        return notified

    async def _notify(self, alert: Alert, reading: Reading, domain: str) -> None:
        if alert.kind == "spike":
            text = (
                f"Traffic spike on {domain}: {reading.value:.0f} current visitors"
                f" (alert above {alert.threshold})."
            )
        else:
            text = (
                f"Traffic drop on {domain}: {reading.value:.0f} visitors yesterday,"
                f" under {alert.threshold}% of the usual {reading.usual:.0f} a day."
            )
        link = f"{self._base_url}/sites/{alert.site_id}"
        for to in alert.emails:
            try:
                await self._mailer.send(
                    Mail(
                        to,
                        f"Fieldmark: {text.split(':')[0]}",
                        f"{text}\n\n{link}\n",
                        f'<p>{html.escape(text)}</p><p><a href="{link}">Open the dashboard</a></p>',
                    )
                )
            except Exception as exc:
                log.warning("alert email to %s not sent: %s", to, exc)
        if alert.webhook_url:
            payload = {"text": f"{text} {link}", "site": domain, "kind": alert.kind, "value": reading.value}
            try:
                await self._webhooks.post(alert.webhook_url, payload)
            except Exception as exc:
                log.warning("alert webhook for %s not delivered: %s", domain, exc)
