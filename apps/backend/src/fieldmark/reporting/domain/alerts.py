"""Traffic alerts: when a reading breaches an alert's rule, and whether to notify of it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from uuid import UUID

from fieldmark.shared_kernel.errors import InvalidInput

KINDS = ("spike", "drop")
MAX_EMAILS = 20


@dataclass(frozen=True)
class Alert:
    id: UUID
    site_id: UUID
    kind: str  # spike: current visitors above `threshold`; drop: yesterday below `threshold` % of usual
    threshold: int
    emails: tuple[str, ...] = ()
    webhook_url: str | None = None
    cooldown_minutes: int = 60
    breached: bool = False
    last_notified_at: datetime | None = None


@dataclass(frozen=True)
class Reading:
    value: float  # current visitors (spike), or yesterday's visitors (drop)
    usual: float = 0.0  # the daily average of the seven days before yesterday (drop)


def breaches(alert: Alert, reading: Reading) -> bool:
    if alert.kind == "spike":
        return reading.value > alert.threshold
    return reading.usual > 0 and reading.value < reading.usual * alert.threshold / 100


def step(alert: Alert, reading: Reading, now: datetime) -> tuple[Alert, bool]:
    """The alert after this reading, and whether to notify: once when a breach begins, and not again
    within the cool-down after the last notification (a breach that ends and starts again inside it is
    not notified). A reading back within bounds ends the breach."""
    if not breaches(alert, reading):
        return (replace(alert, breached=False) if alert.breached else alert), False
    if alert.breached:
        return alert, False
    cooling = alert.last_notified_at is not None and now - alert.last_notified_at < timedelta(
        minutes=alert.cooldown_minutes
    )
    if cooling:
        return replace(alert, breached=True), False
    return replace(alert, breached=True, last_notified_at=now), True


def check_webhook(url: str, allow_private: bool) -> str:
    """An http(s) URL whose host is not a private, loopback or link-local address (unless the instance
    allows them). Names are resolved again when the webhook is called."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise InvalidInput("webhook_url is an http or https URL", field="webhook_url")
    if not allow_private:
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            address = None
        if (address is not None and not address.is_global) or parts.hostname == "localhost":
            raise InvalidInput(
                "webhook_url points at a private or loopback address; an instance admin may allow them"
                " with ALLOW_PRIVATE_WEBHOOKS",
                field="webhook_url",
            )
    return url.strip()


def public_address(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False
