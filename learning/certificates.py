"""Certificates of completed courses, issued as e-Surat letters through notifications.

The only seam to e-Surat is `notifications.services.letter_issue`. Until that
function exists in the tree, a certificate stays `pending` (the learner sees
"sedang diterbitkan"), and the periodic retry issues every pending one once it does.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from learning import conf
from learning.models import Certificate, Enrolment
from portal.models import Employee, User

logger = logging.getLogger(__name__)

BODY_TEMPLATE = "learning/_certificate_body.html"


def _letter_issuer():
    from notifications import services as notification_services

    return getattr(notification_services, "letter_issue", None)


def _recipient_name(enrolment: Enrolment) -> str:
    employee = Employee.objects.filter(user_id=enrolment.user_id).first()
    return employee.full_name if employee else enrolment.user.get_full_name()


def _date_id(day) -> str:
    with translation.override("id"):
        return formats.date_format(day, "j F Y")


def _issuer() -> User | None:
    email = conf.certificate_issuer_email()
    if email:
        return User.objects.filter(email__iexact=email, is_active=True).first()
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def _letter_kwargs(enrolment: Enrolment, issued_by: User) -> dict:
    """The keyword arguments of `letter_issue` for this certificate.

    The context holds plain values only, so the letter can be re-rendered later
    without learning's models.
    """
    course = enrolment.course
    name = _recipient_name(enrolment)
    return {
        "kind": "certificate",
        "unit_code": conf.certificate_unit_code(),
        "classification_code": conf.certificate_classification_code(),
        "recipient": enrolment.user,
        "recipient_name": name,
        "subject": f"Sertifikat penyelesaian kursus: {course.title}",
        "body_template": BODY_TEMPLATE,
        "context": {
            "name": name,
            "course_title": course.title,
            "jp": course.jp,
            "provider": course.provider,
            "completed_on": _date_id(timezone.localdate(enrolment.completed_at)),
        },
        "issued_by": issued_by,
    }


def certificate_issue(enrolment: Enrolment) -> Certificate | None:
    """Issue the enrolment's certificate as an e-Surat letter if e-Surat is available.

    Idempotent: the certificate row is locked, and an issued one is returned as is.
    Returns None for an enrolment that is not completed.
    """
    letter_issue = _letter_issuer()
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrolment__course", "enrolment__user")
            .filter(enrolment_id=enrolment.pk)
            .first()
        )
        if certificate is None or certificate.status == Certificate.Status.ISSUED:
            return certificate
        if letter_issue is None:
            return certificate  # e-Surat not wired yet: stays pending, retried by the beat task
        issued_by = _issuer()
        if issued_by is None:
            certificate.last_error = (
                "No certificate issuer account (LEARNING_CERTIFICATE_ISSUER_EMAIL)."
            )
            certificate.save(update_fields=["last_error"])
            return certificate
        letter = letter_issue(**_letter_kwargs(certificate.enrolment, issued_by))
        certificate.status = Certificate.Status.ISSUED
        certificate.letter_number = letter.number
        certificate.letter_public_id = letter.public_id
        certificate.verify_url = reverse("letters:verify_letter", args=[letter.public_id])
        certificate.issued_at = getattr(letter, "issued_at", None) or timezone.now()
        certificate.last_error = ""
        certificate.save()
    return certificate


def certificates_pending_issue(*, limit: int = 200) -> int:
    """Try every pending certificate (the beat task); returns how many were issued."""
    if _letter_issuer() is None:
        return 0
    issued = 0
    pending = Certificate.objects.filter(status=Certificate.Status.PENDING).select_related(
        "enrolment"
    )[:limit]
    for certificate in pending:
        try:
            result = certificate_issue(certificate.enrolment)
        except Exception as error:  # one bad letter must not stop the others
            logger.exception("Certificate %s could not be issued", certificate.pk)
            Certificate.objects.filter(pk=certificate.pk).update(last_error=str(error)[:300])
            continue
        if result is not None and result.status == Certificate.Status.ISSUED:
            issued += 1
    return issued
