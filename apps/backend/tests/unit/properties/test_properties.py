"""Property tests (hypothesis): whatever arrives, the collect decoder and the filter parser answer with a
value or a clear `InvalidInput`, never another error; and the query compiler's SQL does not depend on
filter values at all (they only ever travel as bound parameters), so no value can change a query."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldmark.analytics.adapters.clickhouse_stats import compile_query
from fieldmark.analytics.application.ports import Scope
from fieldmark.analytics.domain.dates import resolve
from fieldmark.analytics.domain.query import Metric, Query, dimension, parse_filters
from fieldmark.ingestion.adapters.http.payload import decode, to_event
from fieldmark.shared_kernel.errors import InvalidInput

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = st.sampled_from(
    ["' OR 1=1 --", "\\'; DROP TABLE events; --", "{p1:String}", "`x`", "%s", "\x00", "日本", "<script>", ""]
)
TEXT = st.one_of(st.text(max_size=40), HOSTILE)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=25,
)
KEYS = [
    "n",
    "name",
    "u",
    "url",
    "d",
    "domain",
    "r",
    "referrer",
    "p",
    "props",
    "revenue",
    "k",
    "x",
    "y",
    "pid",
]
KEYS += ["sd", "e", "ts", "h", "site", "interactive", "vw", "vh", "dw", "dh", "s", "t", "rg", "dd", "lb", "w"]
EVENT = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=12)


def _decoded(body: bytes) -> None:
    try:
        payloads = decode(body)
    except InvalidInput:
        return
    for i, payload in enumerate(payloads):
        with contextlib.suppress(InvalidInput):
            to_event(payload, i)


@FAST
@given(st.binary(max_size=300))
def test_the_collect_decoder_answers_any_bytes_with_an_event_or_a_clear_error(body: bytes) -> None:
    _decoded(body)


def test_a_string_that_is_not_utf8_is_a_clear_error() -> None:
    """Found by the long fuzz run (bench/fuzz_collect.py): msgspec raises UnicodeDecodeError for it."""
    with pytest.raises(InvalidInput, match="not valid UTF-8"):
        decode(b'{"name": "Signup", "url": "\xb0https://example.com/", "domain": "example.com"}')


def test_a_url_that_does_not_parse_is_a_clear_error_and_such_a_referrer_is_dropped() -> None:
    """Found by the long fuzz run: urlsplit raises ValueError for an unbalanced IPv6 bracket."""
    bad = decode(b'{"n": "pageview", "u": "https://ex]mp/", "d": "example.com"}')[0]
    with pytest.raises(InvalidInput, match="not a valid URL") as refused:
        to_event(bad)
    assert refused.value.field == "url"
    odd = decode(b'{"n": "pageview", "u": "https://example.com/", "d": "example.com", "r": "http://[x/"}')[0]
    assert to_event(odd).referrer == ""


@FAST
@given(st.one_of(EVENT, st.lists(EVENT, max_size=3), JSON))
def test_the_collect_decoder_answers_any_json_with_an_event_or_a_clear_error(value: Any) -> None:
    _decoded(json.dumps(value).encode())


@FAST
@given(JSON)
def test_the_filter_parser_answers_anything_with_filters_or_a_clear_error(raw: Any) -> None:
    with contextlib.suppress(InvalidInput):
        parse_filters(raw)


DIMENSIONS = [
    "event:page",
    "visit:source",
    "visit:country",
    "visit:browser",
    "event:name",
    "visit:utm_campaign",
]
OPERATORS = ["is", "is_not", "contains", "contains_not"]
SCOPE = Scope((uuid.UUID(int=1),), resolve("30d", datetime(2026, 11, 24, tzinfo=UTC), "UTC"), "UTC")


VALUE = st.one_of(st.text(min_size=1, max_size=40), HOSTILE.filter(bool))


@FAST
@given(st.sampled_from(DIMENSIONS), st.sampled_from(OPERATORS), st.integers(1, 3).flatmap(
    lambda n: st.tuples(st.lists(VALUE, min_size=n, max_size=n), st.lists(VALUE, min_size=n, max_size=n))
))  # fmt: skip
def test_filter_values_never_reach_the_sql_text(dim: str, op: str, pair: tuple[list[str], list[str]]) -> None:
    def compiled(values: list[str]) -> tuple[str, dict[str, Any]]:
        query = Query(
            (Metric.VISITORS, Metric.PAGEVIEWS),
            (dimension("visit:source"),),
            parse_filters([[op, dim, values]]),
        )
        text, params, _ = compile_query(SCOPE, query)
        return text, params

    first, second = pair
    sql_first, params_first = compiled(first)
    sql_second, _ = compiled(second)
    # Two queries that differ only in their values are the same SQL: the values are parameters.
    assert sql_first == sql_second
    assert params_first  # and they are there, bound
