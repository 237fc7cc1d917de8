"""The nightly ledger check: every balance must agree with what its requests imply.

Balances are sums of ledger rows, so they cannot drift from the ledger itself; what
can go wrong is the ledger disagreeing with the requests (a deduction missing or of
the wrong size, a cancelled leave never given back) or a balance outside what the
regulation allows (below 0 or above 24 working days).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from leave import rules
from leave.models import LeaveLedgerEntry, LeaveRequest, LeaveType, LedgerKind


@dataclass(frozen=True)
class Problem:
    employee_id: int
    year: int
    message: str

    def __str__(self) -> str:
        return f"employee {self.employee_id} year {self.year}: {self.message}"


def ledger_check(*, year: int) -> list[Problem]:
    """Two grouped queries, whatever the number of employees."""
    granted = [LeaveRequest.State.APPROVED, LeaveRequest.State.TAKEN]
    usage = Coalesce(
        Sum("ledger__days", filter=Q(ledger__kind__in=[LedgerKind.DEDUCTION, LedgerKind.REVERSAL])),
        0,
    )
    wrong = (
        LeaveRequest.objects.filter(leave_type=LeaveType.TAHUNAN, start_date__year=year)
        .annotate(used=usage)
        .filter(
            (Q(state__in=granted) & ~Q(used=-F("working_days")))
            | (~Q(state__in=granted) & ~Q(used=0))
        )
        .values_list("pk", "employee_id", "state", "working_days", "used")
    )
    problems = [
        Problem(
            employee_id,
            year,
            f"request {pk} ({state}) expects {-days if state in granted else 0} days, "
            f"ledger has {used}",
        )
        for pk, employee_id, state, days, used in wrong
    ]
    totals = (
        LeaveLedgerEntry.objects.filter(year=year, leave_type=LeaveType.TAHUNAN)
        .values("employee_id")
        .annotate(
            total=Sum("days"),
            top_up=Coalesce(Sum("days", filter=Q(kind=LedgerKind.TOP_UP)), 0),
        )
        .filter(Q(total__lt=0) | Q(total__gt=rules.ANNUAL_MAX_AFTER_UNUSED + F("top_up")))
        .values_list("employee_id", "total")
    )
    problems.extend(
        Problem(employee_id, year, f"annual balance {total} outside 0..24")
        for employee_id, total in totals
    )
    return problems
