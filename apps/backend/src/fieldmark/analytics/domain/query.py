"""The one query model every statistic is asked in: metrics x dimensions x filters x date range x
interval x comparison x order x pagination. It is the shape of Plausible's Stats API v2, so the same
request works against both. Metrics and dimensions are closed sets; everything else is a value that
reaches ClickHouse only as a bound parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pycountry

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.patterns import wildcard_regex


class Level(StrEnum):
    EVENT = "event"  # varies from event to event: page, hostname, event name, properties
    SESSION = "session"  # the same on every event of a visit: device, browser, location
    ENTRY = "entry"  # fixed by the visit's first event: source, referrer, UTM tags, entry/exit page
    TIME = "time"


# Dimension name → (column, level). Columns are the events table's; entry-level ones are computed per
# visit from its first (or, for exit_page, last) pageview.
DIMENSIONS: dict[str, tuple[str, Level]] = {
    "event:page": ("pathname", Level.EVENT),
    "event:hostname": ("hostname", Level.EVENT),
    "event:name": ("name", Level.EVENT),
    "visit:entry_page": ("entry_page", Level.ENTRY),
    "visit:exit_page": ("exit_page", Level.ENTRY),
    "visit:source": ("referrer_source", Level.ENTRY),
    "visit:referrer": ("referrer", Level.ENTRY),
    "visit:channel": ("channel", Level.ENTRY),
    "visit:utm_medium": ("utm_medium", Level.ENTRY),
    "visit:utm_source": ("utm_source", Level.ENTRY),
    "visit:utm_campaign": ("utm_campaign", Level.ENTRY),
    "visit:utm_content": ("utm_content", Level.ENTRY),
    "visit:utm_term": ("utm_term", Level.ENTRY),
    "visit:country": ("country_code", Level.SESSION),
    "visit:region": ("region", Level.SESSION),
    "visit:city": ("city", Level.SESSION),
    # Plausible's v2 names: the country by name (from its ISO code), region and city by name as stored.
    "visit:country_name": ("country_code", Level.SESSION),
    "visit:region_name": ("region", Level.SESSION),
    "visit:city_name": ("city", Level.SESSION),
    "visit:browser": ("browser", Level.SESSION),
    "visit:browser_version": ("browser_version", Level.SESSION),
    "visit:os": ("os", Level.SESSION),
    "visit:os_version": ("os_version", Level.SESSION),
    "visit:device": ("device", Level.SESSION),
    "visit:screen": ("screen_class", Level.SESSION),
}
PROPERTY_PREFIX = "event:props:"
PROPERTY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class Interval(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


TIME_DIMENSIONS = {"time", *(f"time:{i.value}" for i in Interval)}


class Metric(StrEnum):
    VISITORS = "visitors"
    VISITS = "visits"
    PAGEVIEWS = "pageviews"
    VIEWS_PER_VISIT = "views_per_visit"
    BOUNCE_RATE = "bounce_rate"
    VISIT_DURATION = "visit_duration"
    EVENTS = "events"
    PERCENTAGE = "percentage"
    CONVERSION_RATE = "conversion_rate"
    CONVERSIONS = "conversions"
    TOTAL_REVENUE = "total_revenue"
    AVERAGE_REVENUE = "average_revenue"
    TIME_ON_PAGE = "time_on_page"
    SCROLL_DEPTH = "scroll_depth"


GOAL = "event:goal"
GOAL_METRICS = frozenset(
    {Metric.CONVERSIONS, Metric.CONVERSION_RATE, Metric.TOTAL_REVENUE, Metric.AVERAGE_REVENUE}
)
# Read from engagement events (time visible and deepest scroll of each pageview).
ENGAGEMENT_METRICS = frozenset({Metric.TIME_ON_PAGE, Metric.SCROLL_DEPTH})


# Metrics that need each visit's own figures (its pageviews, interactions, length).
VISIT_METRICS = frozenset({Metric.VIEWS_PER_VISIT, Metric.BOUNCE_RATE, Metric.VISIT_DURATION})

MAX_LIMIT = 10_000


@dataclass(frozen=True)
class Dimension:
    name: str
    column: str  # a column, a visit attribute, or "" for time and properties
    level: Level
    property_key: str = ""  # event:props:<key>
    interval: Interval | None = None  # time dimensions

    @property
    def is_time(self) -> bool:
        return self.level is Level.TIME


def dimension(name: Any, default_interval: Interval = Interval.DAY) -> Dimension:
    if not isinstance(name, str):
        raise InvalidInput(f"{name!r} is not a dimension", field="dimensions")
    if name in DIMENSIONS:
        column, level = DIMENSIONS[name]
        return Dimension(name, column, level)
    if name == GOAL:
        return Dimension(name, "", Level.EVENT)
    if name.startswith(PROPERTY_PREFIX):
        key = name[len(PROPERTY_PREFIX) :]
        if not PROPERTY_KEY.match(key):
            raise InvalidInput(
                f"{name!r}: a property key is letters, digits, _ . : - (up to 64)", field="dimensions"
            )
        return Dimension(name, "", Level.EVENT, property_key=key)
    if name in TIME_DIMENSIONS:
        interval = Interval(name.split(":", 1)[1]) if ":" in name else default_interval
        return Dimension(name, "", Level.TIME, interval=interval)
    known = ", ".join([*DIMENSIONS, GOAL, PROPERTY_PREFIX + "<key>", *sorted(TIME_DIMENSIONS)])
    raise InvalidInput(f"{name!r} is not a dimension; known: {known}", field="dimensions")


# --- Filters ---------------------------------------------------------------------------------

VALUE_OPERATORS = frozenset(
    {
        "is",
        "is_not",
        "contains",
        "contains_not",
        "matches",
        "matches_not",
        "matches_wildcard",
        "matches_wildcard_not",
    }
)
MAX_FILTER_VALUES = 100
MAX_FILTERS = 30
MAX_DEPTH = 4
MAX_VALUE = 2000
# RE2 refuses these; refusing them here keeps ClickHouse's error text from ever reaching a client.
_UNSAFE_REGEX = re.compile(r"\(\?[=!<]|\\[1-9]|\(\?P=|\\[gk]<")


@dataclass(frozen=True)
class Condition:
    operator: str
    dimension: Dimension
    values: tuple[str, ...]
    case_sensitive: bool = True


@dataclass(frozen=True)
class Combination:
    operator: str  # and, or
    children: tuple[Filter, ...]


@dataclass(frozen=True)
class Negation:
    child: Filter


Filter = Condition | Combination | Negation


def parse_filters(raw: Any) -> tuple[Filter, ...]:
    """The v2 filter list (implicitly and-ed), checked: known dimensions and operators, string values,
    bounded size, regular expressions RE2 accepts."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidInput("filters is a list of [operator, dimension, [values]]", field="filters")
    count = [0]
    return tuple(_filter(item, 1, count) for item in raw)


