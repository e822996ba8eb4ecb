"""Names people give things (teams, sites, keys, links, goals, their own): trimmed, bounded, and free
of control characters, which no name needs and PostgreSQL cannot store (NUL)."""

from __future__ import annotations

import unicodedata

from fieldmark.shared_kernel.errors import InvalidInput


def display_name(
    raw: str, *, what: str = "a name", most: int = 100, field: str = "name", empty: bool = False
) -> str:
    """`raw` trimmed; InvalidInput naming `field` when it is too long, empty (unless `empty`) or holds a
    control character."""
    name = raw.strip()
    if len(name) > most or (not name and not empty):
        raise InvalidInput(f"{what} has {'up' if empty else '1'} to {most} characters", field=field)
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInput(f"{what} cannot contain control characters", field=field)
    return name
