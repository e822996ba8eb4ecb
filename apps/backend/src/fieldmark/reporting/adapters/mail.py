"""Reporting's emails: digests composed from Jinja2 templates (HTML with an inline chart, and plain
text), sent over SMTP with a one-click unsubscribe header, or printed on the console in the embedded
default with no SMTP_URL."""

from __future__ import annotations

import asyncio
import io
import smtplib
import sys
from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image, ImageDraw

from fieldmark.reporting.application.digests import Digest
from fieldmark.reporting.application.ports import Mail
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.smtp import SmtpServer

_TEMPLATES = Path(__file__).with_name("templates")
CHART = "visitors-chart"


def chart_png(values: list[int], width: int = 560, height: int = 120) -> bytes:
    """Daily visitors as bars, drawn with Pillow."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    if values:
        peak = max(values) or 1
        step = width / len(values)
        for i, value in enumerate(values):
            top = height - 4 - (height - 12) * value / peak
            draw.rectangle((i * step + 2, top, (i + 1) * step - 2, height - 4), fill=(59, 91, 219))
    draw.line((0, height - 3, width, height - 3), fill=(200, 204, 214), width=1)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


class JinjaDigestComposer:
    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(_TEMPLATES),
            autoescape=select_autoescape(["html"]),
            keep_trailing_newline=True,
        )

    def compose(self, to: str, digest: Digest) -> Mail:
        shown = []
        for f in digest.figures:
            if f.label == "Bounce rate":
                value = f"{f.value:.0f}%"
            elif f.label == "Visit duration":
                value = _duration(f.value)
            else:
                value = f"{int(f.value):,}"
            change = "" if f.change is None else f"{f.change:+.0f}%"
            shown.append({"label": f.label, "value": value, "change": change})
        first, last = digest.period.first, digest.period.last
        span = f"{first:%d %b} to {last:%d %b %Y}" if digest.frequency == "weekly" else f"{first:%B %Y}"
        context = {"d": digest, "figures": shown, "span": span, "chart": CHART}
        text = self._env.get_template("digest.txt").render(**context)
        html = self._env.get_template("digest.html").render(**context)
        subject = f"{digest.domain}: your {digest.frequency} Fieldmark report, {span}"
        images = {CHART: chart_png([v for _, v in digest.daily])}
        return Mail(to, subject, text, html, images, digest.unsubscribe)


def _email(mail: Mail, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, mail.to, mail.subject
    if mail.unsubscribe:
        email["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(mail.text)
    email.add_alternative(mail.html, subtype="html")
    html_part = email.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for cid, png in mail.images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid}.png")
    return email


class SmtpReportMailer:
    def __init__(self, url: str, sender: str) -> None:
        self._server = SmtpServer.parse(url)
        self._sender = sender

    async def send(self, mail: Mail) -> None:
        try:
            await asyncio.to_thread(self._server.deliver, _email(mail, self._sender))
        except (OSError, smtplib.SMTPException) as exc:
            raise StoreUnavailable(
                f"the mail server could not take the message ({type(exc).__name__})"
            ) from None


class ConsoleReportMailer:
    """Prints each message's text on standard output (embedded mode with no SMTP_URL)."""

    def __init__(self, sender: str) -> None:
        self._sender = sender

    async def send(self, mail: Mail) -> None:
        rule = "-" * 72
        print(f"{rule}\nEmail to {mail.to}: {mail.subject}\n\n{mail.text}{rule}", file=sys.stdout, flush=True)
