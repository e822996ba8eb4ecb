"""Email addresses that reports and alerts go to."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(text: str) -> bool:
    """Something@somewhere.tld, without spaces: the mail server has the last word."""
    return bool(_EMAIL.match(text))
