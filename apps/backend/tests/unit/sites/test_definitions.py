"""The rules of goals, funnels and segments, and what a path pattern matches."""

from __future__ import annotations

import re

import pytest

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.sites.domain.definitions import (
    check_filters,
    check_path_pattern,
    check_steps,
    check_window,
    matcher,
    path_regex,
)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/pricing", "/pricing", True),
        ("/pricing", "/pricing/", False),
        ("/blog/*", "/blog/hello", True),
        ("/blog/*", "/blog/a/b", False),
        ("/blog/*", "/blog/", True),
        ("/docs/**", "/docs/a/b/c", True),
        ("/docs/**", "/doc", False),
        ("/*/checkout", "/en/checkout", True),
        ("/*/checkout", "/en/us/checkout", False),
        ("/a.b", "/aXb", False),  # a dot is literal
        ("/p?(x)", "/p?(x)", True),  # so are regex characters
    ],
)
def test_path_patterns_match_like_their_documentation_says(pattern: str, path: str, matches: bool) -> None:
    assert bool(re.match(path_regex(check_path_pattern(pattern, "path")), path)) is matches


@pytest.mark.parametrize("pattern", ["pricing", "/with space", "", "/a/***", "/" + "x" * 600])
def test_bad_path_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidInput):
        check_path_pattern(pattern, "path")


def test_matchers_accept_their_two_forms_only() -> None:
    assert matcher(
        {"kind": "event", "event": "Signup", "property": {"key": "plan", "value": "pro"}}, "m"
    ).label() == ("Signup (plan=pro)")
    for bad in (
        {"kind": "click"},
        {"kind": "event"},
        {"kind": "event", "event": "x", "property": {"key": "bad key", "value": "v"}},
        {"kind": "event", "event": "x", "property": ["plan", "pro"]},
        {"kind": "pageview", "path": "/", "event": "x"},
    ):
        with pytest.raises(InvalidInput):
            matcher(bad, "m")


def test_funnel_steps_and_windows() -> None:
    step = {"kind": "pageview", "path": "/"}
    other = {"kind": "event", "event": "Signup"}
    assert len(check_steps([step, other] * 4)) == 8
    for steps in ([step], [step, other] * 4 + [step], [step, step]):
        with pytest.raises(InvalidInput):
            check_steps(steps)
    assert check_window(None).days == 1
    for seconds in (59, 91 * 86400):
        with pytest.raises(InvalidInput):
            check_window(seconds)


def test_segment_filters_take_the_stats_api_v2_form() -> None:
    good = [
        ["is", "visit:source", ["Google"]],
        ["or", [["contains", "event:page", ["/blog"]], ["not", ["is", "event:props:plan", ["free"]]]]],
    ]
    assert check_filters(good) == good
    for bad in (
        [],
        ["is", "visit:source", ["Google"]],  # not a list of filters
        [["equals", "visit:source", ["Google"]]],
        [["is", "visit:source; DROP TABLE", ["x"]]],
        [["is", "visit:source", "Google"]],
        [["and", []]],
        [["is", "visit:source", [str(i) for i in range(101)]]],
        [["not", ["not", ["not", ["not", ["is", "visit:source", ["x"]]]]]]],
    ):
        with pytest.raises(InvalidInput):
            check_filters(bad)
