"""Checks on uploaded project documents and photos: the portal's one upload check
(portal/uploads.py: size, real content by magic bytes, extension and declared type)
with this app's kinds and size limit."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from infrastructure import conf
from portal import uploads

DOCUMENT_TYPES = ("pdf", "jpeg", "png")
PHOTO_TYPES = ("jpeg", "png")


def upload_validate(upload: UploadedFile, *, allowed: tuple[str, ...]) -> str:
    """Return the file's real content type, or raise ValidationError with a clear message."""
    return uploads.upload_validate(upload, kinds=allowed, max_bytes=conf.upload_max_bytes())


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
