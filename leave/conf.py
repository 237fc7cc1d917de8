"""Settings of the leave app, with defaults (override in portal/settings.py)."""

from __future__ import annotations

from django.conf import settings


def evidence_max_bytes() -> int:
    return getattr(settings, "LEAVE_EVIDENCE_MAX_BYTES", 2 * 1024 * 1024)


def max_gps_accuracy_m() -> int:
    """A fix less precise than this is refused: it cannot place anyone inside a 100 m fence."""
    return getattr(settings, "LEAVE_MAX_GPS_ACCURACY_M", 150)


def late_grace_minutes() -> int:
    return getattr(settings, "LEAVE_LATE_GRACE_MINUTES", 0)


def evidence_root():
    """Where evidence (doctor's letters…) is kept: outside MEDIA_ROOT, never served directly."""
    return getattr(settings, "LEAVE_EVIDENCE_ROOT", None) or settings.VAR_DIR / "private" / "leave"
