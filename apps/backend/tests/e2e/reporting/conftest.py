"""Shared by the reporting tests."""

from __future__ import annotations

import httpx


def sign_up(client: httpx.Client, email: str) -> str:
    """Register the instance's first account on `client` (its cookie and CSRF header kept there) and
    return the id of its team."""
    signed = client.post("/api/auth/register", json={"email": email, "password": "a long passphrase"})
    assert signed.status_code == 201, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return str(client.get("/api/teams").json()[0]["id"])
