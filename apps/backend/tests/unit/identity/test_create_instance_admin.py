"""CreateInstanceAdmin against fakes of its ports."""

from datetime import UTC, datetime

import pytest

from fieldmark.identity.application.create_instance_admin import (
    CreateInstanceAdmin,
    CreateInstanceAdminCommand,
)
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import Conflict, InvalidInput


class FakeUserRepository:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[User, str]] = {}

    async def add(self, user: User, password_hash: str) -> None:
        if user.email.lower() in self.rows:
            raise Conflict("taken", field="email")
        self.rows[user.email.lower()] = (user, password_hash)

    async def count(self) -> int:
        return len(self.rows)


class FakeHasher:
    def hash(self, password: str) -> str:
        return f"hashed:{password[::-1]}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == self.hash(password)


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def users() -> FakeUserRepository:
    return FakeUserRepository()


@pytest.fixture
def create(users: FakeUserRepository) -> CreateInstanceAdmin:
    return CreateInstanceAdmin(users, FakeHasher(), FixedClock())


async def test_creates_an_admin_with_a_hashed_password(create, users) -> None:
    user = await create.execute(
        CreateInstanceAdminCommand(" Ada@Example.COM ", "correct horse battery", "Ada")
    )
    assert user.email == "Ada@example.com"
    assert user.is_instance_admin
    assert user.created_at == FixedClock().now()
    stored, password_hash = users.rows["ada@example.com"]
    assert stored == user
    assert password_hash != "correct horse battery"
    assert FakeHasher().verify(password_hash, "correct horse battery")


async def test_an_email_is_taken_whatever_its_case(create) -> None:
    await create.execute(CreateInstanceAdminCommand("ada@example.com", "correct horse battery"))
    with pytest.raises(Conflict):
        await create.execute(CreateInstanceAdminCommand("ADA@example.com", "another good password"))


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", "correct horse battery", "email"),
        ("a@b", "correct horse battery", "email"),
        ("ada@example.com", "short", "password"),
        ("ada@example.com", "a" * 12, "password"),
        ("ada@example.com", "ada@example.com", "password"),
        ("ada@example.com", "x" * 1025, "password"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(create, users, email, password, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        await create.execute(CreateInstanceAdminCommand(email, password))
    assert caught.value.field == field
    assert await users.count() == 0
