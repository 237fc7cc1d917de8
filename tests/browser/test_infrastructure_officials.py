"""A public-works official signs in with password and TOTP, files a project and two
progress reports, sees the S-curve and the delay flag on the public page, records an
inspection that moves an asset up the maintenance priority list and downloads it."""

from __future__ import annotations

import csv
import datetime
import io
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.utils import timezone
from playwright.sync_api import Page, expect

from infrastructure.models import Asset, Project
from portal.models import Employee
from tests.factories import PASSWORD, UserFactory
from tests.infrastructure.factories import AssetFactory
from tests.infrastructure.project_factories import UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def official_with_totp():
    unit = UnitFactory(code="PUPR", name="Dinas PUPR")
    user = UserFactory(email="kabid.jalan@example.go.id", roles=["pegawai", "pejabat"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    Employee.objects.create(
        user=user,
        nip="198503122010011001",
        full_name="Kabid Jalan",
        kind=Employee.Kind.PNS,
        unit=unit,
        position="Kepala Bidang Jalan dan Jembatan",
        service_start=datetime.date(2010, 1, 1),
    )
    return user, secret, unit


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in_with_totp(page: Page, base: str, email: str, secret: str) -> None:
    page.goto(base + "/akun/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Kata sandi:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    # Staff accounts have TOTP: allauth asks for the second factor.
    page.locator("input[name=code]").fill(_totp_code(secret))
    page.locator("form[action$='/akun/2fa/authenticate/'] button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/dasbor/$"))


def _fill_report(page: Page, period_end, planned, actual, planned_fin, actual_fin) -> None:
    page.get_by_label("Akhir periode").fill(period_end.isoformat())
    page.get_by_label("Rencana fisik (%)").fill(planned)
    page.get_by_label("Realisasi fisik (%)").fill(actual)
    page.get_by_label("Rencana keuangan (%)").fill(planned_fin)
    page.get_by_label("Realisasi keuangan (%)").fill(actual_fin)
    page.get_by_role("button", name="Simpan laporan").click()
    expect(page.get_by_text("Laporan kemajuan disimpan.")).to_be_visible()


def test_an_official_reports_progress_and_plans_maintenance(
    page: Page, live_server, official_with_totp, console_log, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    user, secret, unit = official_with_totp
    base = live_server.url
    today = timezone.localdate()
    _sign_in_with_totp(page, base, user.email, secret)

    # A new project of the official's unit.
    page.goto(base + "/infrastruktur/kelola/proyek/baru/")
    page.get_by_label("Kode").fill("jembatan-cikapundung")
    page.get_by_label("Nama proyek").fill("Rehabilitasi Jembatan Cikapundung")
    page.get_by_label("Jenis proyek").select_option("rehabilitation")
    page.get_by_label("Tahap").select_option("implementation")
    page.get_by_label("Instansi pelaksana").select_option(str(unit.pk))
    page.get_by_label("Lintang").fill("-6.9")
    page.get_by_label("Bujur").fill("107.61")
    page.get_by_label("Pagu anggaran (Rp)").fill("2500000000")
    page.get_by_label("Nilai kontrak (Rp)").fill("2000000000")
    page.get_by_label("Rencana mulai").fill((today - datetime.timedelta(days=120)).isoformat())
    page.get_by_label("Rencana selesai").fill((today + datetime.timedelta(days=120)).isoformat())
    page.get_by_label("Mulai sebenarnya").fill((today - datetime.timedelta(days=110)).isoformat())
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_text("Proyek disimpan.")).to_be_visible()
    assert Project.objects.get(code="jembatan-cikapundung").agency == unit

    # Two periods: on plan, then far behind it.
    _fill_report(page, today - datetime.timedelta(days=60), "20", "19", "15", "14")
    _fill_report(page, today - datetime.timedelta(days=5), "55", "30", "45", "25")

    page.get_by_role("link", name="Lihat halaman publik").click()
    expect(page.get_by_role("heading", name="Rehabilitasi Jembatan Cikapundung")).to_be_visible()
    expect(page.locator("svg polyline.infra-planned")).to_have_count(1)
    expect(page.locator("svg polyline.infra-actual")).to_have_count(1)
    expect(page.locator(".infra-flag.infra-late")).to_have_text("TERLAMBAT")
    planned = page.locator("svg polyline.infra-planned").get_attribute("points")
    assert len(planned.split()) == 3  # start, then the two reported periods
    # The dashboard lists it as late too.
    page.goto(base + "/infrastruktur/")
    expect(page.locator("#proyek-jembatan-cikapundung")).to_have_class(
        re.compile("infra-project-late")
    )

    # Maintenance priority: a bridge in poor shape leads, until an inspection finds
    # the other one worse.
    worse_now = AssetFactory(
        name="Jembatan Pasupati Timur",
        code="pasupati-timur",
        agency=unit,
        condition=1,
        condition_assessed_on=today - datetime.timedelta(days=200),
    )
    AssetFactory(
        name="Jembatan Leuwigajah",
        code="leuwigajah",
        agency=unit,
        condition=2,
        condition_assessed_on=today - datetime.timedelta(days=200),
    )
    page.goto(base + "/infrastruktur/kelola/prioritas/")
    first_row = page.locator("table.infra-table tbody tr").first
    expect(first_row).to_contain_text("Jembatan Leuwigajah")

    page.goto(base + "/infrastruktur/kelola/aset/pasupati-timur/inspeksi/")
    page.get_by_label("Tanggal inspeksi").fill(today.isoformat())
    page.get_by_label("Nilai kondisi").fill("4.5")
    page.get_by_label("Temuan").fill("Retak geser pada gelagar utama; tulangan terlihat.")
    page.get_by_role("button", name="Simpan inspeksi").click()
    expect(page.get_by_text("Inspeksi dicatat; kondisi aset diperbarui.")).to_be_visible()
    worse_now.refresh_from_db()
    assert worse_now.condition == 4.5

    page.goto(base + "/infrastruktur/kelola/prioritas/")
    expect(page.locator("table.infra-table tbody tr").first).to_contain_text(
        "Jembatan Pasupati Timur"
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh CSV untuk penyusunan anggaran").click()
    download = download_info.value
    assert download.suggested_filename.startswith("prioritas-pemeliharaan-")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["code"] for row in rows][:2] == ["pasupati-timur", "leuwigajah"]
    assert rows[0]["rank"] == "1"
    assert Asset.objects.get(code="pasupati-timur").condition == 4.5

    assert not console_log.csp_violations(), "\n".join(console_log.csp_violations())
