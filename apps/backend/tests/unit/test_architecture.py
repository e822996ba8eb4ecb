"""The import-linter contracts hold, and they catch a break: shown on a copy of the package."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_hold() -> None:
    result = lint_imports(BACKEND)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("identity/domain/user.py", "import litestar", "the core imports no framework or driver"),
        ("analytics/application/__init__.py", "import psycopg", "the core imports no framework or driver"),
        (
            "analytics/domain/__init__.py",
            "import fieldmark.sites.domain",
            "bootstrap > independent contexts > shared kernel",
        ),
        (
            "identity/domain/user.py",
            "import fieldmark.identity.adapters.postgres_users",
            "inside each context: container > adapters > application > domain",
        ),
        (
            "shared_kernel/ids.py",
            "import fieldmark.identity",
            "bootstrap > independent contexts > shared kernel",
        ),
    ],
)
def test_a_break_is_caught(tmp_path: Path, module: str, line: str, contract: str) -> None:
    shutil.copytree(BACKEND / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(BACKEND / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "fieldmark" / module
    target.write_text(target.read_text() + f"\n{line}  # deliberate break\n")

    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout
