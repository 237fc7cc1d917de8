"""Reads of the leave app: balances (sums of the ledger), the facts the rules need, who
may act on which request, and the pages' lists with their joins done up front."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from leave import calendar
from leave.models import (
    AttendanceRecord,
    DayStatus,
    Delegation,
    LeaveLedgerEntry,
    LeaveRequest,
    LeaveType,
    LedgerKind,
    UnitAuthority,
)
from leave.rules import Facts
from portal.models import Employee

OPEN_STATES = (LeaveRequest.State.SUBMITTED, LeaveRequest.State.RECOMMENDED)
GRANTED_STATES = (LeaveRequest.State.APPROVED, LeaveRequest.State.TAKEN)
LIVE_STATES = OPEN_STATES + GRANTED_STATES


def employee_for_user(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_leave_employee", False)
    if cached is False:
        cached = Employee.objects.select_related("unit", "superior").filter(user=user).first()
        user._leave_employee = cached
    return cached


def annual_balance(*, employee: Employee, year: int) -> int:
    total = LeaveLedgerEntry.objects.filter(
        employee=employee, leave_type=LeaveType.TAHUNAN, year=year
    ).aggregate(total=Sum("days"))["total"]
    return total or 0


def annual_pending(*, employee: Employee, year: int, exclude_pk: int | None = None) -> int:
    """Working days asked for in requests still waiting for a decision (reserved)."""
    rows = LeaveRequest.objects.filter(
        employee=employee,
        leave_type=LeaveType.TAHUNAN,
        state__in=OPEN_STATES,
        start_date__year=year,
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.aggregate(total=Sum("working_days"))["total"] or 0


def ledger_for(*, employee: Employee, year: int) -> QuerySet[LeaveLedgerEntry]:
    return LeaveLedgerEntry.objects.filter(employee=employee, year=year).select_related(
        "leave_request", "holiday"
    )


def balances_by_employee(*, year: int, employee_ids=None) -> dict[int, int]:
    """Annual balance of every employee for `year` in one grouped query."""
    rows = LeaveLedgerEntry.objects.filter(leave_type=LeaveType.TAHUNAN, year=year)
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=employee_ids)
    return dict(
        rows.values("employee_id").annotate(total=Sum("days")).values_list("employee_id", "total")
    )


def leave_facts(
    *,
    employee: Employee,
    start: datetime.date,
    today: datetime.date,
    exclude_pk: int | None = None,
    leave_type: str | None = None,
) -> Facts:
    """The facts the rules need, in two queries (three for CLTN)."""
    year = start.year
    requests = LeaveRequest.objects.filter(employee=employee, start_date__year=year)
    if exclude_pk:
        requests = requests.exclude(pk=exclude_pk)
    usage = requests.aggregate(
        big=Count("id", filter=Q(leave_type=LeaveType.BESAR, state__in=LIVE_STATES)),
        taken=Coalesce(
            Sum("working_days", filter=Q(leave_type=LeaveType.TAHUNAN, state__in=GRANTED_STATES)),
            0,
        ),
        pending=Coalesce(
            Sum("working_days", filter=Q(leave_type=LeaveType.TAHUNAN, state__in=OPEN_STATES)), 0
        ),
    )
    previous_cltn = None
    if leave_type in (None, LeaveType.CLTN):
        previous_cltn = (
            LeaveRequest.objects.filter(
                employee=employee,
                leave_type=LeaveType.CLTN,
                state__in=GRANTED_STATES,
                end_date__lt=start,
            )
            .order_by("-end_date")
            .values_list("end_date", flat=True)
            .first()
        )
    return Facts(
        employee_kind=employee.kind,
        service_start=employee.service_start,
        today=today,
        female=employee.nip[14:15] == "2",
        annual_available=annual_balance(employee=employee, year=year) - usage["pending"],
        big_leave_in_year=bool(usage["big"]),
        annual_taken_in_year=usage["taken"],
        previous_cltn_end=previous_cltn,
        count_working_days=calendar.working_days_count,
    )


def overlapping(
    *, employee: Employee, start: datetime.date, end: datetime.date, exclude_pk: int | None = None
) -> LeaveRequest | None:
    rows = LeaveRequest.objects.filter(
        employee=employee, state__in=LIVE_STATES, start_date__lte=end, end_date__gte=start
    )
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.first()


# --- Authority ---------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """`actor` acts for `principal` (themselves, or through a Plt/Plh delegation)."""

    actor: Employee
    principal: Employee
    delegation: Delegation | None = None


def principals_for(*, actor: Employee, on: datetime.date) -> dict[int, Acting]:
    """Everyone `actor` may act for on `on`: themselves and whoever delegated to them."""
    acting = {actor.pk: Acting(actor, actor)}
    for delegation in Delegation.objects.filter(
        delegate=actor, starts_on__lte=on, ends_on__gte=on
    ).select_related("principal"):
        acting.setdefault(delegation.principal_id, Acting(actor, delegation.principal, delegation))
    return acting


def pybmc_for(employee: Employee) -> Employee | None:
    """The PYBMC of the employee's unit; for the PYBMC's own leave, the parent unit's."""
    unit = employee.unit
    seen = set()
    while unit is not None and unit.pk not in seen:
        seen.add(unit.pk)
        authority = UnitAuthority.objects.filter(unit=unit).select_related("official").first()
        if authority is not None and authority.official_id != employee.pk:
            return authority.official
        unit = unit.parent
    return None


