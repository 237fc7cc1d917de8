"""axe-core finds no serious or critical problem on the main pages, and they fit 320 px."""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from portal.models import CitizenProfile, User

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "Bandung-Juara-2024"

axe = Axe()


def _blocking_violations(page: Page) -> list[dict]:
    results = axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def _report(path: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} serious/critical violation(s) on {path}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def _assert_accessible(page: Page, path: str) -> None:
    violations = _blocking_violations(page)
    assert not violations, _report(path, violations)


def _citizen_with_profile() -> User:
    user = User.objects.create_user(email="dewi.lestari@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    CitizenProfile.objects.create(
        user=user,
        full_name="Dewi Lestari",
        nik="3273014105900001",
        birth_date=datetime.date(1990, 5, 1),
    )
    return user


def _log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/akun/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Kata sandi:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(base_url + "/dasbor/")


def test_public_pages_have_no_serious_accessibility_violation(live_server, page, console_log):
    reports = []
    for path in ["/", "/akun/login/", "/akun/signup/"]:
        page.goto(live_server.url + path)
        if violations := _blocking_violations(page):
            reports.append(_report(path, violations))
    assert not reports, "\n".join(reports)
    assert not console_log.csp_violations(), "\n".join(console_log.csp_violations())

    # The password rules are read out with the field, not left in a stray list.
    expect(page.get_by_label(re.compile(r"^Kata sandi:?$"))).to_have_accessible_description(
        re.compile(r"setidaknya 10 karakter")
    )


def test_signed_in_pages_have_no_serious_accessibility_violation(live_server, page, console_log):
    user = _citizen_with_profile()
    _log_in(page, live_server.url, user.email)

    for path in ["/dasbor/", "/profil/", "/profil/ubah/"]:
        page.goto(live_server.url + path)
        _assert_accessible(page, path)
        if path == "/profil/":
            expect(page.get_by_test_id("nik")).to_have_text("3273********0001")

    # A form shown again with its errors must stay accessible too.
    page.get_by_label(re.compile(r"^NIK\b")).fill("327301410590000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("NIK harus terdiri dari 16 angka.")).to_be_visible()
    _assert_accessible(page, "/profil/ubah/ (with errors)")

    assert not console_log.csp_violations(), "\n".join(console_log.csp_violations())


def test_home_page_fits_a_320_pixel_screen(live_server, browser):
    context = browser.new_context(locale="id-ID", viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        for state in ("menu closed", "menu open"):
            if state == "menu open":
                page.locator("details.menu > summary").click()
                expect(page.get_by_role("link", name="Daftar", exact=True)).to_be_visible()
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 320, f"{state}: the page scrolls sideways ({scroll_width}px)"
    finally:
        context.close()


def test_infrastructure_public_pages_have_no_serious_accessibility_violation(
    live_server, page, console_log
):
    from decimal import Decimal

    from django.utils import timezone

    from infrastructure.models import LatestValue
    from tests.infrastructure.factories import AssetFactory, DeviceFactory, MetricFactory
    from tests.infrastructure.project_factories import ProjectFactory, ReportFactory

    today = timezone.localdate()
    project = ProjectFactory(
        code="jalan-asia-afrika",
        planned_start=today - datetime.timedelta(days=90),
        planned_end=today + datetime.timedelta(days=90),
        actual_start=today - datetime.timedelta(days=85),
    )
    ReportFactory(
        project=project,
        period_end=today - datetime.timedelta(days=30),
        planned_physical=Decimal("40"),
        actual_physical=Decimal("20"),
    )
    asset = AssetFactory(name="Jembatan Pasupati", code="pasupati", condition=2)
    metric = MetricFactory(
        device=DeviceFactory(asset=asset, last_seen=timezone.now()),
        name="strain",
        unit="µε",
        expected_max=100,
    )
    LatestValue.objects.create(metric=metric, ts=timezone.now(), value=150)

    reports = []
    paths = ["/infrastruktur/", f"/infrastruktur/proyek/{project.code}/", "/infrastruktur/data/"]
    for path in paths:
        page.goto(live_server.url + path)
        if violations := _blocking_violations(page):
            reports.append(_report(path, violations))
    assert not reports, "\n".join(reports)
    assert not console_log.csp_violations(), "\n".join(console_log.csp_violations())
