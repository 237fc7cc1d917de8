"""Checks on uploaded evidence (doctor's letters…): the portal's upload check, leave's limits.

portal.uploads reads the file's first bytes, so a renamed executable is refused too.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from leave import conf
from portal.uploads import upload_validate

KINDS = ("pdf", "jpeg", "png")


def evidence_validate(upload: UploadedFile) -> str:
    """Return the file's real content type, or raise ValidationError with a clear message."""
    return upload_validate(upload, kinds=KINDS, max_bytes=conf.evidence_max_bytes())
