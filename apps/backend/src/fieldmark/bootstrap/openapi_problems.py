"""Every error of every route is RFC 9457 problem+json (see `http.py`); the generated schema documents
Litestar's own JSON error body instead. This rewrites each operation's error responses to say what is
sent: one `Problem` schema under `application/problem+json`, as the `default` response. Error statuses a
route declares itself (the collect endpoint's, an HTML page's) are kept."""

from __future__ import annotations

from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details. `field` names the offending input where there is one; "
    "`extra` lists validation failures of a request's shape.",
    properties={
        "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING),
        "detail": Schema(type=OpenAPIType.STRING),
        "type": Schema(type=OpenAPIType.STRING),
        "field": Schema(type=OpenAPIType.STRING),
        "extra": Schema(),
    },
    required=["status", "title"],
)
PROBLEM_TYPE = "application/problem+json"
JSON = "application/json"


def document_problems(schema: OpenAPI) -> None:
    components = schema.components if isinstance(schema.components, Components) else Components()
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM}
    schema.components = components
    ref = Reference(ref="#/components/schemas/Problem")
    default = OpenAPIResponse(
        description="An error, as problem+json; the operation's description names its statuses",
        content={PROBLEM_TYPE: OpenAPIMediaType(schema=ref)},
    )
    for item in (schema.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses: dict[str, OpenAPIResponse | Reference] = {}
            for status, response in (operation.responses or {}).items():
                if not status.isdigit() or int(status) < 400:
                    responses[status] = response
                elif _litestar_error(response):
                    continue  # Litestar's own validation error body, which is never sent
                elif PROBLEM_TYPE in (response.content or {}):
                    responses[status] = OpenAPIResponse(
                        description=response.description,
                        headers=response.headers,
                        content={PROBLEM_TYPE: OpenAPIMediaType(schema=ref)},
                    )
                else:
                    responses[status] = response  # declared by its route (an HTML page, say)
            responses["default"] = default
            operation.responses = responses


def _litestar_error(response: OpenAPIResponse | Reference) -> bool:
    """The body Litestar documents for its ValidationException: `{status_code, detail, extra}`."""
    if not isinstance(response, OpenAPIResponse):
        return False
    media = (response.content or {}).get(JSON)
    schema = media.schema if media is not None else None
    return isinstance(schema, Schema) and {"status_code", "detail"} <= set(schema.properties or {})
