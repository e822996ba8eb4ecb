"""Application errors map to one HTTP status each, in one place."""

import pytest

from fieldmark.bootstrap.http import _application_problem
from fieldmark.shared_kernel import errors


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput, 400),
        (errors.Unauthenticated, 401),
        (errors.PermissionDenied, 403),
        (errors.NotFound, 404),
        (errors.Conflict, 409),
        (errors.StoreUnavailable, 503),
    ],
)
def test_each_error_kind_has_its_status(error: type[errors.ApplicationError], status: int) -> None:
    problem = _application_problem(error("what happened", field="email"))
    assert problem.status_code == status
    assert problem.detail == "what happened"
    assert problem.extra == {"field": "email"}


def test_unavailable_tells_the_client_when_to_retry() -> None:
    problem = _application_problem(errors.StoreUnavailable("PostgreSQL is unavailable"))
    assert problem.headers == {"Retry-After": "5"}
