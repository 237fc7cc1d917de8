"""One check for every uploaded file: size, allowed kinds, real content, honest name.

A browser's declared content type and a file's name are whatever the uploader says, so
the content decides: `filetype` reads the first bytes (magic numbers) and the file is
accepted only when that real kind is allowed, the name's extension belongs to the same
kind, and a declared content type (when the caller checks it) does not contradict it.
A renamed executable (`laporan.pdf` starting with `MZ`) is refused, and so is a PDF
sent as `image/png`.

Office documents are ZIP archives: `filetype` names the exact format when the archive
lists its identifying entry first, as Office and LibreOffice write them; an archive it
can only call ZIP is accepted for a zipped-document extension, since a plain ZIP
renamed to .docx carries nothing executable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

# Enough for filetype's ZIP-based document matchers (they look into the first 6,000 bytes).
_HEAD_BYTES = 8192
_ZIP = "application/zip"
# What a browser or HTTP client sends when it does not know the type: no claim at all.
_NO_CLAIM = {"", "application/octet-stream", "binary/octet-stream"}


@dataclass(frozen=True)
class Kind:
    label: str
    mime: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other declared types browsers use for it
    zipped: bool = False


KINDS: dict[str, Kind] = {
    "pdf": Kind("PDF", "application/pdf", ("pdf",), ("application/x-pdf",)),
    "jpeg": Kind("JPEG", "image/jpeg", ("jpg", "jpeg"), ("image/jpg", "image/pjpeg")),
    "png": Kind("PNG", "image/png", ("png",)),
    "docx": Kind(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        zipped=True,
    ),
    "xlsx": Kind(
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        zipped=True,
    ),
    "pptx": Kind(
        "PPTX",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        zipped=True,
    ),
    "odt": Kind("ODT", "application/vnd.oasis.opendocument.text", ("odt",), zipped=True),
    "ods": Kind("ODS", "application/vnd.oasis.opendocument.spreadsheet", ("ods",), zipped=True),
    "odp": Kind("ODP", "application/vnd.oasis.opendocument.presentation", ("odp",), zipped=True),
}


def _types_text(kinds: list[Kind]) -> str:
    return str(get_text_list([kind.label for kind in kinds], _("atau")))


def _head(upload: Any) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(position)
    return bytes(head or b"")


def upload_validate(
    upload: Any,
    *,
    kinds: tuple[str, ...],
    max_bytes: int,
    check_declared_type: bool = True,
) -> str:
    """Check an uploaded file; return its real content type or raise ValidationError.

    `kinds` are keys of KINDS. `check_declared_type` also compares the content type the
    browser declared (when the upload carries one); model-field validators see stored
    files without one and leave it to the content.
    """
    allowed = [KINDS[name] for name in kinds]
    types = _types_text(allowed)
    name = getattr(upload, "name", "") or ""
    display_name = name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    by_extension = next((kind for kind in allowed if extension in kind.extensions), None)
    if by_extension is None:
        raise ValidationError(
            _("Jenis berkas tidak diizinkan: %(name)s harus %(types)s.")
            % {"name": display_name, "types": types},
            code="file_type",
        )
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar: paling besar %(size)s.")
            % {"name": display_name, "size": filesizeformat(max_bytes)},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(
            _("Berkas %(name)s kosong.") % {"name": display_name}, code="file_empty"
        )
    guessed = filetype.guess(_head(upload))
    real = guessed.mime if guessed is not None else ""
    matches = real == by_extension.mime or (by_extension.zipped and real == _ZIP)
    declared = (getattr(upload, "content_type", None) or "").split(";")[0].strip().lower()
    if (
        matches
        and check_declared_type
        and declared not in _NO_CLAIM
        and declared not in {by_extension.mime, *by_extension.aliases}
    ):
        matches = False
    if not matches:
        raise ValidationError(
            _("Isi berkas tidak sesuai dengan jenisnya: %(name)s harus %(types)s.")
            % {"name": display_name, "types": types},
            code="file_content",
        )
    return by_extension.mime
