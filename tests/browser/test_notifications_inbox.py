"""A reminder appears in the citizen's inbox and the unread badge updates by itself (htmx)."""

from __future__ import annotations

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from notifications.defaults import install_current
from notifications.reminders import reminders_send_due
from portal.celery import app as celery_app
from tests.factories import CitizenDocumentFactory, CitizenProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def citizen(settings):
    settings.NOTIFICATIONS_BADGE_POLL_S = 1
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.LocmemBackend"
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    install_current()  # transactional tests flush the data migration's rows
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name="warga")
    yield CitizenProfileFactory(full_name="Dewi Lestari").user
    celery_app.conf.task_always_eager = eager


def _sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_a_reminder_appears_in_the_inbox_and_the_badge_updates(
    page: Page, live_server, citizen, console_log
):
    _sign_in(page, live_server, citizen)
    page.goto(live_server.url + "/notifikasi/")
    badge = page.locator("#notif-badge")
    expect(badge).to_have_text("Notifikasi")
    expect(page.get_by_text("Belum ada notifikasi.")).to_be_visible()

    today = timezone.localdate()
    CitizenDocumentFactory(owner=citizen, kind="sim", expires_on=today + datetime.timedelta(days=7))
    reminders_send_due()

    # No reload: htmx polls the badge fragment and swaps it in.
    expect(badge.locator(".notif-count")).to_have_text("1 belum dibaca", timeout=5000)

    page.reload()
    page.get_by_role("link", name="SIM (Surat Izin Mengemudi) Anda berakhir dalam 7 hari").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("berakhir dalam 7 hari")
    expect(page.get_by_text("Yth. Dewi Lestari,")).to_be_visible()
    page.get_by_role("link", name="Kembali ke kotak masuk").click()
    expect(page.locator("#notif-badge .notif-count")).to_have_count(0)
    assert console_log.csp_violations() == []


def test_the_inbox_and_preferences_pages_are_accessible_at_320_px(page: Page, live_server, citizen):
    _sign_in(page, live_server, citizen)
    page.set_viewport_size({"width": 320, "height": 640})
    axe = Axe()
    for path in ("/notifikasi/", "/notifikasi/pengaturan/"):
        page.goto(live_server.url + path)
        violations = [
            v
            for v in axe.run(page).response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert violations == [], (path, [v["id"] for v in violations])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
