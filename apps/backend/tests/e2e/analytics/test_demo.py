"""`fieldmark create-site` and `fieldmark demo` on a fresh data directory: the first admin finds both
sites in their team, the demo one with goals, a funnel and generated traffic the Stats API answers about."""

from __future__ import annotations

import subprocess

import httpx

from tests.e2e.test_process import start

PASSWORD = "a long enough passphrase"


def test_demo_fills_a_site_the_first_admin_sees(fieldmark_bin: str, cli_env: dict[str, str]) -> None:
    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [fieldmark_bin, *args], input=stdin, env=cli_env, capture_output=True, text=True, timeout=300
        )

    admin = cli("create-admin", "--email", "ada@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    assert admin.returncode == 0, admin.stderr
    assert cli("create-site", "--domain", "shop.example").returncode == 0
    demo = cli("demo", "--events", "20000", "--days", "7")
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("fieldmark: created demo.fieldmark.test: ")
    assert cli("demo", "--events", "0").returncode == 2

    running = start(fieldmark_bin, cli_env)
    try:
        client = httpx.Client(base_url=running.url, timeout=30)
        signed = client.post("/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        team = client.get("/api/teams").json()[0]["id"]
        domains = {s["domain"] for s in client.get(f"/api/teams/{team}/sites").json()}
        assert domains == {"shop.example", "demo.fieldmark.test"}  # both in the admin's own team
        site = next(
            s for s in client.get(f"/api/teams/{team}/sites").json() if s["domain"] == "demo.fieldmark.test"
        )
        overview = client.post(
            f"/api/sites/{site['id']}/query",
            json={"metrics": ["visitors", "visits", "pageviews", "bounce_rate"], "date_range": "7d"},
        ).json()["results"][0]["metrics"]
        assert overview[0] > 0
        assert overview[2] > overview[1] > 0  # more pageviews than visits
        goals = client.post(
            f"/api/sites/{site['id']}/query",
            json={"metrics": ["visitors", "total_revenue"], "date_range": "7d", "dimensions": ["event:goal"]},
        ).json()["results"]
        assert {g["dimensions"][0] for g in goals} == {"Visit /pricing", "Signup", "Purchase"}
        funnel_id = client.get(f"/api/sites/{site['id']}/funnels").json()[0]["id"]
        steps = client.post(
            f"/api/sites/{site['id']}/funnel", json={"funnel_id": funnel_id, "date_range": "7d"}
        ).json()["groups"][0]["steps"]
        assert steps[0]["visitors"] >= steps[1]["visitors"] > 0
    finally:
        code, stderr = running.stop()
    assert code == 0, stderr
