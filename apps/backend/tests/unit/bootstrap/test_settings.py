"""Settings: defaults, the one-line errors, generated secrets, and the README table kept true."""

from pathlib import Path

import pytest

from fieldmark.bootstrap.cli import settings_table
from fieldmark.bootstrap.settings import SETTINGS, ConfigError, load_settings
from tests.conftest import REPO


def load(tmp_path: Path, **env: str):
    return load_settings({"FIELDMARK_DATA_DIR": str(tmp_path), **env}, env_file=None)


def test_defaults_are_the_embedded_engines_under_the_data_dir(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings.data_dir == tmp_path.resolve()
    assert settings.clickhouse_url == f"chdb://{tmp_path.resolve() / 'clickhouse'}"
    assert settings.clickhouse_embedded
    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.port == 8000
    assert settings.base_url == "http://localhost:8000"


def test_server_urls_are_taken_as_given(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        CLICKHOUSE_URL="https://default:pw@ch.example:8443",
        DATABASE_URL="postgresql://u:p@db:5432/fm",
        REDIS_URL="redis://cache:6379/0",
        PORT="9000",
    )
    assert not settings.clickhouse_embedded
    assert settings.database_url == "postgresql://u:p@db:5432/fm"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.base_url == "http://localhost:9000"


@pytest.mark.parametrize(
    ("env", "setting", "words"),
    [
        ({"CLICKHOUSE_URL": "mysql://x"}, "CLICKHOUSE_URL", "unknown scheme"),
        ({"DATABASE_URL": "mongodb://x"}, "DATABASE_URL", "unknown scheme"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL", "unknown scheme"),
        ({"DATABASE_URL": "postgresql://"}, "DATABASE_URL", "no host"),
        ({"PORT": "eighty"}, "PORT", "whole number"),
        ({"PORT": "70000"}, "PORT", "whole number"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL", "expected one of"),
        ({"CLICKHOUSE_DATABASE": "x; DROP"}, "CLICKHOUSE_DATABASE", "letters, digits"),
        ({"GEOIP_DB": "/nonexistent/city.mmdb"}, "GEOIP_DB", "is not a file"),
    ],
)
def test_a_bad_value_names_its_setting(tmp_path: Path, env: dict[str, str], setting: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, **env)
    assert caught.value.setting == setting
    assert str(caught.value).startswith(f"{setting}: ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unwritable_data_dir_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match=r"^FIELDMARK_DATA_DIR: .* is not a writable directory"):
        load_settings({"FIELDMARK_DATA_DIR": str(blocker / "data")}, env_file=None)


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load(tmp_path).secret_key
    assert len(first) >= 48
    assert load(tmp_path).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load(tmp_path, SECRET_KEY="given").secret_key == "given"


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9100\nLOG_LEVEL=debug\n")
    settings = load_settings({"FIELDMARK_DATA_DIR": str(tmp_path), "PORT": "9200"}, env_file=env_file)
    assert settings.port == 9200
    assert settings.log_level == "debug"


def test_the_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, f"README.md does not document {setting.env}"
    assert settings_table() in readme, "README's settings table differs from `fieldmark settings`"
