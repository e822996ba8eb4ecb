"""Checks every analytics request body goes through."""

from __future__ import annotations

from typing import Any

from fieldmark.shared_kernel.errors import InvalidInput


def check_keys(raw: Any, known: set[str] | frozenset[str]) -> dict[str, Any]:
    """The body as a dict, refusing anything but an object of known fields (400 naming the first)."""
    if not isinstance(raw, dict):
        raise InvalidInput("the request body is a JSON object", field="query")
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    return raw
