"""An employee applies for leave, the superior recommends, the PYBMC approves and the
employee downloads the signed leave decree, which checks out as authentic; and a check-in
from the browser sends the device's location (static/js/leave.js)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from leave.models import AttendanceRecord, LeaveLedgerEntry, LeaveRequest, UnitAuthority
from notifications.letters import keys
from notifications.letters.models import Classification, IssuingUnit, SigningOfficial
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


@pytest.fixture
def decree_signing(settings, tmp_path, live_server, people):
    """e-Surat ready to issue the unit's leave decrees, signed by the PYBMC."""
    _staff, _head, pybmc = people
    paths = keys.KeyPaths(*(tmp_path / name for name in ("ca", "ca.crt", "s", "s.crt", "log")))
    keys.create_keys(paths)
    settings.LETTER_CA_KEY, settings.LETTER_CA_CERT = str(paths.ca_key), str(paths.ca_cert)
    settings.LETTER_SIGNING_KEY = str(paths.signing_key)
    settings.LETTER_SIGNING_CERT = str(paths.signing_cert)
    settings.LETTER_TLOG_KEY = str(paths.tlog_key)
    settings.LETTER_PDF_DIR = str(tmp_path / "pdf")
    settings.SITE_URL = live_server.url
    unit = IssuingUnit.objects.create(
        code="BKPSDM",
        name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        address="Jl. Merdeka No. 12, Sukamaju",
        region_name="PEMERINTAH KABUPATEN SUKAMAJU",
    )
    Classification.objects.get_or_create(code="800.1.11.1", defaults={"title": "Cuti"})
    SigningOfficial.objects.create(
        unit=unit,
        user=pybmc.user,
        name="Pejabat PYBMC",
        nip="197104121996031002",
        position="Kepala",
    )


def _sign_in(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_employee_applies_superior_recommends_pybmc_approves_and_decree_is_authentic(
    page: Page, live_server, people, decree_signing, console_log, tmp_path
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

    # The decree: listed among the employee's letters, downloaded as a signed PDF…
    assert request.decree_reference.startswith("800.1.11.1/0001/BKPSDM/")
    page.goto(live_server.url + "/surat/")
    decree = page.locator(".letter").filter(has_text=request.decree_reference)
    expect(decree).to_contain_text("Surat Izin Cuti tahunan")
    pdf_url = decree.get_by_role("link", name="Buka PDF").get_attribute("href")
    response = page.request.get(live_server.url + pdf_url)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    copy = tmp_path / "surat-izin-cuti.pdf"
    copy.write_bytes(response.body())
    # …whose public page shows it registered and valid, and whose copy checks out as authentic.
    decree.get_by_role("link", name="Halaman verifikasi").click()
    expect(page.get_by_role("heading", name="Surat terdaftar dan berlaku")).to_be_visible()
    expect(page.get_by_text(request.decree_reference, exact=True)).to_be_visible()
    page.goto(live_server.url + "/verifikasi/")
    page.get_by_label("Berkas surat (PDF)").set_input_files(str(copy))
    page.get_by_role("button", name="Periksa").click()
    expect(page.locator(".verdict-answer")).to_have_text("Asli")
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
