"""Settings of e-Surat, with defaults that work in the embedded mode and in tests.

Read through these functions (not at import time) so tests can override settings.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings


def _var_path(name: str, default: str) -> Path:
    value = getattr(settings, name, None)
    return Path(value) if value else Path(settings.VAR_DIR) / default


def signing_key_path() -> Path:
    """PEM private key of the signing official's certificate (PAdES)."""
    return _var_path("LETTER_SIGNING_KEY", "keys/letter-signing.key.pem")


def signing_cert_path() -> Path:
    return _var_path("LETTER_SIGNING_CERT", "keys/letter-signing.cert.pem")


def ca_cert_path() -> Path:
    """The CA whose certificates the portal trusts when it checks a letter's signature."""
    return _var_path("LETTER_CA_CERT", "keys/letter-ca.cert.pem")


def ca_key_path() -> Path:
    return _var_path("LETTER_CA_KEY", "keys/letter-ca.key.pem")


def tlog_key_path() -> Path:
    """Ed25519 private key that signs the transparency log's checkpoints."""
    return _var_path("LETTER_TLOG_KEY", "keys/tlog-ed25519.key.pem")


def tlog_origin() -> str:
    """The log's name in its checkpoints (C2SP tlog-checkpoint 'origin')."""
    default = f"{urlsplit(settings.SITE_URL).netloc or 'portal.local'}/esurat/log"
    return getattr(settings, "LETTER_TLOG_ORIGIN", default)


def pdf_dir() -> Path:
    """Where letter PDFs are stored: outside MEDIA_ROOT, so no static server can hand them out."""
    return _var_path("LETTER_PDF_DIR", "private/letters")


def upload_max_bytes() -> int:
    return int(getattr(settings, "LETTER_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
