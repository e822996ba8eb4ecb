"""Every secret the identity flows mint — passwords, session tokens, invitation and reset links, API
keys, shared-link tokens and passwords, TOTP secrets and recovery codes — never reaches the server's
logs, is returned only by the one response that hands it over, and is never stored as it is."""

from __future__ import annotations

import logging

import httpx
import psycopg
import redis

from fieldmark.bootstrap.engines import EngineUrls
from tests.e2e.identity.conftest import PASSWORD
from tests.e2e.identity.test_two_factor import code_for

NEW_PASSWORD = "a completely new passphrase"
LINK_PASSWORD = "open sesame please"


def _database_dump(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return "\n".join(
            str(row)
            for table in tables
            for row in conn.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
        )


def _redis_dump(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    out = []
    for key in client.scan_iter():
        kind = client.type(key)
        value = (
            client.get(key)
            if kind == "string"
            else client.hgetall(key)
            if kind == "hash"
            else client.smembers(key)
            if kind == "set"
            else ""
        )
        out.append(f"{key} {value}")
    return "\n".join(out)


def test_secrets_never_reach_logs_later_responses_or_storage(
    start, inbox, caplog, test_urls: EngineUrls
) -> None:
    caplog.set_level(logging.DEBUG)
    box, _ = inbox
    url, owner, csrf = start(REGISTRATION="open")
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    responses: list[httpx.Response] = []  # every answer except the one that hands a secret over

    def keep(response: httpx.Response) -> httpx.Response:
        responses.append(response)
        return response

    session = owner.cookies["fm_session"]
    keep(owner.post("/api/auth/login", json={"email": "owner@example.com", "password": "not the password"}))
    keep(
        owner.post(
            f"/api/teams/{team}/invitations",
            json={"email": "ian@example.com", "role": "viewer"},
            headers=headers,
        )
    )
    invitation = box.token("ian@example.com")
    keep(httpx.get(f"{url}/api/invitations/{invitation}"))
    keep(httpx.post(f"{url}/api/auth/password-reset", json={"email": "owner@example.com"}))
    reset = box.token("owner@example.com", "reset-password")
    keep(httpx.post(f"{url}/api/auth/password-reset/{reset}", json={"password": NEW_PASSWORD}))
    signed = owner.post("/api/auth/login", json={"email": "owner@example.com", "password": NEW_PASSWORD})
    headers = {"X-CSRF-Token": signed.json()["csrf_token"]}
    newer_session = owner.cookies["fm_session"]

    key = owner.post(
        f"/api/teams/{team}/api-keys", json={"name": "ci", "scopes": ["stats:read"]}, headers=headers
    )
    api_key = key.json()["key"]
    keep(owner.get(f"/api/teams/{team}/api-keys"))
    site = keep(
        owner.post(f"/api/teams/{team}/sites", json={"domain": "quiet.example"}, headers=headers)
    ).json()["id"]
    keep(httpx.get(f"{url}/api/sites/{site}", headers={"Authorization": f"Bearer {api_key}"}))
    link = owner.post(
        f"/api/sites/{site}/shared-links", json={"name": "wall", "password": LINK_PASSWORD}, headers=headers
    )
    link_token = link.json()["token"]
    keep(owner.get(f"/api/sites/{site}/shared-links"))
    keep(httpx.get(f"{url}/api/share/{link_token}"))
    unlocked = httpx.post(f"{url}/api/share/{link_token}/unlock", json={"password": LINK_PASSWORD})
    grant = unlocked.json()["access_token"]
    keep(httpx.get(f"{url}/api/sites/{site}/goals", headers={"Authorization": f"Shared {grant}"}))

    totp = owner.post("/api/auth/2fa/setup", headers=headers).json()["secret"]
    recovery = owner.post("/api/auth/2fa/confirm", json={"code": code_for(totp, 0)}, headers=headers).json()[
        "recovery_codes"
    ]
    keep(owner.get("/api/auth/2fa"))
    keep(owner.get(f"/api/teams/{team}/audit"))
    keep(owner.get("/api/auth/activity"))
    keep(owner.get("/api/auth/me"))

    secrets = {
        "password": PASSWORD,
        "wrong password": "not the password",
        "new password": NEW_PASSWORD,
        "session": session,
        "newer session": newer_session,
        "invitation token": invitation,
        "reset token": reset,
        "API key": api_key,
        "shared-link token": link_token,
        "shared-link password": LINK_PASSWORD,
        "shared-link grant": grant,
        "TOTP secret": totp,
        **{f"recovery code {i}": code for i, code in enumerate(recovery)},
    }
    # The server's own log records: not the test's HTTP client, nor the test's SMTP server.
    server_logs = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "mail.log"))
    )
    assert any(r.name.startswith("fieldmark.") for r in caplog.records)  # the capture saw the server
    later = "\n".join(r.text + str(r.headers) for r in responses)
    stored = _database_dump(test_urls.database_url)
    in_redis = _redis_dump(test_urls.redis_url)
    for name, secret in secrets.items():
        assert secret not in server_logs, f"the {name} is in the logs"
        assert secret not in later, f"the {name} came back in a later response"
        assert secret not in stored, f"the {name} is stored as it is in PostgreSQL"
        assert secret not in in_redis, f"the {name} is kept as it is in Redis"
