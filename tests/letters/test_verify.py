"""Verifying letters: by upload, on the QR page, offline from a proof bundle, and by audit."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from notifications.letters import keys, log, signing
from notifications.letters.models import LogLeaf
from notifications.letters.services import VerdictStatus, letter_revoke, letter_verify_pdf

pytestmark = pytest.mark.django_db


def _pdf_bytes(letter) -> bytes:
    with letter.pdf.open("rb") as handle:
        return handle.read()


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_untouched_pdf_is_authentic(issue_letter):
    letter = issue_letter()
    verdict = letter_verify_pdf(pdf_bytes=_pdf_bytes(letter))
    assert verdict.status == VerdictStatus.AUTHENTIC
    assert verdict.letter == letter


@pytest.mark.parametrize("where", [0.3, 0.6, -20])
def test_one_flipped_byte_makes_a_pdf_not_authentic(issue_letter, where):
    letter = issue_letter()
    data = _pdf_bytes(letter)
    position = int(len(data) * where) if where > 0 else len(data) + where
    verdict = letter_verify_pdf(pdf_bytes=_flip(data, position))
    assert verdict.status == VerdictStatus.NOT_AUTHENTIC
    assert verdict.letter is None


def test_signature_is_valid_and_breaks_on_tampering(issue_letter):
    data = _pdf_bytes(issue_letter())
    assert signing.check_signature(data).valid
    assert not signing.check_signature(_flip(data, len(data) // 4)).valid


def test_signature_by_an_untrusted_ca_is_not_valid(issue_letter, tmp_path):
    data = _pdf_bytes(issue_letter())
    other = keys.KeyPaths(*(tmp_path / name for name in ("a", "b", "c", "d", "e")))
    keys.create_keys(other)
    assert not signing.check_signature(data, ca_path=other.ca_cert).valid


def test_a_known_hash_with_a_bad_signature_is_not_authentic(issue_letter, monkeypatch):
    letter = issue_letter()
    monkeypatch.setattr(
        "notifications.letters.signing.check_signature",
        lambda data, ca_path=None: signing.SignatureCheck(False, "forged"),
    )
    assert letter_verify_pdf(pdf_bytes=_pdf_bytes(letter)).status == VerdictStatus.NOT_AUTHENTIC


def test_revoked_letter_verifies_as_revoked_with_its_reason(issue_letter, issuer):
    letter = issue_letter()
    letter_revoke(letter=letter, reason="Data penerima keliru", revoked_by=issuer)
    verdict = letter_verify_pdf(pdf_bytes=_pdf_bytes(letter))
    assert verdict.status == VerdictStatus.REVOKED
    assert verdict.reason == "Data penerima keliru"


def test_checkpoint_is_signed_only_when_the_log_grew(fast_renderer, issue_letter):
    assert log.checkpoint_create() is None or log.log_size() == 0
    issue_letter()
    first = log.checkpoint_create()
    assert first.size == 1
    assert log.checkpoint_create() is None
    issue_letter()
    assert log.checkpoint_create().size == 2


def test_tlog_checkpoint_task_is_idempotent(fast_renderer, issue_letter):
    from notifications.letters.tasks import tlog_checkpoint

    issue_letter()
    assert tlog_checkpoint() == 1
    assert tlog_checkpoint() is None


def test_stored_proofs_verify_against_checkpoints_and_stay_consistent(fast_renderer, issue_letter):
    from notifications.letters import tlog

    letters = [issue_letter() for _ in range(5)]
    small = log.checkpoint_create()
    letters += [issue_letter() for _ in range(3)]
    big = log.checkpoint_create()
    for letter in letters:
        leaf = LogLeaf.objects.get(letter=letter)
        proof = log.leaf_proof(leaf, big)
        assert proof.verified
    tlog.verify_consistency(
        small.size,
        big.size,
        log.consistency_proof(small.size, big.size),
        bytes.fromhex(small.root_hash),
        bytes.fromhex(big.root_hash),
    )


def test_audit_passes_on_an_untouched_log(fast_renderer, issue_letter, issuer, capsys):
    letter = issue_letter()
    issue_letter()
    letter_revoke(letter=letter, reason="Dibatalkan", revoked_by=issuer)
    log.checkpoint_create()
    call_command("tlog_audit", "--files")
    assert "0 problem(s)" in capsys.readouterr().out


def test_audit_catches_a_leaf_row_edited_in_the_database(fast_renderer, issue_letter):
    letter = issue_letter()
    issue_letter()
    log.checkpoint_create()
    leaf = LogLeaf.objects.get(letter=letter)
    forged = leaf.record.replace(letter.pdf_sha256, "0" * 64)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE letters_logleaf SET record = %s WHERE id = %s", [forged, leaf.pk])
    with pytest.raises(CommandError, match="problem"):
        call_command("tlog_audit")


def test_audit_catches_a_letter_row_changed_behind_the_logs_back(fast_renderer, issue_letter):
    letter = issue_letter()
    log.checkpoint_create()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE letters_letter SET pdf_sha256 = %s WHERE id = %s", ["f" * 64, letter.pk]
        )
    with pytest.raises(CommandError):
        call_command("tlog_audit")


def test_audit_catches_a_status_flipped_without_a_revoked_leaf(fast_renderer, issue_letter):
    letter = issue_letter()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE letters_letter SET status = 'revoked', revoked_reason = 'x', revoked_at = now() "
            "WHERE id = %s",
            [letter.pk],
        )
    with pytest.raises(CommandError):
        call_command("tlog_audit")


def _bundle_and_key(letter, tmp_path, capsys):
    capsys.readouterr()
    call_command("letter_proof_bundle", letter.number)
    bundle_path = tmp_path / "bundle.json"
    bundle_path.write_text(capsys.readouterr().out)
    key_path = tmp_path / "log.pub"
    key_path.write_text(keys.tlog_verifier_key())
    pdf_path = tmp_path / "surat.pdf"
    pdf_path.write_bytes(_pdf_bytes(letter))
    return pdf_path, bundle_path, key_path


def test_letter_verify_checks_a_letter_offline(issue_letter, tmp_path, capsys, letter_keys):
    letter = issue_letter()
    issue_letter()
    pdf_path, bundle_path, key_path = _bundle_and_key(letter, tmp_path, capsys)
    call_command(
        "letter_verify",
        str(pdf_path),
        "--bundle",
        str(bundle_path),
        "--public-key",
        str(key_path),
        "--ca",
        str(letter_keys.ca_cert),
    )
    out = capsys.readouterr().out
    assert "Asli" in out
    assert "[ok  ] checkpoint signature" in out


def test_letter_verify_offline_rejects_a_tampered_pdf_bundle_or_key(issue_letter, tmp_path, capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from notifications.letters import tlog

    letter = issue_letter()
    pdf_path, bundle_path, key_path = _bundle_and_key(letter, tmp_path, capsys)
    args = ["--bundle", str(bundle_path), "--public-key", str(key_path)]
    pdf_path.write_bytes(_flip(pdf_path.read_bytes(), 2000))
    with pytest.raises(CommandError, match="Tidak asli"):
        call_command("letter_verify", str(pdf_path), *args)
    pdf_path.write_bytes(_pdf_bytes(letter))

    bundle = json.loads(bundle_path.read_text())
    bundle["leaves"][0]["record"] = bundle["leaves"][0]["record"].replace('"v":1', '"v":2')
    bundle_path.write_text(json.dumps(bundle))
    with pytest.raises(CommandError, match="Tidak asli"):
        call_command("letter_verify", str(pdf_path), *args)

    _pdf, bundle_path, _key = _bundle_and_key(letter, tmp_path, capsys)
    key_path.write_text(
        tlog.verifier_key("portal.test/esurat/log", Ed25519PrivateKey.generate().public_key())
    )
    with pytest.raises(CommandError, match="Tidak asli"):
        call_command("letter_verify", str(pdf_path), *args)


def test_letter_verify_offline_reports_a_revoked_letter(issue_letter, issuer, tmp_path, capsys):
    letter = issue_letter()
    letter_revoke(letter=letter, reason="Diganti surat baru", revoked_by=issuer)
    pdf_path, bundle_path, key_path = _bundle_and_key(letter, tmp_path, capsys)
    with pytest.raises(CommandError, match="Dicabut: Diganti surat baru"):
        call_command(
            "letter_verify",
            str(pdf_path),
            "--bundle",
            str(bundle_path),
            "--public-key",
            str(key_path),
        )


def test_letters_init_ca_is_idempotent_and_rotates_with_force(settings, tmp_path, capsys):
    for name in ("CA_KEY", "CA_CERT", "SIGNING_KEY", "SIGNING_CERT", "TLOG_KEY"):
        setattr(settings, f"LETTER_{name}", str(tmp_path / f"{name.lower()}.pem"))
    call_command("letters_init_ca")
    first = (tmp_path / "signing_cert.pem").read_bytes()
    assert "5 file(s) written" in capsys.readouterr().out
    call_command("letters_init_ca")
    assert "0 file(s) written" in capsys.readouterr().out
    call_command("letters_init_ca", "--force")
    assert (tmp_path / "signing_cert.pem").read_bytes() != first
