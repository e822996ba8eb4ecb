"""Email: messages composed from Jinja2 templates (HTML and plain text), sent over SMTP or, in the
embedded default, printed to the console so a newcomer can follow the links without a mail server."""

from __future__ import annotations

import asyncio
import smtplib
import sys
from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from fieldmark.identity.application.ports import Message
from fieldmark.identity.domain.invitation import Invitation
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.smtp import SmtpServer

_TEMPLATES = Path(__file__).with_name("templates")


class JinjaMessageComposer:
    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(_TEMPLATES),
            autoescape=select_autoescape(["html"]),
            keep_trailing_newline=True,
        )

    def _render(self, template: str, **context: object) -> tuple[str, str]:
        return (
            self._env.get_template(f"{template}.txt").render(**context),
            self._env.get_template(f"{template}.html").render(**context),
        )

    def invitation(self, invitation: Invitation, inviter: User, link: str) -> Message:
        role = invitation.role.value
        text, html = self._render(
            "invitation",
            inviter=inviter.name or inviter.email,
            team=invitation.team_name,
            role=role,
            article="an" if role[0] in "aeiou" else "a",
            link=link,
            expires=invitation.expires_at.strftime("%d %B %Y, %H:%M UTC"),
        )
        return Message(invitation.email, f"Join {invitation.team_name} on Fieldmark", text, html)

    def password_reset(self, user: User, link: str) -> Message:
        text, html = self._render("password_reset", name=user.name or user.email, link=link)
        return Message(user.email, "Reset your Fieldmark password", text, html)


def _email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.to, message.subject
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


class SmtpMailer:
    """Over SMTP (see shared_kernel.smtp for the URL forms)."""

    def __init__(self, url: str, sender: str) -> None:
        self._server = SmtpServer.parse(url)
        self._sender = sender

    def _deliver(self, email: EmailMessage) -> None:
        self._server.deliver(email)

    async def send(self, message: Message) -> None:
        try:
            await asyncio.to_thread(self._deliver, _email(message, self._sender))
        except (OSError, smtplib.SMTPException) as exc:
            raise StoreUnavailable(
                f"the mail server could not take the message ({type(exc).__name__})"
            ) from None


class ConsoleMailer:
    """Prints each message on standard output, not in the log, in embedded mode with no SMTP_URL."""

    def __init__(self, sender: str) -> None:
        self._sender = sender

    async def send(self, message: Message) -> None:
        rule = "-" * 72
        print(
            f"{rule}\nEmail to {message.to}: {message.subject}\n\n{message.text}{rule}",
            file=sys.stdout,
            flush=True,
        )
