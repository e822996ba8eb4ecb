"""A person who can sign in, and the rules for their email and password."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.ids import UserId

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class User:
    id: UserId
    email: str
    name: str
    is_instance_admin: bool
    created_at: datetime


def normalize_email(raw: str) -> str:
    """Trimmed, with the domain lower-cased; uniqueness is checked case-insensitively by the store."""
    email = raw.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(f"{raw!r} is not an email address", field="email")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_password_policy(password: str, email: str) -> None:
    """The documented policy: 10 to 1,024 characters, not only one repeated character, not the email."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(f"password must have at least {PASSWORD_MIN_LENGTH} characters", field="password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(f"password must have at most {PASSWORD_MAX_LENGTH} characters", field="password")
    if len(set(password)) == 1 or password.lower() == email.lower():
        raise InvalidInput("password is too easy to guess", field="password")
