"""What a site's team defines for the Analytics context to run: goals, funnels and saved segments.

A *matcher* says which events count: pageviews whose path matches a pattern, or custom events of a name,
optionally with one property equal to a value. Goals and funnel steps are both matchers.

Path patterns: `*` matches any run of characters except `/`, `**` matches anything (slashes too), every
other character is literal. `/blog/*` matches `/blog/hello` but not `/blog/a/b`; `/docs/**` matches
everything under /docs/. A pattern without a wildcard matches that path exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import pycountry

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.patterns import wildcard_regex
from fieldmark.shared_kernel.text import display_name

MAX_NAME = 120
MAX_PATTERN = 500
EVENT_NAME = re.compile(r"^[^\x00-\x1f]{1,120}$")
PROPERTY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

MatcherKind = Literal["pageview", "event"]


@dataclass(frozen=True)
class Matcher:
    kind: MatcherKind
    path: str = ""  # pageview: a path pattern
    event: str = ""  # event: the custom event's name
    property_key: str = ""  # event: optionally, one property that must equal property_value
    property_value: str = ""

    def label(self) -> str:
        if self.kind == "pageview":
            return f"Visit {self.path}"
        if self.property_key:
            return f"{self.event} ({self.property_key}={self.property_value})"
        return self.event


def check_path_pattern(raw: str, field: str) -> str:
    pattern = raw.strip()
    if not pattern.startswith("/") or len(pattern) > MAX_PATTERN or any(c in pattern for c in "\x00\n\r\t "):
        raise InvalidInput(
            f"{raw!r} is not a path pattern: it starts with / and holds no spaces (wildcards: * and **)",
            field=field,
        )
    if "***" in pattern:
        raise InvalidInput(f"{raw!r}: use * for one path segment or ** for any depth", field=field)
    return pattern


def path_regex(pattern: str) -> str:
    """The anchored RE2 regular expression (ClickHouse `match`) a path pattern stands for."""
    return wildcard_regex(pattern)


def matcher(raw: dict[str, Any], field: str) -> Matcher:
    """A matcher from its API form: `{"kind": "pageview", "path": ...}` or
    `{"kind": "event", "event": ..., "property": {"key": ..., "value": ...}}`."""
    kind = raw.get("kind")
    if kind == "pageview":
        if set(raw) - {"kind", "path"}:
            raise InvalidInput("a pageview matcher has only a path", field=field)
        return Matcher("pageview", path=check_path_pattern(str(raw.get("path") or ""), field))
    if kind == "event":
        if set(raw) - {"kind", "event", "property"}:
            raise InvalidInput("an event matcher has an event name and optionally a property", field=field)
        name = str(raw.get("event") or "").strip()
        if not EVENT_NAME.match(name):
            raise InvalidInput("an event matcher needs the event's name (1 to 120 characters)", field=field)
        prop = raw.get("property")
        if prop is None:
            return Matcher("event", event=name)
        if not isinstance(prop, dict) or set(prop) != {"key", "value"}:
            raise InvalidInput('a property match is {"key": ..., "value": ...}', field=field)
        key, value = str(prop["key"]), str(prop["value"])
        if not PROPERTY_KEY.match(key) or len(value) > 500:
            raise InvalidInput(
                f"{key!r} is not a property key (letters, digits, _ . : -, up to 64)", field=field
            )
        return Matcher("event", event=name, property_key=key, property_value=value)
    raise InvalidInput('a matcher\'s kind is "pageview" or "event"', field=field)


def matcher_out(m: Matcher) -> dict[str, Any]:
    if m.kind == "pageview":
        return {"kind": "pageview", "path": m.path}
    out: dict[str, Any] = {"kind": "event", "event": m.event}
    if m.property_key:
        out["property"] = {"key": m.property_key, "value": m.property_value}
    return out


def check_name(raw: str, field: str = "name") -> str:
    return display_name(raw, most=MAX_NAME, field=field)


# --- Goals ---------------------------------------------------------------------------------------

GoalKind = Literal["pageview", "event", "revenue"]


@dataclass(frozen=True)
class Goal:
    """A pageview goal, a custom-event goal, or a revenue goal (a custom event carrying an amount in a
    currency)."""

    id: UUID
    site_id: UUID
    name: str
    match: Matcher
    currency: str | None
    created_at: datetime

    @property
    def kind(self) -> GoalKind:
        if self.currency:
            return "revenue"
        return self.match.kind


def check_currency(raw: str | None, match: Matcher) -> str | None:
    if raw is None:
        return None
    code = raw.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise InvalidInput(f"{raw!r} is not a supported ISO 4217 currency code", field="currency")
    if match.kind != "event":
        raise InvalidInput(
            "a revenue goal is a custom-event goal: pageviews carry no amount", field="currency"
        )
    return code


# --- Funnels -------------------------------------------------------------------------------------

MIN_STEPS, MAX_STEPS = 2, 8
DEFAULT_WINDOW = timedelta(days=1)
MAX_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class Funnel:
    """Ordered steps a visitor completes within the conversion window, counted from the first step."""

    id: UUID
    site_id: UUID
    name: str
    steps: tuple[Matcher, ...]
    window: timedelta
    created_at: datetime


def check_steps(raw: list[dict[str, Any]]) -> tuple[Matcher, ...]:
    if not MIN_STEPS <= len(raw) <= MAX_STEPS:
        raise InvalidInput(f"a funnel has {MIN_STEPS} to {MAX_STEPS} steps", field="steps")
    steps = tuple(matcher(step, f"steps[{i}]") for i, step in enumerate(raw))
    for i in range(1, len(steps)):
        if steps[i] == steps[i - 1]:
            raise InvalidInput("two steps in a row match the same events", field=f"steps[{i}]")
    return steps


def check_window(seconds: int | None) -> timedelta:
    if seconds is None:
        return DEFAULT_WINDOW
    window = timedelta(seconds=seconds)
    if not timedelta(minutes=1) <= window <= MAX_WINDOW:
        raise InvalidInput("the conversion window is between 60 seconds and 90 days", field="window_seconds")
    return window


# --- Segments ------------------------------------------------------------------------------------

# Filters are kept in the Plausible Stats API v2 form the Analytics context reads:
#   ["is", "visit:source", ["Google", "Bing"]], ["contains", "event:page", ["/blog"]],
#   ["and", [f1, f2]], ["or", [f1, f2]], ["not", f1]
# Here only the shape is checked; Analytics checks the dimension names when it runs them.
VALUE_OPERATORS = frozenset({"is", "is_not", "contains", "contains_not", "matches", "matches_not"})
DIMENSION = re.compile(r"^(event|visit):[a-z_]{1,40}(:[A-Za-z0-9_.:-]{1,64})?$")
MAX_CLAUSES = 30
MAX_DEPTH = 4

Visibility = Literal["personal", "site"]


@dataclass(frozen=True)
class Segment:
    """A named set of filters: personal (its author's only) or shared with everyone who sees the site."""

    id: UUID
    site_id: UUID
    name: str
    filters: list[Any]
    visibility: Visibility
    owner_id: UUID | None  # the author; None for a shared segment an API key created
    created_at: datetime


def check_visibility(raw: str) -> Visibility:
    if raw == "personal":
        return "personal"
    if raw == "site":
        return "site"
    raise InvalidInput('visibility is "personal" or "site"', field="visibility")


def check_filters(raw: Any) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("a segment holds a non-empty list of filters", field="filters")
    count = [0]
    for item in raw:
        _check_filter(item, 1, count)
    return raw


def _check_filter(item: Any, depth: int, count: list[int]) -> None:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_CLAUSES:
        raise InvalidInput(f"at most {MAX_CLAUSES} filters, nested {MAX_DEPTH} deep", field="filters")
    if not isinstance(item, list) or not item or not isinstance(item[0], str):
        raise InvalidInput(f"{item!r} is not a filter", field="filters")
    op = item[0]
    if op in ("and", "or") and len(item) == 2 and isinstance(item[1], list) and item[1]:
        for inner in item[1]:
            _check_filter(inner, depth + 1, count)
        return
    if op == "not" and len(item) == 2:
        _check_filter(item[1], depth + 1, count)
        return
    if (
        op in VALUE_OPERATORS
        and len(item) in (3, 4)
        and isinstance(item[1], str)
        and DIMENSION.match(item[1])
        and isinstance(item[2], list)
        and 1 <= len(item[2]) <= 100
        and all(isinstance(v, str) and len(v) <= 2000 for v in item[2])
        and (len(item) == 3 or isinstance(item[3], dict))
    ):
        return
    raise InvalidInput(
        f"{item!r} is not a filter: [operator, dimension, [values]] with an operator among "
        f"{', '.join(sorted(VALUE_OPERATORS))}, or and/or/not",
        field="filters",
    )
