"""Fixtures of the e-Surat tests: a test CA and log key made once, letters issued for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from notifications.letters import keys
from tests.factories import UserFactory
from tests.letters.factories import (
    ClassificationFactory,
    IssuingUnitFactory,
    SigningOfficialFactory,
)


@pytest.fixture(scope="session")
def letter_keys(tmp_path_factory) -> keys.KeyPaths:
    folder = tmp_path_factory.mktemp("letter-keys")
    paths = keys.KeyPaths(
        ca_key=folder / "ca.key.pem",
        ca_cert=folder / "ca.cert.pem",
        signing_key=folder / "signing.key.pem",
        signing_cert=folder / "signing.cert.pem",
        tlog_key=folder / "tlog.key.pem",
    )
    keys.create_keys(paths)
    return paths


@pytest.fixture(autouse=True)
def _letter_settings(settings, letter_keys, tmp_path: Path) -> None:
    settings.LETTER_CA_KEY = str(letter_keys.ca_key)
    settings.LETTER_CA_CERT = str(letter_keys.ca_cert)
    settings.LETTER_SIGNING_KEY = str(letter_keys.signing_key)
    settings.LETTER_SIGNING_CERT = str(letter_keys.signing_cert)
    settings.LETTER_TLOG_KEY = str(letter_keys.tlog_key)
    settings.LETTER_TLOG_ORIGIN = "portal.test/esurat/log"
    settings.LETTER_PDF_DIR = str(tmp_path / "letters")
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def letter_setup(db):
    """A unit, a classification and an active signing official."""
    unit = IssuingUnitFactory()
    classification = ClassificationFactory()
    official = SigningOfficialFactory(unit=unit)
    return unit, classification, official


@pytest.fixture
def issuer(db):
    return UserFactory(email="tu.bkpsdm@example.go.id", roles=["pegawai"], is_staff=True)


@pytest.fixture
def issue_letter(letter_setup, issuer):
    """issue_letter(recipient=…, **overrides) issues a real letter through letter_issue."""
    from notifications.letters.services import letter_issue

    unit, classification, official = letter_setup

    def issue(*, recipient=None, **overrides):
        fields = {
            "kind": "notice",
            "unit": unit,
            "classification": classification,
            "official": official,
            "recipient": recipient,
            "recipient_name": recipient.get_full_name() if recipient else "Warga Sukamaju",
            "subject": "Pemberitahuan hasil verifikasi berkas",
            "body_template": "letters/bodies/notice.html",
            "context": {"text": "Berkas Saudara telah kami verifikasi dan dinyatakan lengkap."},
            "issued_by": issuer,
            **overrides,
        }
        return letter_issue(**fields)

    return issue


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """One real rendered letter (unsaved objects, no database), shared by the whole session."""
    from notifications.letters.models import (
        Classification,
        IssuingUnit,
        Letter,
        SigningOfficial,
    )
    from notifications.letters.pdf import letter_render_pdf

    unit = IssuingUnit(code="BKPSDM", name="BKPSDM", address="Jl. Merdeka", region_name="PEMKAB")
    sample = Letter(
        kind="notice",
        unit=unit,
        classification=Classification(code="800.1.11.1", title="Cuti"),
        official=SigningOfficial(unit=unit, name="Pejabat", nip="1" * 18, position="Kepala"),
        number="800.1.11.1/0000/BKPSDM/2026",
        sequence=1,
        year=2026,
        recipient_name="Warga",
        subject="Uji",
        body="<p>Uji</p>",
        issued_at=timezone.now(),
        public_id="x" * 22,
    )
    return letter_render_pdf(sample)


@pytest.fixture
def fast_renderer(monkeypatch, sample_pdf):
    """Reuse one rendered PDF: WeasyPrint is not what these tests are about.

    Every signed copy still differs (the ECDSA signature is randomised, the signing time and
    document id change), so each letter keeps its own PDF hash; numbers, signature, log and
    storage all go through letter_issue as usual.
    """
    monkeypatch.setattr(
        "notifications.letters.services.letter_render_pdf", lambda letter: sample_pdf
    )
