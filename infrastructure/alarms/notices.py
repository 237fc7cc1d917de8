"""Alarm notices to the responsible officials, through `notifications.services` only.

The default texts (id/en) are installed after every migrate: `template_define` is
idempotent and never overwrites texts an admin has edited. Each notice carries the
idempotency key (alarm, event), so a retried evaluation never notifies twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from infrastructure.alarms.models import AlarmEvent
from portal.models import User

logger = logging.getLogger(__name__)

CATEGORY = "alarms"
# Who handles alarms (pages and notices): public-works officials and administrators.
OFFICIAL_ROLES = ("pejabat", "admin")
FALLBACK_ROLE = "pejabat"  # a rule nobody answers for still reaches the public-works officials
TEMPLATE_KEYS = {
    AlarmEvent.Kind.RAISED: "infrastructure.alarm_raised",
    AlarmEvent.Kind.ESCALATED: "infrastructure.alarm_escalated",
    AlarmEvent.Kind.CLEARED: "infrastructure.alarm_cleared",
}
_VARIABLES = ["rule", "asset", "device", "metric", "severity", "value", "at", "url"]
_SAMPLE = {
    "rule": "Regangan gelagar tinggi",
    "asset": "Jembatan Pasupati",
    "device": "Sensor bentang utama",
    "metric": "Regangan gelagar",
    "severity": "Berat",
    "value": "312.5 µε",
    "at": "2026-11-28 10:15 WIB",
    "url": "https://portal.example.go.id/infrastruktur/alarm/1/",
}


def _texts(subject_id: str, line_id: str, subject_en: str, line_en: str) -> dict:
    return {
        "id": {
            "subject": subject_id,
            "body_text": f"{line_id}\n\nBuka alarm: {{{{ url }}}}\n\nPortal Layanan Publik",
            "body_html": f'<p>{line_id}</p><p><a href="{{{{ url }}}}">Buka alarm</a></p>',
            "sms_text": f"{subject_id}. {{{{ url }}}}",
        },
        "en": {
            "subject": subject_en,
            "body_text": f"{line_en}\n\nOpen the alarm: {{{{ url }}}}\n\nPortal Layanan Publik",
            "body_html": f'<p>{line_en}</p><p><a href="{{{{ url }}}}">Open the alarm</a></p>',
            "sms_text": f"{subject_en}. {{{{ url }}}}",
        },
    }


_WHAT_ID = "{{ asset }} — {{ device }}, {{ metric }}: {{ value }} ({{ at }})."
_WHAT_EN = "{{ asset }} — {{ device }}, {{ metric }}: {{ value }} ({{ at }})."
NOTICES = [
    (
        TEMPLATE_KEYS[AlarmEvent.Kind.RAISED],
        "Alarm sensor berbunyi.",
        _texts(
            "Alarm {{ severity }}: {{ rule }}",
            f"Alarm berbunyi. {_WHAT_ID}",
            "{{ severity }} alarm: {{ rule }}",
            f"An alarm was raised. {_WHAT_EN}",
        ),
    ),
    (
        TEMPLATE_KEYS[AlarmEvent.Kind.ESCALATED],
        "Alarm sensor naik tingkat.",
        _texts(
            "Alarm naik menjadi {{ severity }}: {{ rule }}",
            f"Alarm naik tingkat. {_WHAT_ID}",
            "Alarm escalated to {{ severity }}: {{ rule }}",
            f"An alarm was escalated. {_WHAT_EN}",
        ),
    ),
    (
        TEMPLATE_KEYS[AlarmEvent.Kind.CLEARED],
        "Alarm sensor pulih atau ditutup.",
        _texts(
            "Alarm pulih: {{ rule }}",
            f"Alarm pulih atau ditutup. {_WHAT_ID}",
            "Alarm cleared: {{ rule }}",
            f"An alarm was cleared. {_WHAT_EN}",
        ),
    ),
]


def install(**_kwargs) -> None:
    from notifications.services import NotifyError, template_define

    try:
        for key, description, texts in NOTICES:
            template_define(
                key=key,
                category=CATEGORY,
                variables=_VARIABLES,
                texts=texts,
                description=description,
                sample_context=_SAMPLE,
            )
    except NotifyError:
        return  # a flushed test database: the notifications categories are not there


def recipients_for(rule) -> list[int]:
    """Active users named on the rule, in its groups, or officials of its units; the
    officials' role if none of these names anybody."""
    users = User.objects.filter(is_active=True)
    named = (
        Q(alarm_rules=rule)
        | Q(groups__alarm_rules=rule)
        | Q(
            employee__unit__alarm_rules=rule,
            employee__is_active=True,
            groups__name__in=OFFICIAL_ROLES,
        )
    )
    ids = sorted(set(users.filter(named).values_list("pk", flat=True)))
    if not ids:
        ids = sorted(set(users.filter(groups__name=FALLBACK_ROLE).values_list("pk", flat=True)))
    return ids


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.6g} {unit}".strip()


def alarm_event_notify(*, event: AlarmEvent) -> int:
    """Notify the rule's officials of `event` (in the caller's transaction); messages recorded.

    Never raises for a missing template: an alarm must not be lost because a notice
    cannot be written (the event stays in the alarm's history).
    """
    template_key = TEMPLATE_KEYS.get(event.kind)
    if template_key is None:
        return 0
    from notifications.services import NotifyError, notify

    alarm = event.alarm
    rule = alarm.rule
    device = alarm.device
    metric = alarm.metric
    recipients = recipients_for(rule)
    if not recipients:
        return 0
    context = {
        "rule": rule.name,
        "asset": device.asset.name,
        "device": device.name,
        "metric": str(metric) if metric else str(rule.get_kind_display()),
        "severity": str(event.get_severity_display()),
        "value": _format(event.value, metric.unit if metric else ""),
        "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M %Z"),
        "url": settings.SITE_URL + reverse("infra_alarms:detail", args=[alarm.pk]),
    }
    try:
        messages = notify(
            recipients=recipients,
            template_key=template_key,
            context=context,
            category=CATEGORY,
            idempotency_key=f"infra.alarm:{alarm.pk}:{event.kind}:{event.pk}",
        )
    except NotifyError:
        logger.warning("Notice template %s is not installed; alarm notice skipped.", template_key)
        return 0
    return len(messages)
