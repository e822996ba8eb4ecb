"""Accounts over HTTP on the real engines: register, sign in and out, sessions, CSRF, throttling."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.roles import ALL_ROLES
from tests.conftest import LiveServer, settings_for

PASSWORD = "correct horse battery staple"


@pytest.fixture
def start(test_urls: EngineUrls, data_dir: Path) -> Iterator[Callable[..., httpx.Client]]:
    servers: list[LiveServer] = []
    clients: list[httpx.Client] = []

    def run(**env: str) -> httpx.Client:
        app = create_app(AppContainer(settings=settings_for(data_dir, **env), urls=test_urls), ALL_ROLES)
        server = LiveServer(app).__enter__()
        servers.append(server)
        client = httpx.Client(base_url=server.url, timeout=30)
        clients.append(client)
        return client

    yield run
    for client in clients:
        client.close()
    for server in servers:
        server.__exit__()


def register(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/auth/register", json={"email": email, "password": password, "name": "Ada"})


def test_the_first_account_is_admin_and_then_registration_closes(start) -> None:
    client = start()
    first = register(client, "ada@example.com")
    assert first.status_code == 201, first.text
    assert first.json()["user"]["is_instance_admin"] is True
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("fm_session=")
    for flag in ("HttpOnly", "SameSite=lax", "Path=/"):
        assert flag.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # plain-HTTP base URL
    me = client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "ada@example.com"
    assert me.json()["csrf_token"] == first.json()["csrf_token"]

    stranger = httpx.Client(base_url=str(client.base_url))
    closed = register(stranger, "bob@example.com")
    assert closed.status_code == 403
    assert closed.headers["content-type"] == "application/problem+json"
    assert "registration is closed" in closed.json()["detail"]


def test_open_registration_makes_ordinary_accounts_and_cookies_secure_behind_https(start) -> None:
    client = start(REGISTRATION="open", BASE_URL="https://fieldmark.example.com")
    assert register(client, "ada@example.com").json()["user"]["is_instance_admin"] is True
    other = httpx.Client(base_url=str(client.base_url))
    second = register(other, "bob@example.com")
    assert second.status_code == 201
    assert second.json()["user"]["is_instance_admin"] is False
    assert "secure" in second.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, 400, "email"),
        ({"email": "ada@example.com", "password": "short"}, 400, "password"),
        ({"email": "ada@example.com", "password": "aaaaaaaaaaaa"}, 400, "password"),
        ({"email": "ada@example.com", "password": PASSWORD, "role": "admin"}, 400, None),
        ({"email": "ada@example.com"}, 400, None),
    ],
)
def test_bad_registrations_are_refused_and_write_nothing(start, test_urls, body, status, field) -> None:
    client = start()
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field:
        assert response.json()["field"] == field
    assert register(client, "ada@example.com").json()["user"]["is_instance_admin"] is True  # still the first


def test_a_taken_email_is_a_conflict_whatever_its_case(start) -> None:
    client = start(REGISTRATION="open")
    register(client, "ada@example.com")
    again = register(httpx.Client(base_url=str(client.base_url)), "ADA@Example.com")
    assert again.status_code == 409
    assert again.json()["field"] == "email"


def test_sign_in_rotates_the_session_and_sign_out_needs_the_csrf_token(start) -> None:
    client = start()
    register(client, "ada@example.com")
    fixed = client.cookies["fm_session"]

    wrong = client.post("/api/auth/login", json={"email": "ada@example.com", "password": "not the password"})
    unknown = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]

    signed_in = client.post("/api/auth/login", json={"email": "ADA@example.com", "password": PASSWORD})
    assert signed_in.status_code == 200
    fresh = client.cookies["fm_session"]
    assert fresh != fixed
    old = httpx.Client(base_url=str(client.base_url), cookies={"fm_session": fixed})
    assert old.get("/api/auth/me").status_code == 401  # the pre-sign-in session is revoked

    refused = client.post("/api/auth/logout")
    assert refused.status_code == 403
    assert refused.json()["field"] == "x-csrf-token"
    forged = client.post("/api/auth/logout", headers={"X-CSRF-Token": "guess"})
    assert forged.status_code == 403
    assert client.get("/api/auth/me").status_code == 200
    csrf = signed_in.json()["csrf_token"]
    out = client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert 'fm_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    replay = httpx.Client(base_url=str(client.base_url), cookies={"fm_session": fresh})
    assert replay.get("/api/auth/me").status_code == 401


def test_failed_sign_ins_are_throttled(start) -> None:
    client = start()
    register(client, "ada@example.com")
    attempts = [
        client.post("/api/auth/login", json={"email": "ada@example.com", "password": f"wrong {i}"})
        for i in range(10)
    ]
    assert {a.status_code for a in attempts} == {401}
    blocked = client.post("/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 900


def test_no_password_or_token_is_logged_returned_or_stored(start, caplog, test_urls) -> None:
    caplog.set_level(logging.DEBUG)
    client = start()
    registered = register(client, "ada@example.com")
    token = client.cookies["fm_session"]
    client.post("/api/auth/login", json={"email": "ada@example.com", "password": "a wrong password"})
    signed_in = client.post("/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    newer = client.cookies["fm_session"]
    bodies = registered.text + signed_in.text + client.get("/api/auth/me").text
    # What the server logged: the test's own HTTP client (httpx, httpcore) logs the headers it receives.
    server_logs = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "POST" in caplog.text  # the capture did see the traffic
    for secret in (PASSWORD, "a wrong password", token, newer):
        assert secret not in server_logs
        assert secret not in bodies
    keys = [k.decode() for k in redis.Redis.from_url(test_urls.redis_url).scan_iter("fm:auth:*")]
    assert keys
    assert not any(token in k or newer in k for k in keys)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "text/plain"}, 415),  # what a cross-site form can send
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403),
        ({"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, 403),
        ({"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}, 200),
        ({"Content-Type": "application/json"}, 200),  # a script or curl: no page sent it
    ],
)
def test_sign_in_refuses_what_another_site_can_send(start, headers: dict[str, str], status: int) -> None:
    client = start()
    assert register(client, "ada@example.com").status_code == 201
    body = httpx.Request("POST", "/", json={"email": "ada@example.com", "password": PASSWORD}).content
    signed = client.post("/api/auth/login", content=body, headers=headers)
    assert signed.status_code == status, signed.text
    own = str(client.base_url).rstrip("/")
    same = client.post(
        "/api/auth/login", content=body, headers={"Content-Type": "application/json", "Origin": own}
    )
    assert same.status_code == 200
    if status != 200:
        assert "set-cookie" not in signed.headers
        assert client.post("/api/auth/register", content=body, headers=headers).status_code == status
