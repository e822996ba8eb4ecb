"""The wire format: Plausible's long and short keys, batches, and each bad input naming its field."""

import json

import pytest

from fieldmark.ingestion.adapters.http.payload import decode, to_event
from fieldmark.ingestion.domain.event import Kind
from fieldmark.shared_kernel.errors import InvalidInput


def one(body: object):
    (payload,) = decode(json.dumps(body).encode())
    return to_event(payload)


def test_long_and_short_keys_mean_the_same() -> None:
    long = one(
        {
            "name": "Signup",
            "url": "https://a.example/x",
            "domain": "a.example",
            "referrer": "https://r.example/",
            "props": {"plan": "pro", "seats": 3, "trial": False},
            "interactive": False,
        }
    )
    short = one(
        {
            "n": "Signup",
            "u": "https://a.example/x",
            "d": "a.example",
            "r": "https://r.example/",
            "p": json.dumps({"plan": "pro", "seats": 3, "trial": False}),
            "i": False,
        }
    )
    assert long == short
    assert long.kind is Kind.CUSTOM
    assert long.props == {"plan": "pro", "seats": "3", "trial": "false"}
    assert long.interactive is False


def test_revenue_pageview_engagement_and_click() -> None:
    purchase = one(
        {"name": "Purchase", "url": "https://a.example/", "revenue": {"currency": "usd", "amount": 1322.22}}
    )
    assert purchase.revenue is not None
    assert (str(purchase.revenue.amount), purchase.revenue.currency) == ("1322.220000", "USD")
    assert one({"n": "pageview", "u": "https://a.example/", "w": 1280}).screen_width == 1280
    engagement = one({"n": "engagement", "u": "https://a.example/", "e": 5400, "sd": 75})
    assert (engagement.kind, engagement.engagement_ms, engagement.scroll_depth) == (Kind.ENGAGEMENT, 5400, 75)
    overscrolled = one({"n": "engagement", "u": "https://a.example/", "sd": 104})
    assert overscrolled.scroll_depth == 100
    click = one(
        {
            "n": "click",
            "k": "click",
            "u": "https://a.example/",
            "x": 10,
            "y": 900,
            "vw": 390,
            "vh": 844,
            "dw": 390,
            "dh": 3000,
            "s": "main > button.buy",
            "t": "BUTTON",
            "rg": True,
        }
    )
    assert click.kind is Kind.CLICK
    assert click.click is not None
    assert (click.click.x, click.click.y, click.click.tag, click.click.rage, click.click.dead) == (
        10,
        900,
        "button",
        True,
        False,
    )


def test_props_lists_and_maps_are_filtered_as_plausible_documents() -> None:
    event = one({"n": "E", "u": "https://a.example/", "props": {"keep": "1", "list": [1], "map": {"a": 1}}})
    assert event.props == {"keep": "1"}


def test_a_batch_is_an_array() -> None:
    body = json.dumps([{"n": "pageview", "u": f"https://a.example/{i}"} for i in range(50)]).encode()
    assert len(decode(body)) == 50


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (b'{"n": "pageview", "u": ', None, "malformed JSON"),
        (b'"just a string"', None, "invalid event"),
        (json.dumps({"n": "pageview", "u": "https://a.example/", "zz": 1}).encode(), "zz", "unknown field"),
        (json.dumps({"n": 5, "u": "https://a.example/"}).encode(), "n", "invalid event"),
        (json.dumps({"u": "https://a.example/"}).encode(), "name", "required"),
        (json.dumps({"n": "x" * 121, "u": "https://a.example/"}).encode(), "name", "longer than 120"),
        (json.dumps({"n": "pageview"}).encode(), "url", "required"),
        (json.dumps({"n": "pageview", "u": "/relative"}).encode(), "url", "absolute"),
        (json.dumps({"n": "pageview", "u": "data:text/html,hi"}).encode(), "url", "absolute"),
        (json.dumps({"n": "pageview", "u": "https://a.example/" + "x" * 2000}).encode(), "url", "longer"),
        (
            json.dumps(
                {"n": "E", "u": "https://a.example/", "p": {f"k{i}": "v" for i in range(31)}}
            ).encode(),
            "props",
            "at most 30",
        ),
        (
            json.dumps({"n": "E", "u": "https://a.example/", "p": {"k": "v" * 2001}}).encode(),
            "props",
            "longer",
        ),
        (json.dumps({"n": "E", "u": "https://a.example/", "p": {"k" * 301: "v"}}).encode(), "props", "keys"),
        (json.dumps({"n": "E", "u": "https://a.example/", "p": "not json"}).encode(), "props", "JSON object"),
        (
            json.dumps(
                {"n": "E", "u": "https://a.example/", "$": {"currency": "EUR", "amount": "lots"}}
            ).encode(),
            "revenue",
            "not a number",
        ),
        (
            json.dumps({"n": "E", "u": "https://a.example/", "$": {"currency": "ZZZ", "amount": 1}}).encode(),
            "revenue",
            "ISO 4217",
        ),
        (
            json.dumps(
                {"n": "E", "u": "https://a.example/", "$": {"currency": "EUR", "amount": -1}}
            ).encode(),
            "revenue",
            "from 0",
        ),
        (json.dumps({"n": "engagement", "u": "https://a.example/"}).encode(), "e", "required"),
        (
            json.dumps({"n": "engagement", "u": "https://a.example/", "sd": 1001}).encode(),
            "sd",
            "between 0 and 1000",
        ),
        (json.dumps({"n": "click", "k": "click", "u": "https://a.example/"}).encode(), "x", "required"),
        (json.dumps({"n": "pageview", "u": "https://a.example/", "k": "tap"}).encode(), "k", "click"),
        (
            json.dumps({"n": "pageview", "u": "https://a.example/", "timestamp": "yesterday"}).encode(),
            "timestamp",
            "ISO 8601",
        ),
        (b"[]", None, "empty"),
        (json.dumps([{"n": "pageview", "u": "https://a.example/"}] * 51).encode(), None, "at most 50"),
    ],
)
def test_bad_input_names_the_field(body: bytes, field: str | None, words: str) -> None:
    def parse() -> None:
        for payload in decode(body):
            to_event(payload)

    with pytest.raises(InvalidInput) as caught:
        parse()
    assert caught.value.field == field
    assert words in caught.value.detail
