"""SMS and push delivery behind one small seam.

A backend sends one text to one address and either returns the provider's reference
or raises TemporaryFailure (try again later) or PermanentFailure (never again).
Email does not come through here: it uses Django's mailers (MAILERS), so any SMTP
server or provider backend works. The HTTP gateway is written with the standard
library: a JSON POST with a bearer token needs no client library.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications import conf

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    permanent: ClassVar[bool] = False


class TemporaryFailure(DeliveryError):
    permanent = False


class PermanentFailure(DeliveryError):
    permanent = True


class BaseBackend:
    def __init__(self, *, channel: str) -> None:
        self.channel = channel

    def send(self, *, to: str, body: str, title: str = "", reference: str = "") -> str:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Prints each message (the embedded mode's default)."""

    def send(self, *, to: str, body: str, title: str = "", reference: str = "") -> str:
        sys.stdout.write(f"[{self.channel}] to={to} ref={reference} {title}\n{body}\n")
        sys.stdout.flush()
        return reference


class FileBackend(BaseBackend):
    """Appends one JSON line per message to <dir>/<channel>.jsonl."""

    _lock = threading.Lock()

    def send(self, *, to: str, body: str, title: str = "", reference: str = "") -> str:
        folder = Path(conf.get("NOTIFICATIONS_FILE_BACKEND_DIR") or settings.VAR_DIR / "outbox")
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": to,
                "title": title,
                "body": body,
                "reference": reference,
            },
            ensure_ascii=False,
        )
        with self._lock, (folder / f"{self.channel}.jsonl").open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return reference


class LocmemBackend(BaseBackend):
    """Keeps messages in LocmemBackend.outbox, for tests."""

    outbox: ClassVar[list[dict[str, str]]] = []

    def send(self, *, to: str, body: str, title: str = "", reference: str = "") -> str:
        self.outbox.append(
            {
                "channel": self.channel,
                "to": to,
                "title": title,
                "body": body,
                "reference": reference,
            }
        )
        return reference


class HttpGatewayBackend(BaseBackend):
    """POSTs `{"to", "title", "body", "reference"}` as JSON to a gateway URL with a bearer token.

    2xx is delivered (a JSON body's "id" becomes the provider reference); 429, 5xx,
    timeouts and refused connections are temporary; any other 4xx is permanent.
    """

    def __init__(self, *, channel: str) -> None:
        super().__init__(channel=channel)
        prefix = "NOTIFICATIONS_PUSH_GATEWAY" if channel == "push" else "NOTIFICATIONS_SMS_GATEWAY"
        self.url = conf.get(f"{prefix}_URL")
        self.token = conf.get(f"{prefix}_TOKEN")
        self.timeout = float(conf.get("NOTIFICATIONS_GATEWAY_TIMEOUT_S"))
        if not self.url.startswith(("http://", "https://")):
            raise PermanentFailure(f"{prefix}_URL is not an http(s) URL: {self.url!r}")

    def send(self, *, to: str, body: str, title: str = "", reference: str = "") -> str:
        payload = json.dumps(
            {"to": to, "title": title, "body": body, "reference": reference}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": reference,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code}: {error.read(500).decode(errors='replace')}"
            if error.code == 429 or error.code >= 500:
                raise TemporaryFailure(detail) from error
            raise PermanentFailure(detail) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise TemporaryFailure(f"gateway unreachable: {error}") from error
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        return str(data.get("id", reference)) if isinstance(data, dict) else reference


def get_backend(channel: str) -> BaseBackend:
    path = conf.get(f"NOTIFICATIONS_{channel.upper()}_BACKEND")
    return import_string(path)(channel=channel)
