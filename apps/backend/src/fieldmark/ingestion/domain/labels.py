"""The one piece of element text a click may carry: the label of a link or button, scrubbed."""

from __future__ import annotations

import re

MAX_LABEL_LENGTH = 100
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS = re.compile(r"\d")
_SPACE = re.compile(r"\s+")


def scrub_label(text: str) -> str:
    """Emails and digits removed (order numbers, prices, phone numbers), whitespace collapsed, at most
    100 characters. The tracker does the same before sending; this holds for any sender."""
    text = _DIGITS.sub("", _EMAIL.sub("", text))
    return _SPACE.sub(" ", text).strip()[:MAX_LABEL_LENGTH]
