"""Application errors every context raises; the HTTP layer maps each kind to one status in one place."""

from __future__ import annotations


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


class Gone(ApplicationError):
    """The thing existed but can no longer be used: an expired, revoked or used token (HTTP 410)."""


class PermissionDenied(ApplicationError):
    """The caller is known but may not do this (HTTP 403)."""


class Unauthenticated(ApplicationError):
    """The caller is not known (HTTP 401)."""


class StoreUnavailable(ApplicationError):
    """A store the request needs cannot be reached; retrying later may succeed (HTTP 503)."""

    @classmethod
    def because(cls, store: str, exc: BaseException) -> StoreUnavailable:
        """The error for `store` failing with `exc`, saying so plainly when its disk is full (the driver's
        own text is not shown: it may name hosts or paths)."""
        if any(sign in str(exc) for sign in _DISK_FULL):
            return cls(f"{store} has no disk space left; nothing was written, retry once space is freed")
        return cls(f"{store} is unavailable: {type(exc).__name__}")


_DISK_FULL = ("No space left on device", "MISCONF", "NOT_ENOUGH_SPACE", "could not extend file", "DiskFull")


class RateLimited(ApplicationError):
    """Too many requests in the current window (HTTP 429); `retry_after` says when to try again."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Overloaded(StoreUnavailable):
    """The pipeline is behind and refuses more work for now rather than run out of memory (HTTP 503)."""

    def __init__(self, detail: str, *, retry_after: int = 30) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def first_line(exc: BaseException) -> str:
    """An exception in one line for a log or a health report: its text's first line, or its type's name
    when it has no text."""
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]
