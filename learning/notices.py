"""Notices the learning app sends, through `notifications.services.notify` only."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from learning import conf
from learning.models import Enrolment

logger = logging.getLogger(__name__)

DUE_TEMPLATE_KEY = "learning.course_due"
CATEGORY = "services"


def _notify():
    from notifications import services as notification_services

    return getattr(notification_services, "notify", None), getattr(
        notification_services, "NotifyError", Exception
    )


def due_reminder_send(*, enrolment: Enrolment, today: datetime.date | None = None) -> bool:
    """Remind the learner of an assigned course's due date; once per enrolment and day-mark.

    Returns False when notifications cannot send it (template key not installed yet).
    """
    notify, notify_error = _notify()
    if notify is None or enrolment.due_on is None:
        return False
    today = today or timezone.localdate()
    days_left = (enrolment.due_on - today).days
    url = settings.SITE_URL + reverse("learning:course", args=[enrolment.course.slug])
    try:
        notify(
            recipients=[enrolment.user],
            template_key=DUE_TEMPLATE_KEY,
            context={
                "name": enrolment.user.get_short_name(),
                "course": enrolment.course.title,
                "due_on": enrolment.due_on.isoformat(),
                "days_left": days_left,
                "url": url,
            },
            category=CATEGORY,
            idempotency_key=f"learning.due:{enrolment.pk}:{enrolment.due_on}:{days_left}",
        )
    except notify_error:
        logger.warning("Notice template %s is not installed; reminder skipped.", DUE_TEMPLATE_KEY)
        return False
    return True


def due_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind every learner whose assigned course falls due in one of the reminder days."""
    today = today or timezone.localdate()
    dates = [today + datetime.timedelta(days=days) for days in conf.reminder_days()]
    enrolments = Enrolment.objects.filter(
        status=Enrolment.Status.IN_PROGRESS, due_on__in=dates, user__is_active=True
    ).select_related("user", "course")
    sent = 0
    for enrolment in enrolments.iterator(chunk_size=500):
        sent += due_reminder_send(enrolment=enrolment, today=today)
    return sent


DUE_TEXTS = {
    "id": {
        "subject": "Tenggat kursus {{ course }}: {{ days_left }} hari lagi",
        "body_text": (
            "Yth. {{ name }},\n\nKursus {{ course }} yang ditugaskan kepada Anda harus selesai "
            "pada {{ due_on }} ({{ days_left }} hari lagi). Lanjutkan di {{ url }}\n\n"
            "Portal Layanan Publik"
        ),
        "body_html": (
            "<p>Yth. {{ name }},</p><p>Kursus <strong>{{ course }}</strong> yang ditugaskan "
            "kepada Anda harus selesai pada {{ due_on }} ({{ days_left }} hari lagi).</p>"
            '<p><a href="{{ url }}">Lanjutkan kursus</a></p>'
        ),
        "sms_text": "Kursus {{ course }} harus selesai {{ due_on }}. {{ url }}",
    },
    "en": {
        "subject": "Course {{ course }} due in {{ days_left }} days",
        "body_text": (
            "Dear {{ name }},\n\nThe course {{ course }} assigned to you is due on {{ due_on }} "
            "({{ days_left }} days left). Continue at {{ url }}\n\nPortal Layanan Publik"
        ),
        "body_html": (
            "<p>Dear {{ name }},</p><p>The course <strong>{{ course }}</strong> assigned to you "
            "is due on {{ due_on }} ({{ days_left }} days left).</p>"
            '<p><a href="{{ url }}">Continue the course</a></p>'
        ),
        "sms_text": "Course {{ course }} is due {{ due_on }}. {{ url }}",
    },
}


def templates_install(**_kwargs) -> None:
    """Install the due-date notice after every migrate (idempotent, keeps admin edits)."""
    from notifications.services import NotifyError, template_define

    try:
        template_define(
            key=DUE_TEMPLATE_KEY,
            category=CATEGORY,
            variables=["name", "course", "due_on", "days_left", "url"],
            texts=DUE_TEXTS,
        )
    except NotifyError:
        return  # a flushed test database: the notifications categories are not there