def _filter(item: Any, depth: int, count: list[int]) -> Filter:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_FILTERS:
        raise InvalidInput(f"at most {MAX_FILTERS} filters, nested {MAX_DEPTH} deep", field="filters")
    if not isinstance(item, list) or not item or not isinstance(item[0], str):
        raise InvalidInput(f"{item!r} is not a filter", field="filters")
    op = item[0]
    if op in ("and", "or"):
        if len(item) != 2 or not isinstance(item[1], list) or not item[1]:
            raise InvalidInput(f'["{op}", [filters...]] needs a non-empty list', field="filters")
        return Combination(op, tuple(_filter(child, depth + 1, count) for child in item[1]))
    if op == "not":
        if len(item) != 2:
            raise InvalidInput('["not", filter] takes one filter', field="filters")
        return Negation(_filter(item[1], depth + 1, count))
    if op not in VALUE_OPERATORS:
        raise InvalidInput(
            f"{op!r} is not a filter operator ({', '.join(sorted(VALUE_OPERATORS))}, and, or, not)",
            field="filters",
        )
    if len(item) not in (3, 4):
        raise InvalidInput(
            f"{item!r}: a filter is [operator, dimension, [values], modifiers?]", field="filters"
        )
    dim = dimension(item[1])
    if dim.is_time:
        raise InvalidInput("filter time through date_range, not filters", field="filters")
    values = item[2]
    if (
        not isinstance(values, list)
        or not 1 <= len(values) <= MAX_FILTER_VALUES
        or not all(isinstance(v, str) and len(v) <= MAX_VALUE for v in values)
    ):
        raise InvalidInput(
            f"filter values are a list of 1 to {MAX_FILTER_VALUES} strings of up to {MAX_VALUE} characters",
            field="filters",
        )
    case_sensitive = True
    if len(item) == 4:
        modifiers = item[3]
        if not isinstance(modifiers, dict) or set(modifiers) - {"case_sensitive"}:
            raise InvalidInput('filter modifiers are {"case_sensitive": true|false}', field="filters")
        case_sensitive = bool(modifiers.get("case_sensitive", True))
    if op.startswith("matches") and not op.startswith("matches_wildcard"):
        for value in values:
            _check_regex(value)
    return Condition(op, dim, tuple(values), case_sensitive)


