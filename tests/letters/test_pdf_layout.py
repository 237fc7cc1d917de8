"""What a letter's PDF says and how it is laid out: kop, number block, Indonesian date, body,
signature block with NIP, QR code and verification footer; A4, one page for a normal letter,
clean page breaks for a long one. Read back with pypdf, as a reader's PDF viewer would."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader

from notifications.letters.models import Classification, IssuingUnit, Letter, SigningOfficial
from notifications.letters.pdf import STYLESHEET, letter_render_pdf, verification_url

A4_POINTS = (595, 842)


def _letter(
    *, kind: str = "notice", subject: str = "Pemberitahuan hasil verifikasi berkas", body: str
):
    """An unsaved letter: rendering needs no database."""
    unit = IssuingUnit(
        code="BKPSDM",
        name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        address="Jl. Merdeka No. 12, Sukamaju 40111",
        region_name="Pemerintah Kabupaten Sukamaju",
        contact="Telp. (022) 123456",
    )
    return Letter(
        kind=kind,
        unit=unit,
        classification=Classification(code="800.1.11.1", title="Cuti"),
        official=SigningOfficial(
            unit=unit, name="Drs. Ahmad Fauzi, M.Si.", nip="197104121996031002", position="Kepala"
        ),
        number="800.1.11.1/0042/BKPSDM/2026",
        sequence=42,
        year=2026,
        recipient_name="Siti Rahayu, S.Kom.",
        subject=subject,
        body=body,
        issued_at=datetime.datetime(2026, 7, 1, 2, 0, tzinfo=datetime.UTC),  # 09:00 WIB
        public_id="AbCdEfGhIjKlMnOpQrStUv",
    )


def _body(template: str, context: dict) -> str:
    with translation.override("id"):
        return render_to_string(template, context)


def _pages_text(pdf: bytes) -> list[str]:
    # Text in reading order (layout mode places it by position); runs of spaces squashed.
    return [
        re.sub(r"\s+", " ", page.extract_text(extraction_mode="layout"))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def _font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.fixture
def notice_pdf() -> bytes:
    body = _body("letters/bodies/notice.html", {"text": "Berkas Saudara telah lengkap."})
    return letter_render_pdf(_letter(body=body))


def test_a_notice_is_one_a4_page(notice_pdf):
    reader = PdfReader(io.BytesIO(notice_pdf))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS


def test_a_notice_has_the_kop_number_block_date_body_and_signature(notice_pdf):
    (text,) = _pages_text(notice_pdf)

    for expected in [
        "PEMERINTAH KABUPATEN SUKAMAJU",  # the kop is upper case whatever the admin typed
        "BADAN KEPEGAWAIAN DAN",
        "Jl. Merdeka No. 12, Sukamaju 40111",
        "Telp. (022) 123456",
        "1 Juli 2026",
        "Nomor",
        "800.1.11.1/0042/BKPSDM/2026",
        "Perihal",
        "Pemberitahuan hasil verifikasi berkas",
        "Yth. Siti Rahayu, S.Kom.",
        "Berkas Saudara telah lengkap.",
        "Ditandatangani secara elektronik",
        "Drs. Ahmad Fauzi, M.Si.",
        "NIP 197104121996031002",
        "Pindai untuk verifikasi",
        "Halaman 1 dari 1",
    ]:
        assert expected in text, expected
    assert verification_url("AbCdEfGhIjKlMnOpQrStUv") in text.replace(" ", "")


def test_a_letter_embeds_only_the_portal_fonts(notice_pdf):
    # No system font sneaks in (the kop logo's text included): it looks the same everywhere.
    assert _font_names(notice_pdf) <= {
        "Portal-Serif",
        "Portal-Serif-Bold",
        "Portal-Serif-Italic",
        "Portal-Sans",
        "Portal-Sans-Bold",
    }


def test_a_leave_decree_lists_the_employee_and_fits_one_page():
    body = _body(
        "leave/decree_body.html",
        {
            "employee_name": "Siti Rahayu, S.Kom.",
            "nip": "198801012010012001",
            "position": "Pranata Komputer Ahli Muda",
            "unit": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            "leave_type": "Cuti tahunan",
            "start_date": datetime.date(2026, 7, 6),
            "end_date": datetime.date(2026, 7, 8),
            "working_days": 3,
            "address_during_leave": "Jl. Kenanga No. 5, Bandung",
        },
    )
    pdf = letter_render_pdf(
        _letter(kind="leave_decree", subject="Surat Izin Cuti tahunan", body=body)
    )

    (text,) = _pages_text(pdf)
    assert "Surat Izin Cuti tahunan" in text
    # The decree's Nama/NIP block reads as label : value on one line each.
    assert re.search(r"Nama\s*:\s*Siti Rahayu", text)
    assert re.search(r"NIP\s*:\s*198801012010012001", text)
    assert "6 Juli 2026" in text and "8 Juli 2026" in text


def test_a_long_letter_breaks_into_numbered_pages_keeping_the_signature_whole():
    paragraph = "Berkas permohonan Saudara telah kami verifikasi sesuai ketentuan. " * 8
    body = _body(
        "letters/bodies/notice.html",
        {"text": "\n\n".join(f"Paragraf {n}. {paragraph}" for n in range(1, 15))},
    )
    pdf = letter_render_pdf(_letter(body=body))

    pages = _pages_text(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in text
    # A continuation page names its letter at the top; the first has the full number block.
    for text in pages[1:]:
        assert "Nomor 800.1.11.1/0042/BKPSDM/2026" in text
    last = pages[-1]
    assert "Drs. Ahmad Fauzi, M.Si." in last and "NIP 197104121996031002" in last
    assert "Pindai untuk verifikasi" in last
    assert not any("NIP 197104121996031002" in text for text in pages[:-1])


def test_the_letter_stylesheet_is_parsed_once_per_thread(monkeypatch):
    from portal import pdf

    body = _body("letters/bodies/notice.html", {"text": "Uji."})
    letter_render_pdf(_letter(body=body))
    renderer = pdf._renderer()
    sheet = renderer.stylesheet(STYLESHEET)

    parsed = []
    monkeypatch.setattr(pdf, "CSS", lambda **kwargs: parsed.append(kwargs))
    letter_render_pdf(_letter(body=body))

    assert parsed == []
    assert pdf._renderer() is renderer and renderer.stylesheet(STYLESHEET) is sheet


def test_rendering_is_the_same_on_a_fresh_renderer(monkeypatch):
    """Reusing fonts and stylesheets across letters changes nothing in what is drawn."""
    from portal import pdf

    body = _body("letters/bodies/notice.html", {"text": "Uji."})
    letter = _letter(body=body)
    reused = _pages_text(letter_render_pdf(letter))
    monkeypatch.setattr(pdf._local, "renderer", pdf._Renderer())
    fresh = _pages_text(letter_render_pdf(letter))

    assert reused == fresh
