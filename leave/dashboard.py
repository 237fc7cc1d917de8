"""Leave's navigation links, dashboard card, activity labels and demo seeder."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.registry import (
    DashboardCard,
    NavLink,
    register_card,
    register_nav,
    register_seeder,
    register_verb,
)

VERBS = {
    "leave.submitted": _("Mengajukan cuti"),
    "leave.recommended": _("Memberi pertimbangan cuti"),
    "leave.approved": _("Menyetujui cuti"),
    "leave.changed": _("Mengubah jadwal cuti"),
    "leave.deferred": _("Menangguhkan cuti"),
    "leave.rejected": _("Menolak cuti"),
    "leave.cancelled": _("Membatalkan cuti"),
    "leave.checked_in": _("Presensi masuk"),
    "leave.checked_out": _("Presensi pulang"),
}


def _card(request: HttpRequest) -> dict | None:
    from leave import selectors

    employee = selectors.employee_for_user(request.user)
    if employee is None:
        return None
    today = timezone.localdate()
    return {
        "balance": selectors.annual_balance(employee=employee, year=today.year),
        "pending": selectors.approvals_pending_for(actor=employee, on=today).count(),
    }


def register() -> None:
    from leave import demo

    register_nav(
        NavLink(_("Cuti & Presensi"), "leave:index", roles=("pegawai", "atasan"), order=30)
    )
    register_nav(NavLink(_("Persetujuan cuti"), "leave:approvals", roles=("atasan",), order=31))
    register_card(
        DashboardCard(
            "leave/_card.html",
            _card,
            roles=("pegawai", "atasan"),
            order=30,
            # Also what the apply page's cached preview depends on (leave/views.py).
            invalidated_by=(
                "leave.LeaveRequest.employee.user_id",
                "leave.LeaveLedgerEntry.employee.user_id",
                "portal.Employee.user_id",
            ),
        )
    )
    for verb, label in VERBS.items():
        register_verb(verb, label)
    register_seeder(demo.seed, order=50)  # after e-Surat (45): approvals issue decrees
