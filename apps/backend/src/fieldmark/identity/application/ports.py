"""What Identity's use cases need from the outside world."""

from typing import Protocol

from fieldmark.identity.domain.user import User


class UserRepository(Protocol):
    async def add(self, user: User, password_hash: str) -> None:
        """Store a new user; raise `Conflict` if the email is taken."""

    async def count(self) -> int: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...
