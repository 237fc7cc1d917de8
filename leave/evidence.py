"""Checks on uploaded evidence (doctor's letters…): size, declared type and magic bytes.

The declared content type comes from the browser and proves nothing; `filetype` reads
the file's first bytes, so a renamed executable is refused too.
"""

from __future__ import annotations

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from leave import conf

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def evidence_validate(upload: UploadedFile) -> str:
    """Return the file's real content type, or raise ValidationError with a clear message."""
    limit = conf.evidence_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar: paling besar %(mb)s MB.")
            % {"name": upload.name, "mb": round(limit / (1024 * 1024), 1)},
            code="evidence_size",
        )
    if upload.size == 0:
        raise ValidationError(
            _("Berkas %(name)s kosong.") % {"name": upload.name}, code="evidence_empty"
        )
    upload.seek(0)
    head = upload.read(262)
    upload.seek(0)
    kind = filetype.guess(head)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if kind is None or kind.mime not in ALLOWED or declared not in ALLOWED:
        raise ValidationError(
            _("Berkas %(name)s harus PDF, JPEG atau PNG.") % {"name": upload.name},
            code="evidence_type",
        )
    return kind.mime
