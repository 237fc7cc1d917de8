"""The development/test key material: a local CA, a signing certificate, the log's Ed25519 key.

Production replaces the CA and signing certificate by a certified provider's (BSrE)
behind the same Signer interface; the log key stays ours.
"""

from __future__ import annotations

import datetime
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from notifications.letters import conf, tlog


@dataclass(frozen=True)
class KeyPaths:
    ca_key: Path
    ca_cert: Path
    signing_key: Path
    signing_cert: Path
    tlog_key: Path

    @classmethod
    def configured(cls) -> KeyPaths:
        return cls(
            ca_key=conf.ca_key_path(),
            ca_cert=conf.ca_cert_path(),
            signing_key=conf.signing_key_path(),
            signing_cert=conf.signing_cert_path(),
            tlog_key=conf.tlog_key_path(),
        )

    def all(self) -> list[Path]:
        return [self.ca_key, self.ca_cert, self.signing_key, self.signing_cert, self.tlog_key]

    def complete(self) -> bool:
        return all(path.exists() for path in self.all())


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    temporary.replace(path)


def _write_public(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _name(common_name: str, unit: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pemerintah Kabupaten Sukamaju"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def create_keys(paths: KeyPaths, *, force: bool = False) -> list[Path]:
    """Create whatever is missing (everything with `force`); return the files written."""
    if force:
        for path in paths.all():
            path.unlink(missing_ok=True)
    written: list[Path] = []
    now = datetime.datetime.now(datetime.UTC)
    if not (paths.ca_key.exists() and paths.ca_cert.exists()):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("CA Uji Portal Layanan Publik", "Diskominfo (uji, bukan produksi)")
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(paths.ca_key, _pem_key(ca_key))
        _write_public(paths.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
        written += [paths.ca_key, paths.ca_cert]
        # A new CA invalidates the old signing certificate.
        paths.signing_key.unlink(missing_ok=True)
        paths.signing_cert.unlink(missing_ok=True)
    if not (paths.signing_key.exists() and paths.signing_cert.exists()):
        ca_key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Tanda Tangan Elektronik e-Surat (uji)", "e-Surat"))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_private(paths.signing_key, _pem_key(key))
        _write_public(paths.signing_cert, cert.public_bytes(serialization.Encoding.PEM))
        written += [paths.signing_key, paths.signing_cert]
    if not paths.tlog_key.exists():
        _write_private(paths.tlog_key, _pem_key(Ed25519PrivateKey.generate()))
        written.append(paths.tlog_key)
    load_tlog_key.cache_clear()
    return written


@functools.cache
def _load_tlog_key(path: str, mtime: float) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_tlog_key() -> Ed25519PrivateKey:
    path = conf.tlog_key_path()
    if not path.exists():
        raise FileNotFoundError(
            f"The transparency log key {path} is missing: run `manage.py letters_init_ca`."
        )
    return _load_tlog_key(str(path), path.stat().st_mtime)


load_tlog_key.cache_clear = _load_tlog_key.cache_clear  # type: ignore[attr-defined]


def tlog_verifier_key() -> str:
    """The log's public key as a note verifier key (what `letter_verify --public-key` reads)."""
    return tlog.verifier_key(conf.tlog_origin(), load_tlog_key().public_key())
