"""Writes of the alarms app that officials make: acknowledge and clear, with a comment.

The evaluator's own writes (raise, escalate, de-escalate, auto-clear) live in rules.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infrastructure.alarms import notices
from infrastructure.alarms.models import Alarm, AlarmEvent
from portal.models import User
from portal.services import activity_record

OFFICIAL_ROLES = notices.OFFICIAL_ROLES
COMMENT_MAX = 1000


def user_can_manage_alarms(user: User) -> bool:
    """Public-works officials (and administrators) see, acknowledge and clear every alarm."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(*OFFICIAL_ROLES))
    )


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Tulis catatan: apa yang sudah diperiksa atau dilakukan."))
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            _("Catatan terlalu panjang (paling banyak %(max)d karakter).") % {"max": COMMENT_MAX}
        )
    return comment


def _locked(alarm_id: int, user: User) -> Alarm:
    if not user_can_manage_alarms(user):
        raise PermissionDenied(_("Hanya pejabat teknis yang dapat menangani alarm."))
    alarm = (
        Alarm.objects.select_for_update(of=("self",))
        .select_related("rule")
        .filter(pk=alarm_id)
        .first()
    )
    if alarm is None:
        raise ValidationError(_("Alarm tidak ditemukan."))
    return alarm


@transaction.atomic
def alarm_acknowledge(*, alarm_id: int, user: User, comment: str) -> Alarm:
    """Record that an official has seen the alarm (it stays active until it clears)."""
    comment = _clean_comment(comment)
    alarm = _locked(alarm_id, user)
    if alarm.is_acknowledged:
        raise ValidationError(_("Alarm ini sudah diterima."))
    now = timezone.now()
    alarm.acknowledge()
    alarm.acknowledged_at = now
    alarm.acknowledged_by = user
    alarm.ack_comment = comment
    alarm.updated_at = now
    alarm.save(
        update_fields=["status", "acknowledged_at", "acknowledged_by", "ack_comment", "updated_at"]
    )
    AlarmEvent.objects.create(
        alarm=alarm,
        kind=AlarmEvent.Kind.ACKNOWLEDGED,
        at=now,
        severity=alarm.severity,
        value=alarm.last_value,
        actor=user,
        comment=comment,
    )
    activity_record(actor=user, verb="infrastructure.alarm_acknowledged", target=alarm)
    return alarm


@transaction.atomic
def alarm_clear(*, alarm_id: int, user: User, comment: str) -> Alarm:
    """Close an active alarm by hand. If the condition still holds, the evaluator raises
    a new alarm on its next tick (as ThingsBoard does): clearing is a statement that the
    cause was dealt with, not a way to silence a rule — disable the rule for that."""
    comment = _clean_comment(comment)
    alarm = _locked(alarm_id, user)
    if not alarm.is_active:
        raise ValidationError(_("Alarm ini sudah pulih atau ditutup."))
    now = timezone.now()
    alarm.clear()
    alarm.cleared_at = now
    alarm.cleared_by = user
    alarm.clear_comment = comment
    alarm.updated_at = now
    alarm.save(update_fields=["status", "cleared_at", "cleared_by", "clear_comment", "updated_at"])
    event = AlarmEvent.objects.create(
        alarm=alarm,
        kind=AlarmEvent.Kind.CLEARED,
        at=now,
        severity=alarm.severity,
        value=alarm.last_value,
        actor=user,
        comment=comment,
    )
    notices.alarm_event_notify(event=event)
    activity_record(actor=user, verb="infrastructure.alarm_cleared", target=alarm)
    return alarm
