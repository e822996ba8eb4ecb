"""Weekly and monthly email digests of a site: who gets them, and sending the ones due."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from fieldmark.reporting.application.ports import Mail, Mailer, People, SiteInfo, Stats, SubscriptionStore
from fieldmark.reporting.domain.addresses import is_email
from fieldmark.reporting.domain.digests import FREQUENCIES, Period, Subscription, change, due
from fieldmark.shared_kernel.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)
TOP = 5


def unsubscribe_token(secret: bytes, subscription_id: UUID) -> str:
    digest = hmac.new(secret, b"unsubscribe:" + subscription_id.bytes, hashlib.sha256).hexdigest()[:32]
    return f"{subscription_id.hex}.{digest}"


def _subscription_of(secret: bytes, token: str) -> UUID | None:
    raw, _, _ = token.partition(".")
    try:
        subscription_id = UUID(hex=raw)
    except ValueError:
        return None
    return subscription_id if hmac.compare_digest(unsubscribe_token(secret, subscription_id), token) else None


@dataclass(frozen=True)
class Figure:
    label: str
    value: float
    change: float | None  # percent against the period before


@dataclass(frozen=True)
class Digest:
    """What a digest says, with the numbers the Stats API gives for the same period."""

    domain: str
    frequency: str
    period: Period
    figures: list[Figure]
    top_pages: list[tuple[str, int]]
    top_sources: list[tuple[str, int]]
    goals: list[tuple[str, int, int]]  # goal, visitors, conversions
    daily: list[tuple[str, int]]  # (date, visitors)
    dashboard: str
    unsubscribe: str
    images: dict[str, bytes] = field(default_factory=dict)


class DigestComposer(Protocol):
    def compose(self, to: str, digest: Digest) -> Mail: ...


class Digests:
    """Rules: any member opts themselves in or out of a site's weekly or monthly digest; admins and owners
    add or remove other addresses. Each digest has a link that unsubscribes without signing in."""

    def __init__(self, store: SubscriptionStore, secret: bytes) -> None:
        self._store = store
        self._secret = secret

    async def mine(self, site_id: UUID, user_id: UUID) -> dict[str, bool]:
        subscribed = {s.frequency for s in await self._store.of_site(site_id) if s.user_id == user_id}
        return {frequency: frequency in subscribed for frequency in FREQUENCIES}

    async def set_mine(self, site_id: UUID, user_id: UUID, choice: dict[str, bool]) -> dict[str, bool]:
        unknown = set(choice) - set(FREQUENCIES)
        if unknown:
            raise InvalidInput(f"digests are {' and '.join(FREQUENCIES)}", field=sorted(unknown)[0])
        current = {s.frequency: s for s in await self._store.of_site(site_id) if s.user_id == user_id}
        for frequency, wanted in choice.items():
            if wanted and frequency not in current:
                await self._store.add(Subscription(uuid.uuid4(), site_id, frequency, user_id=user_id))
            elif not wanted and frequency in current:
                await self._store.remove(current[frequency].id)
        return await self.mine(site_id, user_id)

    async def addresses(self, site_id: UUID) -> list[Subscription]:
        return [s for s in await self._store.of_site(site_id) if s.email]

    async def add_address(self, site_id: UUID, email: str, frequency: str) -> Subscription:
        email = email.strip()
        if not is_email(email) or len(email) > 254:
            raise InvalidInput(f"{email!r} is not an email address", field="email")
        if frequency not in FREQUENCIES:
            raise InvalidInput(f"frequency is {' or '.join(FREQUENCIES)}", field="frequency")
        subscription = Subscription(uuid.uuid4(), site_id, frequency, email=email)
        await self._store.add(subscription)
        return subscription

    async def remove_address(self, site_id: UUID, subscription_id: UUID) -> None:
        found = await self._store.by_id(subscription_id)
        if found is None or found.site_id != site_id or not found.email:
            raise NotFound("no such address")
        await self._store.remove(subscription_id)

    async def unsubscribe(self, token: str) -> bool:
        """False for a token that is not one of ours; True once unsubscribed (again, too)."""
        subscription_id = _subscription_of(self._secret, token)
        if subscription_id is None:
            return False
        await self._store.remove(subscription_id)
        return True


class SendDueDigests:
    """Rules: each subscription's last whole week or month in its site's zone, sent once from 08:00 on
    the Monday or the 1st (a later run catches up; a period already sent is not sent again). A failed
    delivery is logged and retried at the next run."""

    def __init__(
        self,
        store: SubscriptionStore,
        stats: Stats,
        sites: SiteInfo,
        people: People,
        composer: DigestComposer,
        mailer: Mailer,
        secret: bytes,
        base_url: str,
    ) -> None:
        self._store = store
        self._stats = stats
        self._sites = sites
        self._people = people
        self._composer = composer
        self._mailer = mailer
        self._secret = secret
        self._base_url = base_url.rstrip("/")

    async def execute(self, now: datetime) -> int:
        sent = 0
        cache: dict[tuple[UUID, str], Digest] = {}
        sites: dict[UUID, tuple[str, str, UUID | None] | None] = {}  # one lookup a site per run
        for subscription in await self._store.every():
            if subscription.site_id not in sites:
                sites[subscription.site_id] = await self._sites.info(subscription.site_id)
            info = sites[subscription.site_id]
            if info is None:
                continue
            domain, zone, _ = info
            period = due(subscription, now, zone)
            if period is None:
                continue
            to = subscription.email or (
                await self._people.email_of(subscription.user_id) if subscription.user_id else None
            )
            if not to:
                continue
            key = (subscription.site_id, period.key)
            if key not in cache:
                cache[key] = await self.digest(subscription.site_id, domain, subscription.frequency, period)
            token = unsubscribe_token(self._secret, subscription.id)
            link = f"{self._base_url}/api/reports/unsubscribe?token={token}"
            digest = cache[key]
            mail = self._composer.compose(to, Digest(**{**digest.__dict__, "unsubscribe": link}))
            try:
                await self._mailer.send(mail)
            except Exception as exc:  # the next run tries again
                log.warning("digest for %s not sent: %s", domain, exc)
                continue
            await self._store.mark_sent(subscription.id, period.key)
            sent += 1
        return sent

    async def digest(self, site_id: UUID, domain: str, frequency: str, period: Period) -> Digest:
        current = [period.first.isoformat(), period.last.isoformat()]
        before = period.previous(frequency)
        previous = [before.first.isoformat(), before.last.isoformat()]
        metrics = ["visitors", "pageviews", "bounce_rate", "visit_duration"]

        async def rows(query: dict[str, Any]) -> list[tuple[list[str], list[float | int]]]:
            return await self._stats.rows(site_id, query)

        now_total = await rows({"metrics": metrics, "date_range": current})
        then_total = await rows({"metrics": metrics, "date_range": previous})
        values = now_total[0][1] if now_total else [0] * len(metrics)
        earlier = then_total[0][1] if then_total else [0] * len(metrics)
        labels = ["Visitors", "Pageviews", "Bounce rate", "Visit duration"]
        figures = [
            Figure(label, v, change(v, e)) for label, v, e in zip(labels, values, earlier, strict=True)
        ]
        top = {"metrics": ["visitors"], "date_range": current, "pagination": {"limit": TOP}}
        pages = await rows({**top, "dimensions": ["event:page"]})
        sources = await rows({**top, "dimensions": ["visit:source"]})
        goals = await rows(
            {"metrics": ["visitors", "events"], "date_range": current, "dimensions": ["event:goal"]}
        )
        daily = await rows(
            {
                "metrics": ["visitors"],
                "date_range": current,
                "dimensions": ["time:day"],
                "order_by": [["time:day", "asc"]],
            }
        )
        return Digest(
            domain,
            frequency,
            period,
            figures,
            [(d[0], int(m[0])) for d, m in pages],
            [(d[0], int(m[0])) for d, m in sources],
            [(d[0], int(m[0]), int(m[1])) for d, m in goals],
            [(d[0], int(m[0])) for d, m in daily],
            f"{self._base_url}/sites/{site_id}?period=custom&from={period.first}&to={period.last}",
            "",
        )
