"""Imported history in queries: which queries it can join, and how its daily figures merge with
collected ones (Plausible's rules: imported data has no filters and no finer grain than a day, and its
daily visitors are summed)."""

from __future__ import annotations

from fieldmark.analytics.domain.query import Interval, Metric, Query

# Dimensions an import holds (Plausible's tables), and the metrics it can give.
DIMENSIONS = frozenset(
    {
        "visit:source",
        "visit:utm_source",
        "visit:utm_medium",
        "visit:utm_campaign",
        "event:page",
        "visit:entry_page",
        "visit:exit_page",
        "visit:country",
        "visit:region",
        "visit:device",
        "visit:browser",
        "visit:os",
        "event:name",
    }
)
METRICS = frozenset(
    {
        Metric.VISITORS,
        Metric.VISITS,
        Metric.PAGEVIEWS,
        Metric.BOUNCE_RATE,
        Metric.VISIT_DURATION,
        Metric.VIEWS_PER_VISIT,
        Metric.EVENTS,
    }
)
# What merging needs besides what was asked: visits weigh the rates and averages.
WEIGHTED = frozenset({Metric.BOUNCE_RATE, Metric.VISIT_DURATION, Metric.VIEWS_PER_VISIT})


def skip_reason(query: Query) -> str | None:
    """Why imported data cannot join this query, or None when it can."""
    if query.filters:
        return "imported data has no filters"
    if any(m not in METRICS for m in query.metrics):
        return "imported data has no " + ", ".join(m.value for m in query.metrics if m not in METRICS)
    if len(query.dimensions) > 1:
        return "imported data breaks down by one dimension at a time"
    if query.dimensions:
        d = query.dimensions[0]
        if d.is_time:
            if d.interval != Interval.DAY:
                return "imported data is by day"
        elif d.name not in DIMENSIONS:
            return f"imported data has no {d.name}"
    return None


def merge(
    native: dict[str, float | int], imported: dict[str, float | int], metrics: tuple[Metric, ...]
) -> dict[str, float | int]:
    """One row's metrics from a collected row (with `visits`) and an imported row's sums."""
    visits_n = float(native.get("visits", 0))
    visits_i = float(imported.get("visits", 0))
    visits = visits_n + visits_i
    out: dict[str, float | int] = {}
    for metric in metrics:
        key = metric.value
        if metric == Metric.BOUNCE_RATE:
            bounces = float(native.get(key, 0)) * visits_n / 100 + float(imported.get("bounces", 0))
            out[key] = round(bounces / visits * 100) if visits else 0
        elif metric == Metric.VISIT_DURATION:
            seconds = float(native.get(key, 0)) * visits_n + float(imported.get("visit_duration", 0))
            out[key] = round(seconds / visits) if visits else 0
        elif metric == Metric.VIEWS_PER_VISIT:
            pageviews = float(native.get("pageviews", 0)) + float(imported.get("pageviews", 0))
            out[key] = round(pageviews / visits, 2) if visits else 0
        else:
            out[key] = int(native.get(key, 0)) + int(imported.get(key, 0))
    return out
