"""Shared by the identity e2e tests: a real local SMTP server (aiosmtpd) and an app that mails through it."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.roles import ALL_ROLES
from tests.conftest import LiveServer, free_port, settings_for

PASSWORD = "correct horse battery staple"


def password_link(owner: httpx.Client, csrf: str, domain: str, password: str = "open sesame") -> str:  # noqa: S107
    """A new site of the owner's first team with a password-protected shared link: the link's token."""
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    site = owner.post(f"/api/teams/{team}/sites", json={"domain": domain}, headers=headers).json()["id"]
    created = owner.post(
        f"/api/sites/{site}/shared-links", json={"name": "x", "password": password}, headers=headers
    )
    assert created.status_code == 201, created.text
    return str(created.json()["token"])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[attr-defined]
        return "250 OK"

    def last_to(self, address: str) -> Message:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [m for m in self.messages if m["To"] == address]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no mail to {address}")

    def token(self, address: str, path: str = "invitations") -> str:
        text = self.last_to(address).get_body(("plain",)).get_content()  # type: ignore[union-attr]
        match = re.search(rf"http://fieldmark\.test/{path}/([\w-]+)", text)
        assert match, text
        return match.group(1)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def start(
    test_urls: EngineUrls, data_dir: Path, inbox
) -> Iterator[Callable[..., tuple[str, httpx.Client, str]]]:
    servers: list[LiveServer] = []
    _, port = inbox

    def run(**env: str) -> tuple[str, httpx.Client, str]:
        settings = settings_for(
            data_dir,
            SMTP_URL=f"smtp://127.0.0.1:{port}",
            BASE_URL="http://fieldmark.test",
            MAIL_FROM="Fieldmark <no-reply@fieldmark.test>",
            **env,
        )
        server = LiveServer(
            create_app(AppContainer(settings=settings, urls=test_urls), ALL_ROLES)
        ).__enter__()
        servers.append(server)
        owner = httpx.Client(base_url=server.url, timeout=30)
        csrf = owner.post(
            "/api/auth/register", json={"email": "owner@example.com", "password": PASSWORD, "name": "Olive"}
        ).json()["csrf_token"]
        return server.url, owner, csrf

    yield run
    for server in servers:
        server.__exit__()
