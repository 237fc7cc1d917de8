"""The one upload check every app uses: size, kind, real content and an honest name."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.uploads import upload_validate

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300
EVIDENCE = ("pdf", "jpeg", "png")


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _check(name: str, data: bytes, content_type: str = "application/pdf", **options) -> str:
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return upload_validate(
        upload,
        kinds=options.pop("kinds", EVIDENCE),
        max_bytes=options.pop("max_bytes", 1000),
        **options,
    )


def test_a_real_pdf_passes_and_its_content_type_is_returned():
    assert _check("surat.pdf", PDF) == "application/pdf"
    assert _check("foto.PNG", PNG, content_type="image/png") == "image/png"


def test_the_file_is_left_at_its_start_for_the_caller():
    upload = SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf")
    upload_validate(upload, kinds=EVIDENCE, max_bytes=1000)
    assert upload.read() == PDF


def test_an_oversized_file_is_refused_with_the_limit_in_the_message():
    with pytest.raises(ValidationError, match="terlalu besar: paling besar 1000") as error:
        _check("besar.pdf", PDF + b"0" * 1000)
    assert error.value.code == "file_size"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="kosong") as error:
        _check("kosong.pdf", b"")
    assert error.value.code == "file_empty"


def test_a_kind_that_is_not_allowed_is_refused_by_its_name():
    with pytest.raises(
        ValidationError, match=r"tidak diizinkan: modul\.exe harus PDF, JPEG atau PNG"
    ):
        _check("modul.exe", EXE, content_type="application/x-msdownload")
    with pytest.raises(ValidationError, match="tidak diizinkan"):
        _check("tanpa-ekstensi", PDF)


def test_an_executable_renamed_to_pdf_is_refused():
    with pytest.raises(ValidationError, match="Isi berkas tidak sesuai") as error:
        _check("laporan.pdf", EXE)
    assert error.value.code == "file_content"


def test_the_extension_must_agree_with_the_content():
    # A real PNG under a .pdf name: an allowed kind, but not the one the name claims.
    with pytest.raises(ValidationError, match="tidak sesuai"):
        _check("foto.pdf", PNG)


def test_a_declared_type_that_contradicts_the_content_is_refused():
    with pytest.raises(ValidationError, match="tidak sesuai"):
        _check("surat.pdf", PDF, content_type="image/png")
    # Unless the caller leaves the claim aside (stored files carry none).
    assert _check("surat.pdf", PDF, content_type="image/png", check_declared_type=False)


def test_no_claim_or_a_known_alias_is_accepted():
    assert _check("surat.pdf", PDF, content_type="application/octet-stream")
    assert _check("surat.pdf", PDF, content_type="application/x-pdf")


def test_office_documents_are_recognised_inside_their_zip():
    docx = _docx()
    kinds = ("docx",)
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert _check("modul.docx", docx, content_type=mime, kinds=kinds, max_bytes=10_000) == mime
    with pytest.raises(ValidationError, match="tidak sesuai"):
        _check("modul.docx", EXE, content_type=mime, kinds=kinds, max_bytes=10_000)
