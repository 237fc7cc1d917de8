"""Private storage for leave evidence: medical letters are health data, so they live
outside MEDIA_ROOT (which DEBUG serves at /media/) and are only sent by the
permission-checked download view."""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage

from leave import conf


class EvidenceStorage(FileSystemStorage):
    # The location is read on every use, so a settings override (tests) applies.
    @property
    def base_location(self):
        return str(conf.evidence_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def evidence_storage() -> EvidenceStorage:
    return EvidenceStorage()
