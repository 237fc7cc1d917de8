"""Fixtures of the notifications tests: eager Celery, a real SMTP sink, a fake SMS gateway.

The outside world is faked at its seam only: an aiosmtpd server on a free loopback
port receives real SMTP, and a tiny http.server plays the SMS gateway.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from notifications.backends import LocmemBackend
from portal.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """Tasks run in the test's process (no broker, no worker)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _local_backends(settings) -> Iterator[None]:
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.LocmemBackend"
    settings.NOTIFICATIONS_PUSH_BACKEND = "notifications.backends.LocmemBackend"
    settings.NOTIFICATIONS_RETRY_BASE_S = 1
    LocmemBackend.outbox.clear()
    yield
    LocmemBackend.outbox.clear()


@pytest.fixture
def sms_outbox() -> list[dict[str, str]]:
    return LocmemBackend.outbox


@pytest.fixture(autouse=True)
def notif_defaults(request: pytest.FixtureRequest) -> None:
    """Categories, templates and rules of the data migration: transactional tests flush them."""
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        from notifications.defaults import install_current

        request.getfixturevalue(
            "db" if "transactional_db" not in request.fixturenames else "transactional_db"
        )
        install_current()


class SinkHandler:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


@dataclass
class SmtpSink:
    port: int
    handler: SinkHandler = field(default_factory=SinkHandler)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        import email

        return [email.message_from_bytes(env.original_content) for env in self.handler.envelopes]


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """An SMTP server on a free loopback port, and MAILERS pointing at it (not started yet
    for tests that need it down first: call .start())."""
    sink = SmtpSink(port=free_port())
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "use_tls": False, "timeout": 5},
        }
    }
    yield sink
    sink.stop()


@dataclass
class FakeGateway:
    """Answers each POST with the next scripted status (the last one repeats)."""

    statuses: list[int]
    requests: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"


@pytest.fixture
def fake_gateway(settings) -> Iterator[FakeGateway]:
    gateway = FakeGateway(statuses=[200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            gateway.requests.append({"headers": dict(self.headers), "body": body})
            index = min(len(gateway.requests) - 1, len(gateway.statuses) - 1)
            status = gateway.statuses[index]
            payload = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    gateway.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=gateway.server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.HttpGatewayBackend"
    settings.NOTIFICATIONS_SMS_GATEWAY_URL = gateway.url
    settings.NOTIFICATIONS_SMS_GATEWAY_TOKEN = "rahasia-uji"
    settings.NOTIFICATIONS_GATEWAY_TIMEOUT_S = 5
    yield gateway
    gateway.server.shutdown()
    gateway.server.server_close()
