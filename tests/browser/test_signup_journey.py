"""A citizen signs up, confirms their email, signs in and fills in their profile."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from portal.models import CitizenProfile, Region, User

pytestmark = pytest.mark.browser

EMAIL = "siti.rahma@example.com"
PASSWORD = "Bandung-Juara-2024"
NIK = "3273014105900001"  # Kota Bandung, woman (day 41 = 1 + 40) born 1 May 1990
NIK_MASKED = "3273********0001"
CONFIRM_LINK = re.compile(r"https?://[^\s<>\"]+/akun/confirm-email/[^\s<>\"/]+/")


def _kelurahan_dago() -> Region:
    # Migration 0002 loads the regions, but the transactional db the live server
    # needs empties every table after each test: make sure the one we pick exists.
    provinsi, _ = Region.objects.get_or_create(
        code="32", defaults={"name": "Jawa Barat", "level": Region.Level.PROVINSI}
    )
    kota, _ = Region.objects.get_or_create(
        code="32.73",
        defaults={"name": "Kota Bandung", "level": Region.Level.KABUPATEN, "parent": provinsi},
    )
    kecamatan, _ = Region.objects.get_or_create(
        code="32.73.02",
        defaults={"name": "Coblong", "level": Region.Level.KECAMATAN, "parent": kota},
    )
    kelurahan, _ = Region.objects.get_or_create(
        code="32.73.02.1003",
        defaults={"name": "Dago", "level": Region.Level.KELURAHAN, "parent": kecamatan},
    )
    return kelurahan


def _open_header_menu(page: Page) -> None:
    """On narrow screens the header menu is a closed <details>: open it as a person would."""
    summary = page.locator("details.menu > summary")
    if summary.is_visible() and page.locator("details.menu[open]").count() == 0:
        summary.click()


def test_citizen_signs_up_confirms_email_and_completes_profile(live_server, page, console_log):
    kelurahan = _kelurahan_dago()

    page.goto(live_server.url + "/")
    _open_header_menu(page)
    page.get_by_role("link", name="Daftar", exact=True).click()
    expect(page).to_have_url(re.compile(r"/akun/signup/$"))

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(re.compile(r"^Kata sandi:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Kata sandi \(lagi\)")).fill(PASSWORD)
    page.get_by_role("button", name="Daftar").click()

    expect(page).to_have_url(re.compile(r"/akun/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verifikasi")
    assert User.objects.filter(email=EMAIL, is_active=True).exists()

    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.subject.startswith("[Portal Layanan Publik] ")
    found = CONFIRM_LINK.search(message.body)
    assert found, f"no confirmation link in the mail:\n{message.body}"
    assert found.group(0).startswith(live_server.url)

    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: opening the link only asks; the button confirms.
    page.goto(found.group(0))
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page).to_have_url(re.compile(r"/akun/login/$"))

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(re.compile(r"^Kata sandi:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server.url + "/dasbor/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selamat datang")

    page.get_by_role("link", name="Lengkapi profil").click()
    expect(page).to_have_url(live_server.url + "/profil/ubah/")

    page.get_by_label("Nama lengkap").fill("Siti Rahmawati")
    page.get_by_label(re.compile(r"^NIK\b")).fill(NIK[:-1])  # 15 digits
    page.get_by_label("Tanggal lahir").fill("1990-05-01")
    page.get_by_label("Kelurahan/desa").select_option(label="Dago — Coblong")
    page.get_by_role("button", name="Simpan").click()

    expect(page).to_have_url(live_server.url + "/profil/ubah/")
    expect(page.get_by_text("NIK harus terdiri dari 16 angka.")).to_be_visible()
    assert not CitizenProfile.objects.exists()

    # The NIK field never echoes what was typed back; the other fields keep their values.
    expect(page.get_by_label("Nama lengkap")).to_have_value("Siti Rahmawati")
    page.get_by_label(re.compile(r"^NIK\b")).fill(NIK)
    page.get_by_role("button", name="Simpan").click()

    expect(page).to_have_url(live_server.url + "/profil/")
    expect(page.get_by_test_id("nik")).to_have_text(NIK_MASKED)
    content = page.content()
    assert NIK_MASKED in content
    assert NIK not in content
    assert "Dago" in content

    profile = CitizenProfile.objects.get(user__email=EMAIL)
    assert profile.nik == NIK
    assert profile.kelurahan == kelurahan

    assert not console_log.csp_violations(), "\n".join(console_log.csp_violations())
