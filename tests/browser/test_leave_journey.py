"""An employee applies for leave, the superior recommends, the PYBMC approves; and a
check-in from the browser sends the device's location (static/js/leave.js)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from leave.models import AttendanceRecord, LeaveLedgerEntry, LeaveRequest, UnitAuthority
from tests.leave.factories import (
    EmployeeFactory,
    LedgerFactory,
    OrgUnitFactory,
    WorkLocationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _wednesday_morning():
    # Wednesday 1 July 2026, 09:00 WIB; the clock keeps ticking for the live server.
    with time_machine.travel(datetime.datetime(2026, 7, 1, 2, 0, tzinfo=datetime.UTC), tick=True):
        yield


@pytest.fixture
def people():
    for name in ("pegawai", "atasan"):
        Group.objects.get_or_create(name=name)
    unit = OrgUnitFactory(code="BKPSDM", name="BKPSDM")
    pybmc = EmployeeFactory(unit=unit, full_name="Pejabat PYBMC", user__roles=["pegawai", "atasan"])
    head = EmployeeFactory(
        unit=unit, superior=pybmc, full_name="Kepala Bidang", user__roles=["pegawai", "atasan"]
    )
    staff = EmployeeFactory(unit=unit, superior=head, full_name="Siti Pegawai", female=True)
    UnitAuthority.objects.create(unit=unit, official=pybmc)
    LedgerFactory(employee=staff, year=2026)
    return staff, head, pybmc


def _sign_in(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_employee_applies_superior_recommends_and_pybmc_approves(
    page: Page, live_server, people, console_log
):
    staff, head, pybmc = people
    _sign_in(page, live_server, staff.user)
    page.goto(live_server.url + "/cuti/ajukan/")
    page.locator("#id_leave_type").select_option("tahunan")
    page.locator("#id_start_date").fill("2026-07-06")
    page.locator("#id_end_date").fill("2026-07-08")
    page.locator("#id_reason").fill("Acara keluarga")
    # The preview arrives through htmx while the form is being filled.
    expect(page.locator("#preview")).to_contain_text("3 hari kerja")
    expect(page.locator("#preview")).to_contain_text("sisa setelah cuti ini 9")
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page.get_by_text("Menunggu pertimbangan atasan")).to_be_visible()

    _sign_in(page, live_server, head.user)
    page.goto(live_server.url + "/cuti/persetujuan/")
    expect(page.get_by_text("Siti Pegawai — Cuti tahunan")).to_be_visible()
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Keputusan dicatat.")).to_be_visible()

    _sign_in(page, live_server, pybmc.user)
    page.goto(live_server.url + "/cuti/persetujuan/")
    page.get_by_role("button", name="Setujui").click()
    expect(page.get_by_text("Keputusan dicatat.")).to_be_visible()

    request = LeaveRequest.objects.get()
    _sign_in(page, live_server, staff.user)
    page.goto(live_server.url + f"/cuti/permohonan/{request.pk}/")
    expect(page.locator("dl").get_by_text("Disetujui", exact=True)).to_be_visible()
    page.goto(live_server.url + "/cuti/")
    expect(page.locator(".leave-big")).to_contain_text("9 hari kerja")
    assert LeaveLedgerEntry.objects.filter(leave_request=request).count() == 1
    assert console_log.csp_violations() == []


def test_check_in_sends_the_devices_location(browser: Browser, live_server, people, console_log):
    staff, _head, _pybmc = people
    WorkLocationFactory().employees.add(staff)
    context = browser.new_context(
        locale="id-ID",
        geolocation={"latitude": -6.9117, "longitude": 107.6094, "accuracy": 15},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.on("console", console_log.record)
    _sign_in(page, live_server, staff.user)
    page.goto(live_server.url + "/cuti/presensi/")
    page.get_by_role("button", name="Presensi masuk").click()
    expect(page.get_by_text("Presensi tercatat")).to_be_visible()
    record = AttendanceRecord.objects.get()
    assert record.mode == "onsite" and record.distance_m < 30
    assert console_log.csp_violations() == []
    context.close()
