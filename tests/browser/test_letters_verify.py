"""Anyone scans a letter's QR code, sees it on the public page and checks a PDF copy: 'Asli'."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from notifications.letters import keys, log
from notifications.letters.services import letter_issue
from tests.factories import UserFactory
from tests.letters.factories import (
    ClassificationFactory,
    IssuingUnitFactory,
    SigningOfficialFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def letter_settings(settings, tmp_path, live_server):
    paths = keys.KeyPaths(*(tmp_path / name for name in ("ca", "ca.crt", "s", "s.crt", "log")))
    keys.create_keys(paths)
    settings.LETTER_CA_KEY, settings.LETTER_CA_CERT = str(paths.ca_key), str(paths.ca_cert)
    settings.LETTER_SIGNING_KEY = str(paths.signing_key)
    settings.LETTER_SIGNING_CERT = str(paths.signing_cert)
    settings.LETTER_TLOG_KEY = str(paths.tlog_key)
    settings.LETTER_PDF_DIR = str(tmp_path / "pdf")
    settings.SITE_URL = live_server.url


def test_visitor_opens_the_qr_url_and_verifies_an_uploaded_copy(
    live_server, page: Page, console_log, letter_settings, tmp_path
):
    unit = IssuingUnitFactory()
    issuer = UserFactory(email="tu@example.go.id", roles=["pegawai"])
    letter = letter_issue(
        kind="notice",
        unit=unit,
        classification=ClassificationFactory(),
        official=SigningOfficialFactory(unit=unit),
        recipient_name="Siti Rahma",
        subject="Pemberitahuan",
        body_template="letters/bodies/notice.html",
        context={"text": "Berkas Saudara lengkap."},
        issued_by=issuer,
    )
    log.checkpoint_create()
    copy = tmp_path / "salinan.pdf"
    with letter.pdf.open("rb") as handle:
        copy.write_bytes(handle.read())

    page.goto(f"{live_server.url}/verifikasi/{letter.public_id}/")
    expect(page.get_by_role("heading", name="Surat terdaftar dan berlaku")).to_be_visible()
    expect(page.get_by_text(letter.number, exact=True)).to_be_visible()
    expect(page.get_by_text("Terverifikasi")).to_be_visible()
    expect(page.get_by_text("Siti Rahma")).to_have_count(0)

    page.get_by_role("link", name="Cek keaslian surat").first.click()
    page.get_by_label("Berkas surat (PDF)").set_input_files(str(copy))
    page.get_by_role("button", name="Periksa").click()
    expect(page.locator(".verdict-answer")).to_have_text("Asli")
    assert console_log.csp_violations() == []
