"""A letter as an A4 PDF: kop surat, number, Indonesian date, body, signature block, QR code."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from portal.pdf import render_pdf

TEMPLATE = "letters/pdf/letter.html"
STYLESHEET = "letters/letter.css"


def verification_url(public_id: str) -> str:
    return settings.SITE_URL + reverse("letters:verify_letter", args=[public_id])


def date_in_indonesian(value) -> str:
    """'27 November 2026': Django's date format with the Indonesian month names."""
    with translation.override("id"):
        return formats.date_format(timezone.localtime(value).date(), "j F Y")


def qr_data_uri(url: str) -> str:
    # Vector, not a bitmap: a PNG code (cheaper to embed) stopped decoding from 100-dpi
    # renderings of the page, where the SVG one still decodes at 72 dpi.
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def letter_pdf_context(letter) -> dict[str, Any]:
    url = verification_url(letter.public_id)
    return {
        "letter": letter,
        "unit": letter.unit,
        "official": letter.official,
        "date_text": date_in_indonesian(letter.issued_at),
        "verify_url": url,
        "qr": qr_data_uri(url),
    }


def letter_render_pdf(letter) -> bytes:
    with translation.override("id"):
        return render_pdf(TEMPLATE, letter_pdf_context(letter), stylesheets=[STYLESHEET])
