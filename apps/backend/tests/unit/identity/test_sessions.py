"""RegisterAccount and LogIn rules against fakes of their ports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldmark.identity.application.log_in import LogIn, LogInCommand
from fieldmark.identity.application.ports import Session
from fieldmark.identity.application.register_account import RegisterAccount, RegisterCommand
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import PermissionDenied, RateLimited, Unauthenticated
from fieldmark.shared_kernel.ids import UserId
from tests.unit.identity.test_create_instance_admin import FakeHasher, FakeUserRepository, FixedClock


class UsersWithLookup(FakeUserRepository):
    async def by_email(self, email: str) -> tuple[User, str] | None:
        return self.rows.get(email.lower())

    async def by_id(self, user_id: UserId) -> User | None:
        return next((u for u, _ in self.rows.values() if u.id == user_id), None)


class FakeSessions:
    def __init__(self) -> None:
        self.live: dict[str, Session] = {}
        self.issued = 0

    async def create(self, user_id: UserId) -> Session:
        self.issued += 1
        session = Session(f"token-{self.issued}", user_id, f"csrf-{self.issued}")
        self.live[session.token] = session
        return session

    async def get(self, token: str) -> Session | None:
        return self.live.get(token)

    async def revoke(self, token: str) -> None:
        self.live.pop(token, None)


class FakeTeams:
    def __init__(self) -> None:
        self.owners: dict[object, object] = {}

    async def create(self, team: object, owner: UserId) -> None:
        self.owners[team] = owner

    async def add_member(self, *args: object) -> None: ...

    async def memberships_of(self, user_id: UserId) -> list[object]:
        return [t for t, o in self.owners.items() if o == user_id]

    async def role_of(self, *args: object) -> None:
        return None


class FakeThrottle:
    def __init__(self, limit: int = 3) -> None:
        self.failures: dict[str, int] = {}
        self.limit = limit

    async def attempt(self, keys: list[str]) -> int:
        for key in keys:
            self.failures[key] = self.failures.get(key, 0) + 1
        return 60 if any(self.failures[k] > self.limit for k in keys) else 0

    async def succeeded(self, refund: list[str], clear: list[str]) -> None:
        for key in refund:
            self.failures[key] -= 1
        for key in clear:
            self.failures.pop(key, None)


@pytest.fixture
def users() -> UsersWithLookup:
    return UsersWithLookup()


async def test_only_the_first_account_may_register_when_registration_is_closed(users) -> None:
    sessions, teams = FakeSessions(), FakeTeams()
    register = RegisterAccount(users, FakeHasher(), sessions, teams, FixedClock(), open_registration=False)
    admin, session = await register.execute(RegisterCommand("ada@example.com", "correct horse battery"))
    assert admin.is_instance_admin
    assert len(await teams.memberships_of(admin.id)) == 1  # a team of their own
    assert sessions.live[session.token].user_id == admin.id
    with pytest.raises(PermissionDenied):
        await register.execute(RegisterCommand("bob@example.com", "correct horse battery"))
    opened = RegisterAccount(users, FakeHasher(), sessions, FakeTeams(), FixedClock(), open_registration=True)
    bob, _ = await opened.execute(RegisterCommand("bob@example.com", "correct horse battery"))
    assert not bob.is_instance_admin


async def test_sign_in_rotates_sessions_and_throttles_failures(users) -> None:
    sessions, throttle = FakeSessions(), FakeThrottle(limit=3)
    await RegisterAccount(
        users, FakeHasher(), sessions, FakeTeams(), FixedClock(), open_registration=False
    ).execute(RegisterCommand("ada@example.com", "correct horse battery"))
    log_in = LogIn(users, FakeHasher(), sessions, throttle)
    first = (
        await log_in.execute(LogInCommand("ada@example.com", "correct horse battery", "client-a"))
    ).session
    assert first is not None
    second = (
        await log_in.execute(
            LogInCommand("ada@example.com", "correct horse battery", "client-a", previous_token=first.token)
        )
    ).session
    assert first is not None
    assert second is not None
    assert first.token not in sessions.live
    assert second.token in sessions.live

    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await log_in.execute(LogInCommand("ada@example.com", "wrong password!", "client-b"))
    with pytest.raises(RateLimited) as caught:
        await log_in.execute(LogInCommand("ada@example.com", "correct horse battery", "client-c"))
    assert caught.value.retry_after == 60
    with pytest.raises(RateLimited):  # the failing client is blocked for other accounts too
        await log_in.execute(LogInCommand("bob@example.com", "whatever it is", "client-b"))


async def test_an_unknown_email_and_a_wrong_password_are_the_same_answer(users) -> None:
    log_in = LogIn(users, FakeHasher(), FakeSessions(), FakeThrottle())
    await users.add(
        User(
            UserId(__import__("uuid").uuid4()), "ada@example.com", "", False, datetime(2026, 1, 1, tzinfo=UTC)
        ),
        FakeHasher().hash("correct horse battery"),
    )
    answers = []
    for email, password in (
        ("nobody@example.com", "correct horse battery"),
        ("ada@example.com", "wrong one!!"),
    ):
        with pytest.raises(Unauthenticated) as caught:
            await log_in.execute(LogInCommand(email, password, "client"))
        answers.append(caught.value.detail)
    assert answers[0] == answers[1]
