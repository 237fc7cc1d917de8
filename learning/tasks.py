"""Celery tasks of the learning app: thin, idempotent, taking ids."""

from __future__ import annotations

from celery import shared_task

from learning import certificates, notices
from learning.models import Enrolment


@shared_task(
    name="learning.certificate_issue",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    soft_time_limit=100,
    time_limit=120,
)
def certificate_issue(enrolment_id: int) -> str:
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is None:
        return "missing"
    certificate = certificates.certificate_issue(enrolment)
    return certificate.status if certificate else "none"


@shared_task(name="learning.certificates_retry", time_limit=600)
def certificates_retry() -> int:
    return certificates.certificates_pending_issue()


@shared_task(name="learning.due_reminders", time_limit=600)
def due_reminders() -> int:
    return notices.due_reminders_send()
