"""Notices of the leave app, through notifications.services.notify (DESIGN.md).

One seam: the leave services call `leave_notice(...)`; if the notifications app does
not (yet) know a template key, the notice is logged and skipped, never failing the
approval it reports on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

CATEGORY = "services"

# Template keys the notifications app must define (variables in brackets):
TEMPLATE_KEYS = {
    "leave.submitted": "Permohonan cuti menunggu pertimbangan Anda [employee_name, leave_type, start_date, end_date, url]",
    "leave.recommended": "Permohonan cuti menunggu keputusan Anda [employee_name, leave_type, start_date, end_date, url]",
    "leave.decided": "Keputusan atas permohonan cuti [employee_name, leave_type, start_date, end_date, outcome, note, url]",
    "leave.cancelled": "Permohonan cuti dibatalkan [employee_name, leave_type, start_date, end_date, url]",
    "leave.new_device": "Presensi dari perangkat baru [employee_name, at, url]",
}


def leave_notice(
    *, recipients: Iterable[Any], template_key: str, context: dict[str, Any], idempotency_key: str
) -> None:
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return
    from notifications import services as notification_services

    notify = getattr(notification_services, "notify", None)
    if notify is None:
        logger.info("notify() not available: %s not sent", template_key)
        return
    try:
        # A savepoint: a failing notice must not poison the decision's transaction.
        with transaction.atomic():
            notify(
                recipients=recipients,
                template_key=template_key,
                context=context,
                category=CATEGORY,
                idempotency_key=idempotency_key,
            )
    except ValueError as error:  # notifications.services.NotifyError: key not defined yet
        logger.warning("Leave notice %s skipped: %s", template_key, error)