def approvals_pending_for(*, actor: Employee, on: datetime.date) -> QuerySet[LeaveRequest]:
    """Requests waiting for `actor` (or someone they stand in for), never their own."""
    principal_ids = list(principals_for(actor=actor, on=on))
    units = UnitAuthority.objects.filter(official_id__in=principal_ids).values("unit_id")
    return (
        LeaveRequest.objects.filter(
            Q(state=LeaveRequest.State.SUBMITTED, employee__superior_id__in=principal_ids)
            | Q(state=LeaveRequest.State.RECOMMENDED, employee__unit_id__in=units)
        )
        .exclude(employee=actor)
        .select_related("employee__unit")
        .prefetch_related("evidence")
        .order_by("start_date", "id")
    )


def supervised_unit_ids(*, actor: Employee, on: datetime.date) -> set[int]:
    """Units whose people `actor` may see: units they head as PYBMC, or lead as superior."""
    principal_ids = list(principals_for(actor=actor, on=on))
    units = set(
        UnitAuthority.objects.filter(official_id__in=principal_ids).values_list(
            "unit_id", flat=True
        )
    )
    units |= set(
        Employee.objects.filter(superior_id__in=principal_ids).values_list("unit_id", flat=True)
    )
    return units


def request_for_user(*, user, pk: int, on: datetime.date) -> LeaveRequest | None:
    """The request if `user` owns it or may decide on/see it in their unit; else None (404)."""
    employee = employee_for_user(user)
    if employee is None:
        return None
    request = (
        LeaveRequest.objects.select_related(
            "employee__unit", "employee__superior", "employee__user"
        )
        .prefetch_related("evidence", "decisions__decided_by", "decisions__acting_for")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        return None
    if request.employee_id == employee.pk:
        return request
    if request.employee.unit_id in supervised_unit_ids(actor=employee, on=on):
        return request
    return None


def my_requests(*, employee: Employee) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(employee=employee).order_by("-start_date", "-id")


def away_today(*, unit_ids, on: datetime.date) -> QuerySet[LeaveRequest]:
    return (
        LeaveRequest.objects.filter(
            employee__unit_id__in=unit_ids,
            state__in=GRANTED_STATES,
            start_date__lte=on,
            end_date__gte=on,
        )
        .select_related("employee__unit")
        .order_by("employee__full_name")
    )


def month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


def attendance_month(*, employee: Employee, year: int, month: int):
    first, last = month_range(year, month)
    records = AttendanceRecord.objects.filter(
        employee=employee, local_date__range=(first, last)
    ).select_related("location")
    statuses = DayStatus.objects.filter(employee=employee, date__range=(first, last))
    return records, statuses


def unit_recap(*, unit_ids, year: int, month: int) -> list[dict]:
    """Per employee, the count of each day status in the month (one grouped query)."""
    first, last = month_range(year, month)
    employees = list(
        Employee.objects.filter(unit_id__in=unit_ids, is_active=True)
        .select_related("unit")
        .order_by("unit__code", "full_name")
    )
    counts: dict[int, dict[str, int]] = {}
    for row in (
        DayStatus.objects.filter(employee__in=employees, date__range=(first, last))
        .values("employee_id", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["employee_id"], {})[row["status"]] = row["n"]
    late = dict(
        AttendanceRecord.objects.filter(
            employee__in=employees, local_date__range=(first, last), late=True
        )
        .values("employee_id")
        .annotate(n=Count("id"))
        .values_list("employee_id", "n")
    )
    new_devices = dict(
        AttendanceRecord.objects.filter(
            employee__in=employees, local_date__range=(first, last), new_device=True
        )
        .values("employee_id")
        .annotate(n=Count("id"))
        .values_list("employee_id", "n")
    )
    return [
        {
            "employee": employee,
            "counts": counts.get(employee.pk, {}),
            "cells": [
                counts.get(employee.pk, {}).get(value, 0) for value in DayStatus.Status.values
            ],
            "late": late.get(employee.pk, 0),
            "new_devices": new_devices.get(employee.pk, 0),
        }
        for employee in employees
    ]


def ledger_kinds() -> list[tuple[str, str]]:
    return list(LedgerKind.choices)
