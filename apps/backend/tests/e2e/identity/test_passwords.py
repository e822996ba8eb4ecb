"""Password change and reset, with the reset link delivered through SMTP to a local server."""

from __future__ import annotations

import time

import httpx

from tests.e2e.identity.conftest import PASSWORD

NEW = "an entirely new passphrase"


def test_reset_by_emailed_link_ends_every_session(start, inbox) -> None:
    box, _ = inbox
    url, owner, _ = start()
    laptop = httpx.Client(base_url=url, timeout=30)
    assert (
        laptop.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}).status_code
        == 200
    )

    unknown = httpx.post(f"{url}/api/auth/password-reset", json={"email": "nobody@example.com"})
    asked = httpx.post(f"{url}/api/auth/password-reset", json={"email": "owner@example.com"})
    assert unknown.status_code == asked.status_code == 202  # the answer reveals nothing
    mail = box.last_to("owner@example.com")
    assert mail["Subject"] == "Reset your Fieldmark password"
    assert [m["To"] for m in box.messages] == ["owner@example.com"]  # nothing went to the unknown address
    token = box.token("owner@example.com", "reset-password")

    weak = httpx.post(f"{url}/api/auth/password-reset/{token}", json={"password": "short"})
    assert weak.status_code == 400
    assert weak.json()["field"] == "password"
    done = httpx.post(f"{url}/api/auth/password-reset/{token}", json={"password": NEW})  # still usable
    assert done.status_code == 204
    assert httpx.post(f"{url}/api/auth/password-reset/{token}", json={"password": NEW}).status_code == 410

    assert owner.get("/api/auth/me").status_code == 401  # every session ended
    assert laptop.get("/api/auth/me").status_code == 401
    fresh = httpx.Client(base_url=url, timeout=30)
    assert (
        fresh.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD}).status_code
        == 401
    )
    assert (
        fresh.post("/api/auth/login", json={"email": "owner@example.com", "password": NEW}).status_code == 200
    )


def test_a_change_needs_the_current_password_and_ends_other_sessions(start) -> None:
    url, owner, csrf = start()
    other = httpx.Client(base_url=url, timeout=30)
    other.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
    wrong = owner.post(
        "/api/auth/password",
        json={"current_password": "not it at all", "new_password": NEW},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "current_password"
    changed = owner.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 200
    assert owner.get("/api/auth/me").status_code == 200  # this browser got a new session
    assert other.get("/api/auth/me").status_code == 401  # the other one is signed out


def test_a_refused_reset_keeps_the_link_and_a_used_one_ends_all_others(start, inbox) -> None:
    box, _ = inbox
    url, _, _ = start()

    def link() -> str:
        before = len(box.messages)
        assert (
            httpx.post(f"{url}/api/auth/password-reset", json={"email": "owner@example.com"}).status_code
            == 202
        )
        deadline = time.monotonic() + 10
        while len(box.messages) == before:  # this request's own email
            assert time.monotonic() < deadline
            time.sleep(0.02)
        return box.token("owner@example.com", "reset-password")

    older, newer = link(), link()
    assert older != newer
    # Refused by the policy, the email as the password among it: neither spends the link.
    for refused in ("short", "owner@example.com", "OWNER@example.com"):
        answer = httpx.post(f"{url}/api/auth/password-reset/{newer}", json={"password": refused})
        assert answer.status_code == 400, answer.text
        assert answer.json()["field"] == "password"
    assert httpx.post(f"{url}/api/auth/password-reset/{newer}", json={"password": NEW}).status_code == 204
    # The older link died with the newer one's use.
    assert (
        httpx.post(
            f"{url}/api/auth/password-reset/{older}", json={"password": "yet another phrase"}
        ).status_code
        == 410
    )

    # A password change ends every outstanding link as well.
    signed = httpx.Client(base_url=url, timeout=30)
    csrf = signed.post("/api/auth/login", json={"email": "owner@example.com", "password": NEW}).json()[
        "csrf_token"
    ]
    pending = link()
    changed = signed.post(
        "/api/auth/password",
        json={"current_password": NEW, "new_password": "a third passphrase"},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 200
    assert httpx.post(f"{url}/api/auth/password-reset/{pending}", json={"password": NEW}).status_code == 410

    audit = signed.get("/api/auth/activity").json()
    actions = [entry["action"] for entry in audit["entries"]]
    assert actions.count("password.reset") == 1
    assert actions.count("password.changed") == 1
