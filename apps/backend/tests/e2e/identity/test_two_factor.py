"""Two-factor sign-in over HTTP: set-up with an authenticator's codes, recovery codes, no replays."""

from __future__ import annotations

import time

import httpx
import pyotp

from tests.e2e.identity.conftest import PASSWORD


def code_for(secret: str, steps_ahead: int) -> str:
    """A code of a later 30 s step, as a phone whose clock runs a little fast would show."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def sign_in(url: str) -> tuple[httpx.Client, dict[str, object]]:
    client = httpx.Client(base_url=url, timeout=30)
    return client, client.post(
        "/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}
    ).json()


def test_two_factor_set_up_sign_in_recovery_and_turning_it_off(start) -> None:
    url, owner, csrf = start()
    headers = {"X-CSRF-Token": csrf}
    assert owner.get("/api/auth/2fa").json() == {"enabled": False}
    setup = owner.post("/api/auth/2fa/setup", headers=headers).json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/Fieldmark:owner%40example.com?secret=")
    secret = setup["secret"]
    wrong = owner.post("/api/auth/2fa/confirm", json={"code": "000000"}, headers=headers)
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "code"
    codes = owner.post("/api/auth/2fa/confirm", json={"code": code_for(secret, 0)}, headers=headers).json()[
        "recovery_codes"
    ]
    assert len(codes) == len(set(codes)) == 10
    assert owner.get("/api/auth/2fa").json() == {"enabled": True}
    assert owner.post("/api/auth/2fa/setup", headers=headers).status_code == 409

    client, answer = sign_in(url)
    assert answer["two_factor_required"] is True
    assert "fm_session" not in client.cookies  # the password alone gives no session
    assert client.get("/api/auth/me").status_code == 401
    bad = client.post("/api/auth/login/2fa", json={"challenge": answer["challenge"], "code": "123456"})
    assert bad.status_code == 401
    spent = client.post(
        "/api/auth/login/2fa", json={"challenge": answer["challenge"], "code": code_for(secret, 1)}
    )
    assert spent.status_code == 410  # a challenge allows one attempt

    client, answer = sign_in(url)
    later = code_for(secret, 1)
    done = client.post("/api/auth/login/2fa", json={"challenge": answer["challenge"], "code": later})
    assert done.status_code == 200
    assert client.get("/api/auth/me").status_code == 200
    replay_client, answer = sign_in(url)
    replay = replay_client.post("/api/auth/login/2fa", json={"challenge": answer["challenge"], "code": later})
    assert replay.status_code == 401  # the same code twice is refused

    client, answer = sign_in(url)
    recovered = client.post(
        "/api/auth/login/2fa", json={"challenge": answer["challenge"], "recovery_code": codes[3].upper()}
    )
    assert recovered.status_code == 200
    client, answer = sign_in(url)
    reused = client.post(
        "/api/auth/login/2fa", json={"challenge": answer["challenge"], "recovery_code": codes[3]}
    )
    assert reused.status_code == 401  # each recovery code works once

    assert (
        owner.post(
            "/api/auth/2fa/disable", json={"password": "not the password"}, headers=headers
        ).status_code
        == 400
    )
    assert (
        owner.post("/api/auth/2fa/disable", json={"password": PASSWORD}, headers=headers).status_code == 204
    )
    client, answer = sign_in(url)
    assert "two_factor_required" not in answer
    assert client.get("/api/auth/me").status_code == 200

    # The account's own activity tells each sign-in and how its second step went, newest first.
    activity = [(e["action"], e["detail"]) for e in client.get("/api/auth/activity").json()["entries"]]
    assert activity == [
        ("login.succeeded", {}),
        ("two_factor.disabled", {}),
        ("login.failed", {"reason": "second_factor", "method": "recovery_code"}),
        ("login.succeeded", {"second_factor": "recovery_code"}),
        ("login.failed", {"reason": "second_factor", "method": "totp"}),
        ("login.succeeded", {"second_factor": "totp"}),
        ("login.failed", {"reason": "second_factor", "method": "totp"}),
        ("two_factor.enabled", {}),
    ]
