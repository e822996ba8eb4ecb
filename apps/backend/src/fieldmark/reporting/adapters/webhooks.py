"""Alert webhooks: a JSON POST (Slack's incoming-webhook shape, `{"text": …}`), refused when the host
resolves to a private, loopback or link-local address unless the instance allows them, with no redirects
followed (a redirect could lead inside)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx

from fieldmark.reporting.domain.alerts import public_address
from fieldmark.shared_kernel.errors import InvalidInput, StoreUnavailable


class HttpWebhooks:
    def __init__(self, allow_private: bool, timeout_s: float = 10.0) -> None:
        self._allow_private = allow_private
        self._timeout = timeout_s

    async def _check(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        port = urlsplit(url).port or 443
        try:
            infos = await asyncio.to_thread(socket.getaddrinfo, host, port, proto=socket.IPPROTO_TCP)
        except OSError:
            raise StoreUnavailable(f"the webhook's host {host!r} does not resolve") from None
        addresses = {str(info[4][0]) for info in infos}
        if not self._allow_private and not all(public_address(a) for a in addresses):
            raise InvalidInput(
                f"the webhook's host {host!r} resolves to a private address", field="webhook_url"
            )

    async def post(self, url: str, payload: dict[str, Any]) -> None:
        await self._check(url)
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                answer = await client.post(url, json=payload)
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"the webhook could not be reached ({type(exc).__name__})") from None
        if answer.status_code >= 300:
            raise StoreUnavailable(f"the webhook answered {answer.status_code}")
