"""Application errors every context raises; the HTTP layer maps each kind to one status in one place."""


class ApplicationError(Exception):
    """Base of the errors a use case raises on purpose; `detail` is safe to show to the caller."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(ApplicationError):
    """The request breaks a business rule or a field is out of range (HTTP 400/422)."""


class NotFound(ApplicationError):
    """The thing named does not exist, or the caller may not know that it does (HTTP 404)."""


class Conflict(ApplicationError):
    """The request clashes with the current state, such as a duplicate (HTTP 409)."""


class PermissionDenied(ApplicationError):
    """The caller is known but may not do this (HTTP 403)."""


class Unauthenticated(ApplicationError):
    """The caller is not known (HTTP 401)."""


class StoreUnavailable(ApplicationError):
    """A store the request needs cannot be reached; retrying later may succeed (HTTP 503)."""
