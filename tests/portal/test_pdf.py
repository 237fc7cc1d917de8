"""portal.pdf is the one seam to WeasyPrint: PDFs with our own embedded Liberation fonts."""

from __future__ import annotations

import copy
import io
import re
import zlib
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from portal.pdf import _FONT_FACES, _font_css, render_pdf

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _embedded_font_families(pdf: bytes) -> set[str]:
    """Family names read from the embedded TrueType programs themselves.

    WeasyPrint names a font in the PDF after its CSS family ("Portal-Serif"), so the
    font's own name table is the only honest witness of which file was embedded.
    """
    families = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        if data.startswith(b"\x00\x01\x00\x00"):
            families.add(TTFont(io.BytesIO(data))["name"].getDebugName(1))
    return families


@pytest.fixture
def test_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = templates


def test_every_font_face_is_found_in_the_static_files():
    css = _font_css()

    assert css.count("@font-face") == len(_FONT_FACES)
    for _family, _style, _weight, path in _FONT_FACES:
        assert path.rsplit("/", 1)[-1] in css


def test_a_template_renders_to_a_pdf_with_the_liberation_fonts_embedded(test_templates):
    pdf = render_pdf("test_letter.html", {"name": "Siti Rahayu", "kelurahan": "Dago"})

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # The system's default serif here is DejaVu: only our @font-face rules give Liberation.
    assert _embedded_font_families(pdf) == {"Liberation Serif", "Liberation Sans"}


def test_a_pdf_is_rendered_without_a_context(test_templates):
    assert render_pdf("test_letter.html").startswith(b"%PDF-")


def test_a_pdf_never_fetches_from_the_network_or_outside_the_static_folders(settings, tmp_path):
    from portal.pdf import _LocalOnlyFetcher

    fetcher = _LocalOnlyFetcher(allowed_protocols={"file", "data"})
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    for url in ["http://127.0.0.1:9/x.png", f"file://{secret}", "file:///etc/passwd"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
