"""Balances are sums of an append-only ledger; the year opening is idempotent."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from leave import selectors, services
from leave.checks import ledger_check
from leave.models import (
    AppendOnlyError,
    Holiday,
    LeaveDecision,
    LeaveLedgerEntry,
    LeaveRequest,
    LedgerKind,
)
from tests.leave.factories import EmployeeFactory, HolidayFactory, LedgerFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def balance(employee, year):
    return selectors.annual_balance(employee=employee, year=year)


def use(employee, year, days):
    request = LeaveRequest.objects.create(
        employee=employee,
        leave_type="tahunan",
        start_date=D(year, 3, 2),
        end_date=D(year, 3, 2) + datetime.timedelta(days=days - 1),
        working_days=days,
        reason="x",
        state="taken",
    )
    LedgerFactory(
        employee=employee, year=year, kind=LedgerKind.DEDUCTION, days=-days, leave_request=request
    )
    return request


def test_a_year_with_6_or_more_unused_days_opens_with_18():
    employee = EmployeeFactory()
    LedgerFactory(employee=employee, year=2025)
    use(employee, 2025, 2)  # 10 left, 6 carried
    services.leave_year_open(year=2026, today=D(2026, 1, 1))
    assert balance(employee, 2026) == 18
    assert balance(employee, 2025) == 0  # the rest expired at year close


def test_after_two_unused_years_the_balance_reaches_24():
    employee = EmployeeFactory()
    LedgerFactory(employee=employee, year=2024)
    services.leave_year_open(year=2025, today=D(2025, 1, 1))
    assert balance(employee, 2025) == 18
    services.leave_year_open(year=2026, today=D(2026, 1, 1))
    # 2024 unused → 2025 = 12 + 6; 2025 unused too (2 years running) → 2026 = 12 + 12.
    assert balance(employee, 2026) == 24


def test_deferral_by_the_pybmc_lets_the_next_year_reach_24():
    employee = EmployeeFactory()
    pybmc = EmployeeFactory()
    LedgerFactory(employee=employee, year=2025)
    use(employee, 2025, 1)  # used this year, so not "unused"
    deferred = LeaveRequest.objects.create(
        employee=employee,
        leave_type="tahunan",
        start_date=D(2025, 12, 1),
        end_date=D(2025, 12, 5),
        working_days=5,
        reason="x",
        state="deferred",
    )
    LeaveDecision.objects.create(
        leave_request=deferred, stage="pybmc", outcome="deferred", decided_by=pybmc
    )
    services.leave_year_open(year=2026, today=D(2026, 1, 1))
    assert balance(employee, 2026) == 12 + 11


def test_opening_the_year_twice_allocates_once():
    employee = EmployeeFactory()
    LedgerFactory(employee=employee, year=2025)
    services.leave_year_open(year=2026, today=D(2026, 1, 1))
    services.leave_year_open(year=2026, today=D(2026, 1, 2))
    assert balance(employee, 2026) == 18
    assert (
        LeaveLedgerEntry.objects.filter(employee=employee, year=2026, kind="allocation").count()
        == 1
    )


def test_annual_leave_is_allocated_once_one_year_of_service_is_reached():
    newcomer = EmployeeFactory(service_start=D(2025, 9, 15))
    services.leave_year_open(year=2026, today=D(2026, 1, 1))
    assert balance(newcomer, 2026) == 0
    services.leave_year_open(year=2026, today=D(2026, 9, 15))
    assert balance(newcomer, 2026) == 12


def test_pppk_get_annual_leave_after_one_year_too():
    pppk = EmployeeFactory(kind="pppk", service_start=D(2024, 3, 1))
    services.leave_year_open(year=2026, today=D(2026, 1, 1))
    assert balance(pppk, 2026) == 12


def test_working_a_cuti_bersama_day_adds_it_to_annual_leave_once():
    employee = EmployeeFactory()
    LedgerFactory(employee=employee, year=2026)
    day = HolidayFactory(
        date=D(2026, 12, 24), name="Cuti bersama Natal", kind=Holiday.Kind.CUTI_BERSAMA
    )
    services.cuti_bersama_worked_record(employee=employee, holiday=day)
    services.cuti_bersama_worked_record(employee=employee, holiday=day)
    assert balance(employee, 2026) == 13
    national = HolidayFactory(date=D(2026, 12, 25), name="Natal")
    assert services.cuti_bersama_worked_record(employee=employee, holiday=national) is None


def test_cuti_bersama_is_not_deducted_from_annual_leave(cast):
    HolidayFactory(date=D(2026, 7, 7), name="Cuti bersama", kind=Holiday.Kind.CUTI_BERSAMA)
    request = services.leave_request_submit(
        employee=cast.staff,
        leave_type="tahunan",
        start=D(2026, 7, 6),
        end=D(2026, 7, 8),
        reason="x",
        today=D(2026, 7, 1),
    )
    assert request.working_days == 2


def test_ledger_rows_cannot_be_changed_or_deleted():
    entry = LedgerFactory()
    entry.days = 20
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_database_refuses_a_second_deduction_for_one_request():
    employee = EmployeeFactory()
    request = use(employee, 2026, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerFactory(employee=employee, kind=LedgerKind.DEDUCTION, days=-2, leave_request=request)


def test_the_database_refuses_a_deduction_with_the_wrong_sign():
    employee = EmployeeFactory()
    request = use(employee, 2026, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerFactory(employee=employee, kind=LedgerKind.REVERSAL, days=-1, leave_request=request)


def test_the_nightly_check_reports_an_approved_request_without_its_deduction():
    employee = EmployeeFactory()
    LedgerFactory(employee=employee, year=2026)
    LeaveRequest.objects.create(
        employee=employee,
        leave_type="tahunan",
        start_date=D(2026, 3, 2),
        end_date=D(2026, 3, 3),
        working_days=2,
        reason="x",
        state="approved",
    )
    problems = ledger_check(year=2026)
    assert len(problems) == 1 and "expects -2" in str(problems[0])
    with pytest.raises(CommandError):
        call_command("leave_ledger_check", "--year", "2026", stdout=io.StringIO())


def test_the_nightly_check_is_quiet_when_all_agree():
    employee = EmployeeFactory()
    LedgerFactory(employee=employee, year=2026)
    use(employee, 2026, 3)
    out = io.StringIO()
    call_command("leave_ledger_check", "--year", "2026", stdout=out)
    assert "all balances agree" in out.getvalue()
