"""The OpenAPI schema says what is sent: errors as problem+json, and no `oneOf` that a value matches twice
(an integer is a JSON Schema `number` too, so `oneOf: [number, integer]` refuses every integer)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fieldmark.bootstrap.cli import openapi_json

SCHEMA = json.loads(openapi_json())


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def test_no_one_of_lets_an_integer_match_twice() -> None:
    overlapping = [
        path
        for path, node in _walk(SCHEMA)
        if {"number", "integer"} <= {branch.get("type") for branch in node.get("oneOf", [])}
    ]
    assert overlapping == []


def test_every_operation_documents_its_errors_as_problem_json() -> None:
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            default = operation["responses"]["default"]
            assert "application/problem+json" in default["content"], (method, path)
            for status, response in operation["responses"].items():
                if status.isdigit() and int(status) >= 400:
                    assert "application/json" not in response.get("content", {}) or status == "503", (
                        method,
                        path,
                        status,
                    )
