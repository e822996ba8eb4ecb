"""PsycopgUserRepository on the embedded PostgreSQL."""

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.adapters.argon2_hasher import Argon2PasswordHasher
from fieldmark.identity.adapters.postgres_users import PsycopgUserRepository
from fieldmark.identity.application.create_instance_admin import (
    CreateInstanceAdmin,
    CreateInstanceAdminCommand,
)
from fieldmark.shared_kernel.clock import SystemClock
from fieldmark.shared_kernel.errors import Conflict


async def test_admin_is_stored_with_an_argon2id_hash_and_emails_are_unique(postgres_url: str) -> None:
    async with AsyncConnectionPool(postgres_url, open=False) as pool:
        users = PsycopgUserRepository(pool)
        hasher = Argon2PasswordHasher()
        create = CreateInstanceAdmin(users, hasher, SystemClock())
        user = await create.execute(CreateInstanceAdminCommand("ada@example.com", "correct horse battery"))
        with pytest.raises(Conflict):
            await create.execute(CreateInstanceAdminCommand("ADA@EXAMPLE.com", "another long password"))
        assert await users.count() == 1

    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT id, email, password_hash, is_instance_admin FROM users").fetchone()
    assert row is not None
    assert (row[0], row[1], row[3]) == (user.id, "ada@example.com", True)
    assert row[2].startswith("$argon2id$")
    assert hasher.verify(row[2], "correct horse battery")
    assert not hasher.verify(row[2], "wrong password!")
