"""The backup drill of the embedded mode: numbers read, Fieldmark stopped, the data directory backed up
and wiped, the backup restored, and the same numbers read again. A backup of a running Fieldmark, or a
restore over data, is refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx

from tests.conftest import wait_drained
from tests.e2e.test_process import cleanup, start  # noqa: F401

PASSWORD = "a long enough passphrase"


def _cli(
    fieldmark_bin: str, env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [fieldmark_bin, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def _numbers(url: str, site_id: str) -> list[object]:
    with httpx.Client(base_url=url, timeout=30) as client:
        signed = client.post("/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        body = {
            "metrics": ["visitors", "pageviews", "bounce_rate"],
            "date_range": "7d",
            "dimensions": ["event:page"],
        }
        answer = client.post(f"/api/sites/{site_id}/query", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]


def test_a_backup_restored_gives_the_same_numbers(
    fieldmark_bin: str,
    cli_env: dict[str, str],
    data_dir: Path,
    tmp_path: Path,
    cleanup: None,  # noqa: F811
) -> None:
    env = {**cli_env, "TRUSTED_PROXIES": "127.0.0.1"}
    assert (
        _cli(
            fieldmark_bin,
            env,
            "create-admin",
            "--email",
            "admin@example.com",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ).returncode
        == 0
    )
    created = _cli(fieldmark_bin, env, "create-site", "--domain", "backup.example")
    assert created.returncode == 0, created.stderr
    running = start(fieldmark_bin, env)
    for i in range(12):
        sent = httpx.post(
            f"{running.url}/api/event",
            content=json.dumps(
                {"n": "pageview", "u": f"https://backup.example/{i % 3}", "d": "backup.example"}
            ),
            headers={
                "Content-Type": "text/plain",
                "User-Agent": "Mozilla/5.0 Firefox/121.0",
                "X-Forwarded-For": f"198.51.100.{i % 5}",
            },
        )
        assert sent.status_code == 202
    wait_drained(running.url)
    with httpx.Client(base_url=running.url, timeout=30) as client:
        signed = client.post("/api/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        team = client.get("/api/teams").json()[0]["id"]
        site_id = client.get(f"/api/teams/{team}/sites").json()[0]["id"]
    before = _numbers(running.url, site_id)
    assert sum(row["metrics"][1] for row in before) == 12

    archive = tmp_path / "fieldmark-backup.tar.gz"
    refused = _cli(fieldmark_bin, env, "backup", "--to", str(archive))
    assert refused.returncode != 0
    assert "stop it first" in refused.stderr
    code, stderr = running.stop()
    assert code == 0, stderr

    saved = _cli(fieldmark_bin, env, "backup", "--to", str(archive))
    assert saved.returncode == 0, saved.stderr
    assert archive.stat().st_size > 0
    for entry in data_dir.iterdir():  # the disk is lost
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (data_dir / "stray").write_text("x")
    assert "holds data" in _cli(fieldmark_bin, env, "restore", str(archive)).stderr
    restored = _cli(fieldmark_bin, env, "restore", str(archive), "--force")
    assert restored.returncode == 0, restored.stderr

    again = start(fieldmark_bin, env)
    try:
        assert _numbers(again.url, site_id) == before
    finally:
        code, stderr = again.stop()
    assert code == 0, stderr