def _check_regex(value: str) -> None:
    if _UNSAFE_REGEX.search(value):
        raise InvalidInput(
            f"{value!r}: lookarounds and back-references are not supported (RE2 syntax)", field="filters"
        )
    try:
        re.compile(value)
    except re.error as exc:
        raise InvalidInput(f"{value!r} is not a regular expression ({exc})", field="filters") from None


def filter_dimensions(filters: tuple[Filter, ...]) -> list[Dimension]:
    out: list[Dimension] = []
    for item in filters:
        if isinstance(item, Condition):
            out.append(item.dimension)
        elif isinstance(item, Combination):
            out.extend(filter_dimensions(item.children))
        else:
            out.extend(filter_dimensions((item.child,)))
    return out


# --- Ordering and the whole query --------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    field: str  # a metric or one of the query's dimensions
    descending: bool


class ComparisonMode(StrEnum):
    PREVIOUS_PERIOD = "previous_period"
    YEAR_OVER_YEAR = "year_over_year"


@dataclass(frozen=True)
class Query:
    metrics: tuple[Metric, ...]
    dimensions: tuple[Dimension, ...] = ()
    filters: tuple[Filter, ...] = ()
    order: tuple[Order, ...] = ()
    limit: int = MAX_LIMIT
    offset: int = 0

    def needs_visits(self) -> bool:
        """Whether each visit's own figures or entry attributes are needed (a join on the visits)."""
        levels = {d.level for d in (*self.dimensions, *filter_dimensions(self.filters))}
        return Level.ENTRY in levels or bool(VISIT_METRICS & set(self.metrics))


def parse_metrics(raw: Any) -> tuple[Metric, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("metrics is a non-empty list", field="metrics")
    out = []
    for name in raw:
        try:
            out.append(Metric(name))
        except ValueError:
            known = ", ".join(m.value for m in Metric)
            raise InvalidInput(f"{name!r} is not a metric; known: {known}", field="metrics") from None
    if len(set(out)) != len(out):
        raise InvalidInput("a metric is named twice", field="metrics")
    return tuple(out)


def parse_order(raw: Any, metrics: tuple[Metric, ...], dims: tuple[Dimension, ...]) -> tuple[Order, ...]:
    if raw is None:
        return ()
    allowed = {m.value for m in metrics} | {d.name for d in dims}
    if not isinstance(raw, list):
        raise InvalidInput('order_by is a list of [field, "asc"|"desc"]', field="order_by")
    out = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or item[0] not in allowed
            or item[1] not in ("asc", "desc")
        ):
            raise InvalidInput(
                f'{item!r}: order by one of the query\'s metrics or dimensions, "asc" or "desc"',
                field="order_by",
            )
        out.append(Order(item[0], item[1] == "desc"))
    return tuple(out)


