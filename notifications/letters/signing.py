"""The letter signer seam: a PAdES signature (pyhanko) over the rendered PDF.

`LocalPadesSigner` signs with a key and certificate from files (the local test CA of
`manage.py letters_init_ca`); a certified provider's signer (BSrE TTE) would implement
the same `Signer` protocol and be chosen with the LETTER_SIGNER setting.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from notifications.letters import conf

logger = logging.getLogger(__name__)


def _outside_event_loop[T](function: Callable[[], T]) -> T:
    """pyhanko runs asyncio.run() inside: from a thread with a running loop, use another thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


class Signer(Protocol):
    def sign(self, pdf_bytes: bytes) -> bytes:
        """Return the PDF with a signature added (an incremental update)."""
        ...


class LocalPadesSigner:
    """PAdES B-B signature with a key + certificate from files (PEM)."""

    # Room for the CMS container: a fixed size spares pyhanko a trial signature per letter.
    BYTES_RESERVED = 16384

    def __init__(self, key_path: Path, cert_path: Path, ca_path: Path | None = None) -> None:
        if not key_path.exists() or not cert_path.exists():
            raise FileNotFoundError(
                f"Letter signing key {key_path} or certificate {cert_path} is missing: "
                "run `manage.py letters_init_ca`."
            )
        chain = [str(ca_path)] if ca_path and ca_path.exists() else None
        self._signer = signers.SimpleSigner.load(
            str(key_path), str(cert_path), ca_chain_files=chain
        )
        self._meta = signers.PdfSignatureMetadata(
            field_name="TTE",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="Tanda tangan elektronik e-Surat",
            location="Portal Layanan Publik",
        )

    def sign(self, pdf_bytes: bytes) -> bytes:
        def sign() -> bytes:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
            output = signers.sign_pdf(
                writer, self._meta, signer=self._signer, bytes_reserved=self.BYTES_RESERVED
            )
            return output.getvalue()

        return _outside_event_loop(sign)


@functools.cache
def _cached_signer(dotted: str, key: str, cert: str, ca: str, mtime: float) -> Signer:
    cls = import_string(dotted)
    return cls(Path(key), Path(cert), Path(ca))


def get_signer() -> Signer:
    """The configured signer, reloaded when its key file changes (letters_init_ca --force)."""
    dotted = getattr(settings, "LETTER_SIGNER", "notifications.letters.signing.LocalPadesSigner")
    key, cert, ca = conf.signing_key_path(), conf.signing_cert_path(), conf.ca_cert_path()
    mtime = key.stat().st_mtime if key.exists() else 0.0
    return _cached_signer(dotted, str(key), str(cert), str(ca), mtime)


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    detail: str
    signer: str = ""
    signed_at: str = ""


@functools.cache
def _trust_roots(path: str, mtime: float) -> tuple:
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    roots = []
    for _type, _headers, der in pem.unarmor(data, multiple=True):
        roots.append(x509.Certificate.load(der))
    return tuple(roots)


def trusted_roots(ca_path: Path | None = None) -> tuple:
    path = ca_path or conf.ca_cert_path()
    if not path.exists():
        return ()
    return _trust_roots(str(path), path.stat().st_mtime)


def check_signature(pdf_bytes: bytes, *, ca_path: Path | None = None) -> SignatureCheck:
    """Is there exactly one signature, intact, covering the whole file, by a trusted certificate?"""
    return _outside_event_loop(lambda: _check_signature(pdf_bytes, ca_path))


def _check_signature(pdf_bytes: bytes, ca_path: Path | None) -> SignatureCheck:
    roots = trusted_roots(ca_path)
    if not roots:
        return SignatureCheck(False, "no trusted CA configured")
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = reader.embedded_signatures
        if len(embedded) != 1:
            return SignatureCheck(False, f"{len(embedded)} signatures, expected 1")
        context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
        status = validate_pdf_signature(embedded[0], context)
    except (
        SignatureValidationError,
        PdfError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
    ) as error:
        return SignatureCheck(False, f"unreadable signature: {type(error).__name__}")
    except Exception as error:  # pyhanko raises many kinds on a malformed file
        logger.info("signature check failed on a malformed PDF: %r", error)
        return SignatureCheck(False, f"malformed PDF: {type(error).__name__}")
    covers_all = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    valid = bool(status.intact and status.valid and status.trusted and covers_all)
    detail = (
        "valid"
        if valid
        else (
            f"intact={status.intact} valid={status.valid} trusted={status.trusted} "
            f"coverage={status.coverage.name if status.coverage else None}"
        )
    )
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
    return SignatureCheck(valid, detail, signer, signed_at)
