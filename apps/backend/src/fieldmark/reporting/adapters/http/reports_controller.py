"""Email digests and traffic alerts over HTTP, and the unsubscribe link every digest carries."""

from __future__ import annotations

import html
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from fieldmark.reporting.application.alerts import Alerts
from fieldmark.reporting.application.digests import Digests
from fieldmark.reporting.domain.alerts import Alert
from fieldmark.shared_kernel.access import EDIT_SITES, MANAGE_SITES, PUBLIC, SITE, VIEW, access
from fieldmark.shared_kernel.errors import InvalidInput


class MineIn(msgspec.Struct, forbid_unknown_fields=True):
    weekly: bool | None = None
    monthly: bool | None = None


class MineOut(msgspec.Struct, frozen=True):
    weekly: bool
    monthly: bool


class AddressIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    frequency: str = "weekly"


class AddressOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    frequency: str
    last_period: str


class AlertIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    threshold: int
    emails: list[str] = []
    webhook_url: str | None = None
    cooldown_minutes: int = 60


class AlertOut(msgspec.Struct, frozen=True):
    id: str
    kind: str
    threshold: int
    emails: list[str]
    webhook_url: str | None
    cooldown_minutes: int
    breached: bool
    last_notified_at: str | None


def _alert(a: Alert) -> AlertOut:
    notified = a.last_notified_at.isoformat() if a.last_notified_at else None
    return AlertOut(
        str(a.id),
        a.kind,
        a.threshold,
        list(a.emails),
        a.webhook_url,
        a.cooldown_minutes,
        a.breached,
        notified,
    )


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    return Response(
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<title>{html.escape(title)}</title><body style='font-family:system-ui,sans-serif;max-width:32rem;"
        f"margin:3rem auto;padding:0 1rem'><h1>{html.escape(title)}</h1>{body}</body></html>",
        media_type=MediaType.HTML,
        status_code=status,
    )


