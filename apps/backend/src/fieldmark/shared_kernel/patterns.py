"""Wildcard path patterns, as goals, funnels and filters use them: `*` matches any run of characters
except `/`, `**` matches anything, every other character is literal."""

from __future__ import annotations

import re


def wildcard_regex(pattern: str) -> str:
    """The anchored RE2 regular expression (ClickHouse `match`) a wildcard pattern stands for."""
    parts = re.split(r"(\*\*|\*)", pattern)
    body = "".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts)
    return f"^{body}$"