def parse_pagination(raw: Any) -> tuple[int, int]:
    if raw is None:
        return MAX_LIMIT, 0
    if not isinstance(raw, dict) or set(raw) - {"limit", "offset"}:
        raise InvalidInput('pagination is {"limit": n, "offset": n}', field="pagination")
    limit, offset = raw.get("limit", MAX_LIMIT), raw.get("offset", 0)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"pagination.limit is between 1 and {MAX_LIMIT}", field="pagination")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 1_000_000:
        raise InvalidInput("pagination.offset is between 0 and 1,000,000", field="pagination")
    return limit, offset


def check_combination(query: Query) -> None:
    """Combinations that have no meaning are refused rather than answered wrongly."""
    names = [d.name for d in query.dimensions]
    if len(set(names)) != len(names):
        raise InvalidInput("a dimension is named twice", field="dimensions")
    if sum(d.is_time for d in query.dimensions) > 1:
        raise InvalidInput("at most one time dimension", field="dimensions")
    event_dims = [d for d in query.dimensions if d.level is Level.EVENT]
    if event_dims and VISIT_METRICS & set(query.metrics) and [d.name for d in event_dims] != ["event:page"]:
        raise InvalidInput(
            "bounce_rate, visit_duration and views_per_visit describe visits: break them down by visit:* "
            "dimensions, time or event:page",
            field="metrics",
        )
    goal_used = any(d.name == GOAL for d in (*query.dimensions, *filter_dimensions(query.filters)))
    if GOAL_METRICS & set(query.metrics) and not goal_used:
        raise InvalidInput(
            "conversions, conversion_rate and revenue metrics need event:goal as a dimension or a filter",
            field="metrics",
        )
    if ENGAGEMENT_METRICS & set(query.metrics):
        if VISIT_METRICS & set(query.metrics):
            raise InvalidInput(
                "time_on_page and scroll_depth describe pageviews: ask for them apart from visit metrics",
                field="metrics",
            )
        if any(
            d.name in (GOAL, "event:name") or d.property_key or d.level is Level.ENTRY
            for d in (*query.dimensions, *filter_dimensions(query.filters))
        ):
            raise InvalidInput(
                "time_on_page and scroll_depth go with pages, time and visit attributes such as device or "
                "location",
                field="metrics",
            )
    if Metric.PERCENTAGE in query.metrics and not query.dimensions:
        raise InvalidInput("percentage is a share of the total: it needs a dimension", field="metrics")


@dataclass(frozen=True)
class GoalDef:
    """A goal of the site, as the Sites context defines it, in the form queries need."""

    name: str
    kind: str  # pageview or event
    path_regex: str = ""
    event: str = ""
    property_key: str = ""
    property_value: str = ""
    currency: str | None = None  # set: a revenue goal
    path: str = ""  # a pageview goal's pattern as written; without a wildcard it is matched by equality


def select_goals(condition: Condition, goals: tuple[GoalDef, ...]) -> tuple[GoalDef, ...]:
    """The goals an event:goal condition names (by is, contains or matches on their names)."""
    op = condition.operator.removesuffix("_not")

    def norm(text: str) -> str:
        return text if condition.case_sensitive else text.lower()

    values = [norm(v) for v in condition.values]
    if op == "is":
        return tuple(g for g in goals if norm(g.name) in values)
    if op == "contains":
        return tuple(g for g in goals if any(v in norm(g.name) for v in values))
    patterns = [wildcard_regex(v) if op == "matches_wildcard" else v for v in values]
    flags = 0 if condition.case_sensitive else re.IGNORECASE
    return tuple(g for g in goals if any(re.search(p, g.name, flags) for p in patterns))


COUNTRY_NAME = "visit:country_name"


def country_names() -> tuple[list[str], list[str]]:
    """ISO 3166 codes and the names Plausible's API shows for them (from pycountry)."""
    countries = list(pycountry.countries)
    return [str(c.alpha_2) for c in countries], [str(c.name) for c in countries]
