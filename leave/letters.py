"""The leave decree (surat izin cuti), issued as an e-Surat letter on final approval.

e-Surat lives in notifications (DESIGN.md: leave may import `notifications.services`
only). Until `notifications.services.letter_issue` is re-exported there, nothing is
issued and the skipped decree is logged, so approvals keep working meanwhile. A
decree that fails to issue (e.g. no signing official configured for the unit) is
logged too: the approval stands and the decree can be issued again from the admin.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from leave.models import LeaveDecision, LeaveRequest

logger = logging.getLogger(__name__)

# Archive classification code of leave decrees (Permendagri 83/2022: 800.1.11.1 cuti).
CLASSIFICATION = "800.1.11.1"
BODY_TEMPLATE = "leave/decree_body.html"


def decree_context(leave_request: LeaveRequest) -> dict[str, Any]:
    employee = leave_request.employee
    return {
        "employee_name": employee.full_name,
        "nip": employee.nip,
        "position": employee.position,
        "unit": employee.unit.name,
        "leave_type": str(leave_request.get_leave_type_display()),
        "start_date": leave_request.start_date,
        "end_date": leave_request.end_date,
        "working_days": leave_request.working_days,
        "address_during_leave": leave_request.address_during_leave,
    }


def decree_issue(leave_request: LeaveRequest) -> Any | None:
    """Issue the surat izin cuti through e-Surat, if available; return the letter or None."""
    from notifications import services as notification_services

    letter_issue = getattr(notification_services, "letter_issue", None)
    if letter_issue is None:
        logger.info("e-Surat not available: no decree for leave request %s", leave_request.pk)
        return None
    decision = (
        LeaveDecision.objects.filter(leave_request=leave_request)
        .select_related("decided_by__user", "acting_for__user")
        .order_by("-created_at", "-id")
        .first()
    )
    signer = decision.decided_by if decision else None
    try:
        with transaction.atomic():
            return letter_issue(
                kind="leave_decree",
                unit_code=leave_request.employee.unit.code,
                classification_code=CLASSIFICATION,
                official_user=signer.user if signer else None,
                recipient=leave_request.employee.user,
                recipient_name=leave_request.employee.full_name,
                subject=_("Surat Izin %(kind)s") % {"kind": leave_request.get_leave_type_display()},
                body_template=BODY_TEMPLATE,
                context=decree_context(leave_request),
                issued_by=decision.decided_by.user if decision else leave_request.employee.user,
            )
    except Exception:
        logger.exception("Leave decree for request %s was not issued", leave_request.pk)
        return None
