"""MIME for notice emails, written out directly instead of through `email.message`.

Why by hand: Django's EmailMessage.message() builds a stdlib `email.message.EmailMessage`,
and the modern email API parses every header it is given and folds it again on output
(about 1.5 ms of CPU per two-part notice on our machines); a 100,000-recipient campaign
spent most of its delivery time there. A notice is always the same simple shape —
ASCII addresses, a subject, a text part and perhaps an HTML alternative, no attachments —
so its bytes are written here, and Django's mail backends still send it: `RawMime` has
the few methods the SMTP, console, file and locmem backends call on a message. Anything
outside that shape (a non-ASCII address, attachments) goes the standard way.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from email.header import Header
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from django.core.mail.utils import DNS_NAME

MAX_LINE = 998  # RFC 5322's hard limit on a line (without CRLF)


def _unfolded(value: str) -> str:
    # A line break in a header value would start a new header (injection): never kept.
    return " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value


def header_line(name: str, value: str) -> str:
    """`Name: value`, RFC 2047-encoded when the value is not plain ASCII."""
    value = _unfolded(value)
    if value.isascii() and len(name) + len(value) + 2 <= MAX_LINE:
        return f"{name}: {value}"
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\n")
    return f"{name}: {encoded}"


@functools.lru_cache(maxsize=16)
def address_header_line(name: str, value: str) -> str:
    """An address header (From) folded by the stdlib once per value: the parse is what costs."""
    return SMTP.fold(name, _unfolded(value)).rstrip("\r\n").replace("\r\n", "\n")


def _body_part(content_type: str, text: str) -> str:
    data = text.replace("\r\n", "\n")
    longest = max((len(line.encode()) for line in data.split("\n")), default=0)
    if longest > MAX_LINE:
        import quopri

        encoded = quopri.encodestring(data.encode()).decode("ascii")
        cte = "quoted-printable"
    else:
        encoded = data
        cte = "7bit" if data.isascii() else "8bit"
    if not encoded.endswith("\n"):
        encoded += "\n"
    return f'Content-Type: {content_type}; charset="utf-8"\nContent-Transfer-Encoding: {cte}\n\n{encoded}'


class RawMime:
    """A finished message: what Django's mail backends need of an email.message.Message."""

    def __init__(self, headers: list[str], body: str, *, linesep: str = "\n") -> None:
        self._headers = headers
        self._body = body
        # smtplib sends bytes as they are: the SMTP policy's CRLF must be in them.
        self.linesep = linesep

    def as_string(self, unixfrom: bool = False, maxheaderlen: int = 0, policy=None) -> str:
        linesep = getattr(policy, "linesep", self.linesep)
        text = "\n".join(self._headers) + "\n\n" + self._body
        return text.replace("\n", linesep) if linesep != "\n" else text

    def as_bytes(self, unixfrom: bool = False, policy=None) -> bytes:
        return self.as_string(policy=policy).encode("utf-8")

    def get_charset(self):
        return None

    def get(self, name: str, default=None):
        prefix = name.lower() + ":"
        for line in self._headers:
            if line.lower().startswith(prefix):
                return line.split(":", 1)[1].strip()
        return default

    def __getitem__(self, name: str):
        return self.get(name)


def build(
    *,
    from_email: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    headers: dict[str, str] | None = None,
    linesep: str = "\n",
) -> RawMime:
    lines = [
        address_header_line("From", from_email),
        f"To: {to}",
        header_line("Subject", subject),
        f"Date: {format_datetime(datetime.now(UTC))}",
        f"Message-ID: {make_msgid(domain=DNS_NAME)}",
        "MIME-Version: 1.0",
    ]
    for name, value in (headers or {}).items():
        lines.append(header_line(name, value))
    if not html:
        part = _body_part("text/plain", text)
        head, _sep, body = part.partition("\n\n")
        return RawMime(lines + head.split("\n"), body, linesep=linesep)
    boundary = f"=_portal_{uuid.uuid4().hex}"
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    body = (
        f"--{boundary}\n{_body_part('text/plain', text)}"
        f"--{boundary}\n{_body_part('text/html', html)}"
        f"--{boundary}--\n"
    )
    return RawMime(lines, body, linesep=linesep)
