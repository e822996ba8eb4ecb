"""Security headers on every answer, errors included (a `before_send` hook, which sees each response as
it leaves): no MIME sniffing, a strict referrer policy, a Content Security Policy for the dashboard (its
own scripts only; frames of any http(s) page, which the heatmap view needs), framing refused except
for shared dashboards (which are made to be embedded), and HSTS when the instance is served over HTTPS."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.types import Message, Scope

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-src http: https:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
)
EMBEDDABLE = ("/share/",)  # a shared link's dashboard, with ?embed=1 in an iframe on any site
BARE = frozenset({"/api/event", "/api/live"})  # answered to machines as fast as can be: nothing added


def security_headers(https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("path") in BARE:
            return
        embeddable = scope.get("path", "").startswith(EMBEDDABLE)
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"content-security-policy", CSP.format(ancestors="*" if embeddable else "'none'").encode()),
        ]
        if not embeddable:
            headers.append((b"x-frame-options", b"DENY"))
        if https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        present = {bytes(name).lower() for name, _ in message.get("headers", [])}
        message["headers"] = [*message.get("headers", []), *(h for h in headers if h[0] not in present)]

    return before_send
