"""The deployment files kept true: every compose service has a healthcheck and a restart policy, images
are pinned, no secret has a default, every setting the code reads is in .env.example, and the image is
multi-stage, runs as a user without privileges and checks its own health."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from fieldmark.bootstrap.settings import SETTINGS

REPO = Path(__file__).resolve().parents[5]
SECRETS = ("SECRET_KEY", "POSTGRES_PASSWORD", "CLICKHOUSE_PASSWORD")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_every_service_has_a_healthcheck_and_a_restart_policy() -> None:
    services = compose()["services"]
    assert {"clickhouse", "postgres", "redis", "api", "worker", "scheduler", "caddy"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
        assert service["healthcheck"]["test"], name
        assert service.get("restart") in ("unless-stopped", "always"), f"{name} has no restart policy"


def test_images_are_pinned_to_versions() -> None:
    images = [service["image"] for service in compose()["services"].values()]
    froms = re.findall(r"^FROM\s+(\S+)", (REPO / "docker" / "Dockerfile").read_text(), re.MULTILINE)
    froms += re.findall(r"--from=(\S+:\S+)", (REPO / "docker" / "Dockerfile").read_text())
    for image in images + froms:
        image = re.sub(r"^\$\{[A-Z_]+:-(.+)\}$", r"\1", image)
        _, _, tag = image.rpartition(":")
        assert tag != "latest", f"{image} is not pinned"
        assert re.search(r"\d+\.\d+", tag), f"{image} is not pinned to a version"


def test_no_secret_has_a_default() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for secret in SECRETS:
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses, f"{secret} is not used"
        assert all(use.startswith(":?") for use in uses), f"{secret} must be required (${{{secret}:?…}})"
    example = dict(
        line.split("=", 1)
        for line in (REPO / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_]+=", line)
    )
    for secret in SECRETS:
        assert example.get(secret) == "", f".env.example gives {secret} a value"


def test_every_setting_is_in_the_env_example() -> None:
    example = (REPO / ".env.example").read_text()
    for setting in SETTINGS:
        assert re.search(rf"^#? ?{setting.env}=", example, re.MULTILINE), f".env.example lacks {setting.env}"


def test_the_image_is_multi_stage_unprivileged_and_checks_its_health() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 3
    assert re.search(r"^USER fieldmark$", dockerfile, re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile
    assert "/api/live" in dockerfile
    assert 'ENTRYPOINT ["fieldmark"]' in dockerfile


def test_what_the_image_copies_from_the_repository_exists() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    sources = [
        part
        for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.MULTILINE)
        for part in line.split()[:-1]
    ]
    assert "apps/backend/uv.lock" in sources
    for source in sources:
        assert (REPO / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"
    for mounted in re.findall(r"\./(docker/[\w./-]+):", (REPO / "docker-compose.yml").read_text()):
        assert (REPO / mounted).is_file(), f"docker-compose.yml mounts {mounted}, which is missing"