class ReportsController(Controller):
    tags = ["Reports and alerts"]

    @get(
        "/api/sites/{site_id:uuid}/reports/mine",
        operation_id="myDigests",
        opt=access(SITE, VIEW),
        summary="Whether you get this site's weekly and monthly email digests",
        description="200 `{weekly, monthly}` for members (people, not API keys).",
    )
    async def mine(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> MineOut:
        digests: Digests = request.app.state.reporting.digests
        return MineOut(**await digests.mine(site_id, request.state.actor.user_id))

    @put(
        "/api/sites/{site_id:uuid}/reports/mine",
        operation_id="setMyDigests",
        opt=access(SITE, VIEW),
        summary="Opt in or out of this site's weekly and monthly email digests",
        description="200 `{weekly, monthly}`: only the fields sent change. Any member, for themselves.",
    )
    async def set_mine(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[MineIn]
    ) -> MineOut:
        digests: Digests = request.app.state.reporting.digests
        choice = {k: v for k, v in (("weekly", data.weekly), ("monthly", data.monthly)) if v is not None}
        return MineOut(**await digests.set_mine(site_id, request.state.actor.user_id, choice))

    @get(
        "/api/sites/{site_id:uuid}/reports/addresses",
        operation_id="digestAddresses",
        opt=access(SITE, MANAGE_SITES),
        summary="Other addresses that get this site's digests",
        description="200, oldest first. Admins and owners.",
    )
    async def addresses(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> list[AddressOut]:
        digests: Digests = request.app.state.reporting.digests
        return [
            AddressOut(str(s.id), s.email or "", s.frequency, s.last_period)
            for s in await digests.addresses(site_id)
        ]

    @post(
        "/api/sites/{site_id:uuid}/reports/addresses",
        operation_id="addDigestAddress",
        opt=access(SITE, MANAGE_SITES),
        summary="Send this site's weekly or monthly digest to an address",
        description="201. Admins and owners. 400 for a bad email or frequency (`weekly`, `monthly`); 409 "
        "when "
        "that address already gets that digest.",
    )
    async def add_address(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[AddressIn]
    ) -> AddressOut:
        digests: Digests = request.app.state.reporting.digests
        s = await digests.add_address(site_id, data.email, data.frequency)
        return AddressOut(str(s.id), s.email or "", s.frequency, s.last_period)

    @delete(
        "/api/sites/{site_id:uuid}/reports/addresses/{subscription_id:uuid}",
        operation_id="removeDigestAddress",
        opt=access(SITE, MANAGE_SITES),
        summary="Stop sending this site's digest to an address",
        description="204. Admins and owners; 404 for an unknown address.",
    )
    async def remove_address(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], subscription_id: FromPath[UUID]
    ) -> None:
        digests: Digests = request.app.state.reporting.digests
        await digests.remove_address(site_id, subscription_id)

    @get(
        "/api/reports/unsubscribe",
        operation_id="unsubscribePage",
        opt=access(PUBLIC),
        media_type=MediaType.HTML,
        summary="The page a digest's unsubscribe link opens: a button, so that link scanners change nothing",
        description="200, an HTML page with a button that posts the token back here.",
    )
    async def unsubscribe_page(self, token: FromQuery[str] = "") -> Response[str]:
        quoted = html.escape(token, quote=True)
        return _page(
            "Unsubscribe from this report",
            f"<form method=post action='/api/reports/unsubscribe?token={quoted}'>"
            "<p>You will stop getting this Fieldmark report.</p>"
            "<button type=submit>Unsubscribe</button></form>",
        )

    @post(
        "/api/reports/unsubscribe",
        operation_id="unsubscribe",
        opt=access(PUBLIC),
        summary="Unsubscribe from a digest with its link's token (one click; no sign-in)",
        description="200 (an HTML page) once unsubscribed, again included; 400 for a token that is not one "
        "of ours. Mail clients post here for `List-Unsubscribe-Post`.",
        status_code=200,
        media_type=MediaType.HTML,
        responses={400: ResponseSpec(None, description="Not one of our tokens", media_type=MediaType.HTML)},
    )
    async def unsubscribe(
        self, request: Request[Any, Any, State], token: FromQuery[str] = ""
    ) -> Response[str]:
        digests: Digests = request.app.state.reporting.digests
        if not await digests.unsubscribe(token):
            return _page("That link is not valid", "<p>Open the link from the email again.</p>", 400)
        return _page("You are unsubscribed", "<p>You will not get this report any more.</p>")

    @get(
        "/api/sites/{site_id:uuid}/alerts",
        operation_id="listAlerts",
        opt=access(SITE, VIEW),
        summary="The site's traffic alerts",
        description="200, oldest first, with each one's state. Members.",
    )
    async def alerts(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> list[AlertOut]:
        alerts: Alerts = request.app.state.reporting.alerts
        return [_alert(a) for a in await alerts.of_site(site_id)]

    @post(
        "/api/sites/{site_id:uuid}/alerts",
        operation_id="addAlert",
        opt=access(SITE, EDIT_SITES),
        summary="Add a traffic alert: a spike of current visitors, or a drop of daily visitors",
        description="201. Editors and up. `spike`: `threshold` current visitors (in the last 5 minutes); "
        "`drop`: yesterday's visitors under `threshold` % (1 to 99) of the week before's daily average. To "
        "`emails` (up to 20) and/or `webhook_url` (Slack-compatible JSON). One notification per breach, none "
        "within `cooldown_minutes` (5 to 10,080, default 60) of the last. 400 names the field; a webhook on "
        "a private or loopback address is refused unless ALLOW_PRIVATE_WEBHOOKS is true.",
    )
    async def add_alert(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[AlertIn]
    ) -> AlertOut:
        alerts: Alerts = request.app.state.reporting.alerts
        if isinstance(data.threshold, bool):
            raise InvalidInput("threshold is a whole number", field="threshold")
        added = await alerts.add(
            site_id, data.kind, data.threshold, data.emails, data.webhook_url, data.cooldown_minutes
        )
        return _alert(added)

    @delete(
        "/api/sites/{site_id:uuid}/alerts/{alert_id:uuid}",
        operation_id="removeAlert",
        opt=access(SITE, EDIT_SITES),
        summary="Remove a traffic alert",
        description="204. Editors and up; 404 for an unknown alert.",
    )
    async def remove_alert(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], alert_id: FromPath[UUID]
    ) -> None:
        alerts: Alerts = request.app.state.reporting.alerts
        await alerts.remove(site_id, alert_id)
