"""The OpenAPI description of a response that is a file (a zip, CSV or Parquet) rather than JSON."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema


def file_operation(description: str, *media_types: str) -> type[Operation]:
    """An `operation_class` whose 200 answer is a download in any of `media_types`."""

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            content = Schema(type=OpenAPIType.STRING, format="binary")  # type: ignore[arg-type]
            self.responses = {
                **(self.responses or {}),
                "200": OpenAPIResponse(
                    description=description,
                    content={media: OpenAPIMediaType(schema=content) for media in media_types},
                ),
            }

    return FileOperation
