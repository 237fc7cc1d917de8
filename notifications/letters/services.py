"""Writes of e-Surat. Other apps reach these through `notifications.services` only.

`letter_issue` numbers, renders, signs, hashes, logs and stores a letter in one
transaction: the number is drawn from a LetterSequence row locked FOR UPDATE, so two
issuances in one series wait for each other and a failed one gives its number back
(never skipped, never duplicated); the log leaf is appended in the same transaction.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.letters import log, signing
from notifications.letters.models import (
    Classification,
    IssuingUnit,
    Letter,
    LetterSequence,
    LogLeaf,
    SigningOfficial,
    new_public_id,
)
from notifications.letters.pdf import letter_render_pdf, verification_url
from portal.models import User
from portal.services import activity_record

logger = logging.getLogger(__name__)

NOTICE_TEMPLATE_KEY = "letter.issued"


class LetterError(ValueError):
    """A caller's mistake (an inactive official, an already revoked letter…), in Indonesian."""


def format_number(
    *, classification: Classification, sequence: int, unit: IssuingUnit, year: int
) -> str:
    return f"{classification.code}/{sequence:04d}/{unit.code}/{year}"


def _next_sequence(*, unit: IssuingUnit, classification: Classification, year: int) -> int:
    row, _created = LetterSequence.objects.get_or_create(
        unit=unit, classification=classification, year=year
    )
    row = LetterSequence.objects.select_for_update().get(pk=row.pk)
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number


def letter_issue(
    *,
    kind: str,
    unit: IssuingUnit,
    classification: Classification,
    official: SigningOfficial,
    recipient: User | None = None,
    recipient_name: str,
    subject: str,
    body_template: str,
    context: dict[str, Any],
    issued_by: User,
) -> Letter:
    """Issue a numbered, signed, logged letter; the recipient is notified after commit."""
    if not official.active:
        raise LetterError("Pejabat penanda tangan tidak aktif.")
    if kind not in Letter.Kind.values:
        raise LetterError(f"Jenis surat tidak dikenal: {kind}.")
    stored: list[str] = []
    try:
        letter = _issue(
            kind=kind,
            unit=unit,
            classification=classification,
            official=official,
            recipient=recipient,
            recipient_name=recipient_name,
            subject=subject,
            body_template=body_template,
            context=context,
            issued_by=issued_by,
            stored=stored,
        )
    except BaseException:
        # The transaction rolled back: the PDF written to storage belongs to no letter.
        for name in stored:
            Letter.pdf.field.storage.delete(name)
        raise
    return letter


@transaction.atomic
def _issue(*, stored: list[str], **fields: Any) -> Letter:
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    unit, classification = fields["unit"], fields["classification"]
    body = render_to_string(fields["body_template"], fields["context"])
    # Everything that can fail on bad input happens before a number is drawn.
    sequence = _next_sequence(unit=unit, classification=classification, year=year)
    letter = Letter(
        kind=fields["kind"],
        unit=unit,
        classification=classification,
        number=format_number(
            classification=classification, sequence=sequence, unit=unit, year=year
        ),
        sequence=sequence,
        year=year,
        official=fields["official"],
        recipient=fields["recipient"],
        recipient_name=fields["recipient_name"],
        subject=fields["subject"],
        body=body,
        issued_at=issued_at,
        issued_by=fields["issued_by"],
        public_id=new_public_id(),
    )
    signed = signing.get_signer().sign(letter_render_pdf(letter))
    letter.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    letter.pdf.save(f"{letter.public_id}.pdf", ContentFile(signed), save=False)
    stored.append(letter.pdf.name)
    letter.save()
    log.append(letter=letter, event=LogLeaf.Event.ISSUED)
    activity_record(
        actor=fields["issued_by"],
        verb="letter.issued",
        target=letter,
        data={"number": letter.number, "kind": letter.kind},
    )
    if letter.recipient_id:
        transaction.on_commit(functools.partial(_notify_recipient, letter.pk), robust=True)
    return letter


def _notify_recipient(letter_id: int) -> None:
    """In-app and email notice with a link to the letter; never the PDF itself.

    The 'letter.issued' notice kind is installed on first use (notice.install is
    idempotent and keeps an admin's edits), so this app needs no data migration in
    the notifications app's history.
    """
    from notifications.letters import notice
    from notifications.services import NotifyError, notify

    letter = Letter.objects.select_related("unit", "recipient").get(pk=letter_id)
    try:
        _send_notice(notify, letter)
    except NotifyError:
        notice.install_current()
        _send_notice(notify, letter)


def _send_notice(notify, letter: Letter) -> None:
    notify(
        recipients=[letter.recipient],
        template_key=NOTICE_TEMPLATE_KEY,
        context={
            "number": letter.number,
            "subject": letter.subject,
            "issuer": letter.unit.name,
            "url": letter_detail_url(letter),
            "verify_url": verification_url(letter.public_id),
        },
        category="letters",
        idempotency_key=f"letter-issued:{letter.public_id}",
    )


def letter_detail_url(letter: Letter) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL + reverse("letters:letter_list") + f"#surat-{letter.pk}"


@transaction.atomic
def letter_revoke(*, letter: Letter, reason: str, revoked_by: User) -> Letter:
    """Revoke a letter with a reason; the log records a 'revoked' leaf."""
    reason = (reason or "").strip()
    if not reason:
        raise LetterError("Alasan pencabutan wajib diisi.")
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("unit", "recipient")
        .get(pk=letter.pk)
    )
    if letter.is_revoked:
        raise LetterError("Surat ini sudah dicabut.")
    letter.status = Letter.Status.REVOKED
    letter.revoked_reason = reason[:300]
    letter.revoked_at = timezone.now()
    letter.revoked_by = revoked_by
    letter.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    log.append(letter=letter, event=LogLeaf.Event.REVOKED)
    activity_record(
        actor=revoked_by, verb="letter.revoked", target=letter, data={"number": letter.number}
    )
    return letter


@transaction.atomic
def letter_record_opened(*, letter: Letter, user: User) -> None:
    activity_record(actor=user, verb="letter.opened", target=letter, data={"number": letter.number})


@transaction.atomic
def letter_record_verified(*, letter: Letter | None, user: User, verdict: str) -> None:
    activity_record(actor=user, verb="letter.verified", target=letter, data={"verdict": verdict})


# --- Verification ----------------------------------------------------------------------


class VerdictStatus(enum.StrEnum):
    AUTHENTIC = "authentic"
    NOT_AUTHENTIC = "not_authentic"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
    letter: Letter | None = None
    reason: str = ""
    signature: signing.SignatureCheck | None = None
    detail: str = ""

    @property
    def authentic(self) -> bool:
        return self.status == VerdictStatus.AUTHENTIC


def letter_verify_pdf(*, pdf_bytes: bytes) -> Verdict:
    """Is this exactly a PDF we issued (hash known, signature valid and trusted), and still valid?"""
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    letter = Letter.objects.select_related("unit").filter(pdf_sha256=digest).first()
    if letter is None:
        return Verdict(VerdictStatus.NOT_AUTHENTIC, detail="unknown hash")
    check = signing.check_signature(pdf_bytes)
    if not check.valid:
        return Verdict(
            VerdictStatus.NOT_AUTHENTIC, letter=None, signature=check, detail=check.detail
        )
    if letter.is_revoked:
        return Verdict(
            VerdictStatus.REVOKED, letter=letter, reason=letter.revoked_reason, signature=check
        )
    return Verdict(VerdictStatus.AUTHENTIC, letter=letter, signature=check)
