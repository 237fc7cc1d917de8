"""Checks on uploaded project documents and photos: size, declared type and magic bytes.

As in leave/evidence.py: the browser's content type proves nothing, so `filetype`
reads the first bytes and a renamed executable or script is refused.
"""

from __future__ import annotations

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from infrastructure import conf

DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png"}
PHOTO_TYPES = {"image/jpeg", "image/png"}


def upload_validate(upload: UploadedFile, *, allowed: set[str]) -> str:
    """Return the file's real content type, or raise ValidationError with a clear message."""
    limit = conf.upload_max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("Berkas %(name)s terlalu besar: paling besar %(mb)s MB.")
            % {"name": upload.name, "mb": round(limit / (1024 * 1024), 1)},
            code="upload_size",
        )
    if upload.size == 0:
        raise ValidationError(_("Berkas %(name)s kosong.") % {"name": upload.name}, code="empty")
    upload.seek(0)
    head = upload.read(262)
    upload.seek(0)
    kind = filetype.guess(head)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if kind is None or kind.mime not in allowed or declared not in allowed:
        names = ", ".join(sorted(mime.split("/")[1].upper() for mime in allowed))
        raise ValidationError(
            _("Berkas %(name)s harus berjenis %(types)s.") % {"name": upload.name, "types": names},
            code="upload_type",
        )
    return kind.mime


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple> (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
