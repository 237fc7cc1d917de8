"""Playwright driving the system Chromium against pytest-django's live server.

The live server runs in a thread of this process, so a test can read
`django.core.mail.outbox` and the database while the browser clicks. Chromium is
the Debian package (`apt-get install -y chromium`); `playwright install` is never
used, and the browser only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse ORM calls made from the test while that loop exists.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
        "(never `playwright install`).",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright  # noqa: E402


@dataclass
class ConsoleLog:
    """Everything the page said on its console, and the errors it threw."""

    messages: list[str] = field(default_factory=list)

    def record(self, message: ConsoleMessage) -> None:
        self.messages.append(f"[{message.type}] {message.text}")

    def csp_violations(self) -> list[str]:
        return [text for text in self.messages if "Content Security Policy" in text]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def console_log() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Browser, console_log: ConsoleLog) -> Iterator[Page]:
    """A page in a fresh context (no cookies carried between tests), in Indonesian."""
    context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", console_log.record)
    page.on("pageerror", lambda error: console_log.messages.append(f"[pageerror] {error}"))
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings) -> None:
    # allauth keeps its rate limits in the cache; a local one keeps repeated runs
    # (and other test sessions sharing Redis) from counting each other's logins.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "browser",
        },
        "fragments": settings.CACHES["fragments"],
    }
    # The journeys hash a password at sign-up and check it at each login: a slow
    # hasher would cost seconds and test nothing these tests are about.
    # MD5 first (fast for users the tests create); PBKDF2 still verifies hashes the
    # shared factories cached earlier in the run.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
