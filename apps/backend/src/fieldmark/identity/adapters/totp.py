"""TOTP (RFC 6238) with pyotp: 30 s steps, 6 digits, one step of clock drift either way."""

from __future__ import annotations

import time

import pyotp


class PyotpTotp:
    def new_secret(self) -> str:
        return pyotp.random_base32()

    def uri(self, secret: str, account: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name="Fieldmark")

    def matching_step(self, secret: str, code: str) -> int | None:
        code = code.strip().replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            return None
        totp, now = pyotp.TOTP(secret), time.time()
        for drift in (0, -1, 1):
            at = now + drift * totp.interval
            if totp.verify(code, for_time=at, valid_window=0):
                return int(at // totp.interval)
        return None
