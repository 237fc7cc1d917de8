"""Issuing a letter: number, PDF, signature, log leaf, activity and notice in one go."""

from __future__ import annotations

import hashlib
import json

import pytest
import time_machine
from django.core import mail

from notifications.letters import log, signing, tlog
from notifications.letters.models import Letter, LogLeaf
from notifications.letters.pdf import date_in_indonesian
from notifications.letters.services import LetterError, letter_revoke
from portal.models import Activity

pytestmark = pytest.mark.django_db


def test_issued_letter_gets_the_next_number_of_its_series(fast_renderer, issue_letter):
    with time_machine.travel("2026-11-27 09:00 +0700", tick=False):
        first = issue_letter()
        second = issue_letter()
    assert first.number == "800.1.11.1/0001/BKPSDM/2026"
    assert second.number == "800.1.11.1/0002/BKPSDM/2026"


def test_numbering_starts_again_each_year(fast_renderer, issue_letter):
    with time_machine.travel("2026-12-31 23:00 +0700", tick=False):
        issue_letter()
    with time_machine.travel("2027-01-01 00:30 +0700", tick=False):
        letter = issue_letter()
    assert letter.number == "800.1.11.1/0001/BKPSDM/2027"


def test_issued_pdf_is_signed_hashed_and_stored_privately(issue_letter, settings):
    letter = issue_letter()
    with letter.pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == letter.pdf_sha256
    assert signing.check_signature(data).valid
    assert not letter.pdf.path.startswith(str(settings.MEDIA_ROOT))
    assert len(letter.public_id) == 22


def test_letter_date_is_written_in_indonesian():
    import datetime

    assert date_in_indonesian(datetime.datetime(2026, 11, 27, 3, tzinfo=datetime.UTC)) == (
        "27 November 2026"
    )
    assert date_in_indonesian(datetime.datetime(2026, 8, 17, 3, tzinfo=datetime.UTC)) == (
        "17 Agustus 2026"
    )


def test_issuing_appends_a_leaf_without_personal_data(issue_letter, alice):
    letter = issue_letter(recipient=alice)
    leaf = LogLeaf.objects.get(letter=letter)
    record = json.loads(leaf.record)
    assert leaf.index == 0
    assert record["event"] == "issued"
    assert record["number"] == letter.number
    assert record["pdf_sha256"] == letter.pdf_sha256
    assert record["issuer"] == "BKPSDM"
    assert leaf.leaf_hash == tlog.leaf_hash(leaf.record.encode()).hex()
    assert "alice" not in leaf.record.lower()
    assert "Wulandari" not in leaf.record


def test_issuing_records_an_activity_and_notifies_by_link_not_attachment(
    issue_letter, alice, issuer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = issue_letter(recipient=alice)
    assert Activity.objects.filter(
        actor=issuer, verb="letter.issued", target_id=str(letter.pk)
    ).exists()
    from notifications.models import Message

    messages = Message.objects.filter(recipient=alice, template_key="letter.issued")
    assert {message.channel for message in messages} >= {"inbox"}
    inbox = messages.get(channel="inbox")
    assert letter.number in inbox.body_text
    assert f"/verifikasi/{letter.public_id}/" in inbox.body_text
    assert all(not getattr(m, "attachments", None) for m in mail.outbox)


def test_inactive_official_cannot_sign(issue_letter, letter_setup):
    _unit, _classification, official = letter_setup
    official.active = False
    official.save()
    with pytest.raises(LetterError):
        issue_letter()
    assert not Letter.objects.exists()


def test_failed_rendering_gives_the_number_back(issue_letter, monkeypatch):
    issue_letter()

    def broken(letter):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("notifications.letters.services.letter_render_pdf", broken)
    with pytest.raises(RuntimeError):
        issue_letter()
    monkeypatch.undo()
    assert issue_letter().number.split("/")[1] == "0002"
    assert log.log_size() == 2


def test_revoking_appends_a_revoked_leaf(fast_renderer, issue_letter, issuer):
    letter = issue_letter()
    letter_revoke(letter=letter, reason="Salah penerima", revoked_by=issuer)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.REVOKED
    assert letter.revoked_reason == "Salah penerima"
    leaf = LogLeaf.objects.get(letter=letter, event="revoked")
    assert json.loads(leaf.record)["event"] == "revoked"
    assert Activity.objects.filter(verb="letter.revoked", target_id=str(letter.pk)).exists()
    with pytest.raises(LetterError):
        letter_revoke(letter=letter, reason="lagi", revoked_by=issuer)
    with pytest.raises(LetterError):
        letter_revoke(letter=issue_letter(), reason="  ", revoked_by=issuer)
