"""Sign-in and shared-link throttles attacked over real HTTP: parallel guesses cannot pass the limit (each
attempt counts before it is checked), and second-factor codes cannot be guessed by signing in again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pyotp

from tests.e2e.identity.conftest import PASSWORD, password_link

LIMIT = 10  # attempts per account, or client, within 15 minutes


def _parallel(count: int, call) -> list[int]:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda i: call(i).status_code, range(count)))


def test_forty_parallel_wrong_passwords_get_ten_checked(start) -> None:
    url, _, _ = start()
    clients = [httpx.Client(base_url=url, timeout=60) for _ in range(40)]
    statuses = _parallel(
        40,
        lambda i: clients[i].post(
            "/api/auth/login", json={"email": "owner@example.com", "password": f"wrong {i}"}
        ),
    )
    assert statuses.count(401) == LIMIT, statuses
    assert statuses.count(429) == 40 - LIMIT, statuses
    blocked = clients[0].post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
    assert blocked.status_code == 429  # the right password is not even checked now


def test_forty_parallel_unlocks_get_ten_checked(start) -> None:
    url, owner, csrf = start()
    token = password_link(owner, csrf, "raced.example")
    clients = [httpx.Client(base_url=url, timeout=60) for _ in range(40)]
    statuses = _parallel(
        40, lambda i: clients[i].post(f"/api/share/{token}/unlock", json={"password": f"guess {i}"})
    )
    assert statuses.count(401) == LIMIT, statuses
    assert statuses.count(429) == 40 - LIMIT, statuses


def test_second_factor_guesses_are_throttled_across_password_successes(start) -> None:
    url, owner, csrf = start()
    headers = {"X-CSRF-Token": csrf}
    secret = owner.post("/api/auth/2fa/setup", headers=headers).json()["secret"]
    confirmed = owner.post("/api/auth/2fa/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    right = pyotp.TOTP(secret)
    wrong = next(f"{n:06d}" for n in range(1_000_000) if not right.verify(f"{n:06d}", valid_window=2))

    def guess(code: str) -> int:
        # The attacker knows the password: each guess starts with a successful first step.
        client = httpx.Client(base_url=url, timeout=30)
        first = client.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
        assert first.status_code == 200, first.text
        assert first.json()["two_factor_required"] is True
        return client.post(
            "/api/auth/login/2fa", json={"challenge": first.json()["challenge"], "code": code}
        ).status_code

    assert [guess(wrong) for _ in range(LIMIT)] == [401] * LIMIT
    assert guess(wrong) == 429
    # Even the right code is refused until the window passes: the guessing stopped at ten.
    assert guess(right.now()) == 429
