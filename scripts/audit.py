"""The dependency audit of `make lint`: the locked Python packages through pip-audit (OSV's database) and
the npm packages shipped at run time through `npm audit`. Both need their vulnerability services; where
those cannot be reached (an offline machine, a registry mirror without the advisories endpoint) the audit
is skipped with the reason printed, rather than failing or passing silently."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UV = REPO / ".tools" / "bin" / "uv"


def reachable(url: str, body: dict[str, object]) -> str | None:
    """None when the service answers, else why not."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            answer.read(1)
        return None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return f"{url} cannot be reached ({exc})"


def python_audit() -> int:
    why = reachable("https://api.osv.dev/v1/query", {"package": {"name": "jinja2", "ecosystem": "PyPI"}})
    if why:
        print(f"dependency audit (Python) skipped: {why}")
        return 0
    requirements = subprocess.run(
        [str(UV), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-q"],
        cwd=REPO / "apps" / "backend",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    target = REPO / ".tools" / "requirements-audit.txt"
    target.write_text(requirements)
    return subprocess.run(
        [str(UV), "tool", "run", "pip-audit", "--no-deps", "--disable-pip", "--strict", "-r", str(target)],
        check=False,
    ).returncode


def npm_audit() -> int:
    why = reachable("https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", {"jinja": ["1.0.0"]})
    if why:
        print(f"dependency audit (npm) skipped: {why}")
        return 0
    return subprocess.run(["npm", "audit", "--omit=dev", "--audit-level=high"], cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(python_audit() or npm_audit())
