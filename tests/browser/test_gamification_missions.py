"""A citizen does two daily missions through the real pages and sees points and a badge appear."""

from __future__ import annotations

import io
import random
import re

import pytest
from playwright.sync_api import Page, expect

from gamification.models import Badge, Mission, PointsRule
from portal.celery import app as celery_app
from tests.factories import PASSWORD, CitizenProfileFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery(settings):
    # The on-commit scoring task runs in the live server's thread, as a worker would.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _missions() -> None:
    badge = Badge.objects.create(
        slug="warga-tertib",
        name="Warga Tertib Administrasi",
        metric=Badge.Metric.MISSION,
        thresholds=[1, 2, 5],
    )
    Mission.objects.create(
        slug="perbarui-profil",
        title="Perbarui profil",
        verb="profile.updated",
        points=15,
        badge=badge,
        link_url="/profil/ubah/",
        order=1,
    )
    Mission.objects.create(
        slug="tambah-dokumen",
        title="Tambahkan dokumen",
        verb="document.added",
        points=15,
        badge=badge,
        link_url="/profil/dokumen/baru/",
        order=2,
    )
    PointsRule.objects.create(verb="document.added", points=3, daily_cap=3)


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/akun/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Kata sandi:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selamat datang")


def test_citizen_completes_missions_and_sees_points_and_badge(
    live_server, page, console_log, eager_celery
):
    _missions()
    citizen = CitizenProfileFactory(user__email="rina@example.id", full_name="Rina Marlina").user
    # Hashed now, with the fast hasher the browser fixtures switch on.
    citizen.set_password(PASSWORD)
    citizen.save()
    _sign_in(page, live_server.url, citizen.email)

    page.goto(live_server.url + "/misi/")
    expect(page.locator("#saldo-poin")).to_have_text("0")
    expect(page.locator("#bar-perbarui-profil")).to_have_attribute("value", "0")

    page.locator("#misi-perbarui-profil").get_by_role("link", name="Kerjakan").click()
    page.get_by_label("Nama lengkap").fill("Rina Marlina Sari")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Profil tersimpan.")).to_be_visible()

    page.goto(live_server.url + "/misi/")
    page.locator("#misi-tambah-dokumen").get_by_role("link", name="Kerjakan").click()
    page.get_by_label("Jenis dokumen").select_option("sim")
    page.get_by_label("Nomor dokumen").fill("SIM123456789")
    page.get_by_label(re.compile("Berlaku sampai")).fill("2030-01-31")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Dokumen tersimpan.")).to_be_visible()

    page.goto(live_server.url + "/misi/")
    expect(page.locator("#saldo-poin")).to_have_text("33")  # 15 + 15 + 3
    expect(page.locator("#bar-perbarui-profil")).to_have_attribute("value", "1")
    expect(page.locator("#misi-tambah-dokumen")).to_contain_text("Selesai")

    page.get_by_role("link", name="Lencana").click()
    expect(page.locator("#lencana-warga-tertib")).to_contain_text("Tingkat 2")

    page.get_by_role("link", name="Riwayat poin").click()
    expect(page.locator(".gm-ledger li")).to_have_count(3)
    assert console_log.csp_violations() == []


def test_mission_pages_are_accessible_and_fit_a_320_pixel_screen(live_server, browser):
    from axe_playwright_python.sync_playwright import Axe

    from gamification import demo

    demo.seed(stdout=io.StringIO(), rng=random.Random(1))
    citizen = CitizenProfileFactory(user__email="dewi@example.id").user
    citizen.set_password(PASSWORD)
    citizen.save()
    context = browser.new_context(locale="id-ID", viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/akun/login/")
        page.get_by_label("Email").fill(citizen.email)
        page.get_by_label(re.compile(r"^Kata sandi:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Selamat datang")
        axe = Axe()
        problems = []
        for path in [
            "/dasbor/",
            "/misi/",
            "/misi/poin/",
            "/misi/lencana/",
            "/misi/hadiah/",
            "/misi/peringkat/",
        ]:
            page.goto(live_server.url + path)
            violations = [
                f"{path}: {v['id']} ({v['impact']})"
                for v in axe.run(page).response["violations"]
                if v["impact"] in {"serious", "critical"}
            ]
            problems.extend(violations)
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if overflow > 320:
                problems.append(f"{path}: {overflow} px wide at a 320 px viewport")
        assert problems == []
    finally:
        context.close()
