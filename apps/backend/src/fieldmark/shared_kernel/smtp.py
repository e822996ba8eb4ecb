"""Sending a composed email over SMTP, for every context that mails (Identity's account emails,
Reporting's digests and alerts): `smtp://` (STARTTLS when the server offers it), `smtp+starttls://`
(required) or `smtps://` (TLS from the start), credentials in the URL. Standard library only."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        return cls(
            parts.scheme,
            parts.hostname or "localhost",
            parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25),
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )

    def deliver(self, email: EmailMessage) -> None:
        """Blocking: run it in a thread. Raises OSError or smtplib.SMTPException."""
        context = ssl.create_default_context()
        if self.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=20, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=20)
        with server:
            server.ehlo()
            if self.scheme == "smtp+starttls" or (self.scheme == "smtp" and server.has_extn("starttls")):
                server.starttls(context=context)
                server.ehlo()
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(email)
