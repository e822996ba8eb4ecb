"""Reporting's rules: which period a digest covers and when, when an alert notifies, which webhooks are
refused, and the retention cut-off."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from fieldmark.reporting.domain.alerts import Alert, Reading, check_webhook, step
from fieldmark.reporting.domain.digests import Period, Subscription, due, last_complete
from fieldmark.reporting.domain.retention import cutoff
from fieldmark.shared_kernel.errors import InvalidInput


def test_a_weekly_digest_covers_the_last_whole_week_from_monday_eight_in_the_sites_zone() -> None:
    monday_7 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert last_complete("weekly", monday_7, "UTC") == Period(date(2026, 11, 9), date(2026, 11, 15))
    assert last_complete("weekly", monday_7 + timedelta(hours=1), "UTC") == Period(
        date(2026, 11, 16), date(2026, 11, 22)
    )
    # 07:00 UTC is already 16:00 in Tokyo: that site's week is due.
    assert last_complete("weekly", monday_7, "Asia/Tokyo") == Period(date(2026, 11, 16), date(2026, 11, 22))
    assert last_complete("monthly", datetime(2026, 12, 1, 9, tzinfo=UTC), "UTC") == Period(
        date(2026, 11, 1), date(2026, 11, 30)
    )
    assert Period(date(2026, 11, 1), date(2026, 11, 30)).previous("monthly") == Period(
        date(2026, 10, 1), date(2026, 10, 31)
    )


def test_a_digest_is_due_once_per_period() -> None:
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    fresh = Subscription(uuid.uuid4(), uuid.uuid4(), "weekly")
    period = due(fresh, now, "UTC")
    assert period == Period(date(2026, 11, 16), date(2026, 11, 22))
    sent = Subscription(fresh.id, fresh.site_id, "weekly", last_period=period.key)
    assert due(sent, now, "UTC") is None
    assert due(sent, now + timedelta(days=7), "UTC") == Period(date(2026, 11, 23), date(2026, 11, 29))


def test_an_alert_notifies_once_per_breach_and_not_within_its_cooldown() -> None:
    at = datetime(2026, 11, 24, 12, tzinfo=UTC)
    alert = Alert(uuid.uuid4(), uuid.uuid4(), "spike", 10, ("ops@example.com",), cooldown_minutes=30)
    alert, notify = step(alert, Reading(5), at)
    assert not notify
    alert, notify = step(alert, Reading(11), at)
    assert notify
    assert alert.breached
    alert, notify = step(alert, Reading(40), at + timedelta(minutes=1))
    assert not notify  # the same breach
    alert, _ = step(alert, Reading(3), at + timedelta(minutes=2))
    assert not alert.breached
    alert, notify = step(alert, Reading(12), at + timedelta(minutes=10))
    assert not notify  # a new breach inside the cool-down
    alert, _ = step(alert, Reading(3), at + timedelta(minutes=20))
    alert, notify = step(alert, Reading(12), at + timedelta(minutes=31))
    assert notify


def test_a_drop_breaches_under_its_share_of_the_usual_day() -> None:
    drop = Alert(uuid.uuid4(), uuid.uuid4(), "drop", 50)
    at = datetime(2026, 11, 24, tzinfo=UTC)
    assert step(drop, Reading(4, usual=10), at)[1]
    assert not step(drop, Reading(5, usual=10), at)[1]
    assert not step(drop, Reading(0, usual=0), at)[1]  # no usual yet: no drop


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
        "http://localhost/hook",
    ],
)
def test_private_and_loopback_webhooks_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_webhook(url, allow_private=False)
    assert refused.value.field == "webhook_url"
    assert check_webhook(url, allow_private=True) == url


def test_webhooks_are_http_urls() -> None:
    assert check_webhook("https://hooks.slack.com/services/T0/B0/x", allow_private=False).startswith(
        "https://"
    )
    for bad in ("ftp://example.com/x", "javascript:alert(1)", "https://"):
        with pytest.raises(InvalidInput):
            check_webhook(bad, allow_private=True)


def test_retention_cutoff() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    assert cutoff(now, 0) is None
    assert cutoff(now, 30) == now - timedelta(days=30)
