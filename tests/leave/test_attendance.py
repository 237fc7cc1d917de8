"""Presensi: geofence, dinas luar, late/early flags in the employee's time zone,
new devices, and the day statuses."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from leave import services
from leave.models import AttendanceRecord, DayStatus, DutyTrip, Holiday, KnownDevice
from tests.leave.factories import (
    EmployeeFactory,
    HolidayFactory,
    LedgerFactory,
    WorkLocationFactory,
)

D = datetime.date
WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db

OFFICE = (Decimal("-6.911600"), Decimal("107.609300"))
NEAR = (Decimal("-6.911900"), Decimal("107.609500"))  # about 40 m away
FAR = (Decimal("-6.914700"), Decimal("107.609300"))  # about 345 m south


FIRST_JULY = D(2026, 7, 1)


def at(hour, minute=0, day=FIRST_JULY, tz=WIB):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


@pytest.fixture
def employee():
    employee = EmployeeFactory(superior=EmployeeFactory())
    WorkLocationFactory().employees.add(employee)
    return employee


def check(employee, kind="in", where=NEAR, when=None, fingerprint="device-a", accuracy=20):
    return services.attendance_record(
        employee=employee,
        kind=kind,
        latitude=where[0],
        longitude=where[1],
        accuracy_m=accuracy,
        fingerprint=fingerprint,
        at=when or at(7, 20),
    )


def test_haversine_distance_matches_a_known_length():
    # One thousandth of a degree of latitude is about 111 m.
    assert round(services.haversine_m(-6.9116, 107.6093, -6.9126, 107.6093)) == 111


def test_check_in_inside_the_geofence_is_accepted_and_the_day_is_hadir(employee):
    record = check(employee)
    assert record.mode == "onsite" and record.distance_m < 100 and not record.late
    assert DayStatus.objects.get(employee=employee, date=D(2026, 7, 1)).status == "hadir"


def test_check_in_outside_the_geofence_is_refused_with_the_distance_and_writes_nothing(employee):
    with pytest.raises(services.AttendanceRefused) as refused:
        check(employee, where=FAR)
    assert "345 m" in refused.value.messages[0] and "100 m" in refused.value.messages[0]
    assert not AttendanceRecord.objects.exists() and not KnownDevice.objects.exists()


def test_check_in_outside_the_geofence_on_an_approved_duty_trip_is_dinas_luar(employee):
    DutyTrip.objects.create(
        employee=employee,
        starts_on=D(2026, 7, 1),
        ends_on=D(2026, 7, 2),
        destination="Jakarta",
        purpose="Rapat koordinasi",
        approved_by=employee.superior,
        approved_at=at(6),
    )
    record = check(employee, where=FAR)
    assert record.mode == "duty" and record.duty_trip is not None
    assert DayStatus.objects.get(employee=employee).status == "dinas_luar"


def test_an_unapproved_duty_trip_does_not_count(employee):
    DutyTrip.objects.create(
        employee=employee,
        starts_on=D(2026, 7, 1),
        ends_on=D(2026, 7, 2),
        destination="Jakarta",
        purpose="Rapat",
    )
    with pytest.raises(services.AttendanceRefused):
        check(employee, where=FAR)


def test_an_imprecise_location_is_refused(employee):
    with pytest.raises(services.AttendanceRefused) as refused:
        check(employee, accuracy=900)
    assert "akurat" in refused.value.messages[0]


def test_late_arrival_and_early_leave_are_flagged(employee):
    record = check(employee, when=at(7, 45))
    assert record.late
    assert DayStatus.objects.get(employee=employee).status == "terlambat"
    out = check(employee, kind="out", when=at(15, 0))
    assert out.early


def test_lateness_is_judged_in_the_employees_own_time_zone(employee):
    employee.user.time_zone = "Asia/Jayapura"
    employee.user.save()
    # 06:20 WIB is 08:20 WIT: late in Jayapura.
    record = check(employee, when=at(6, 20))
    assert record.late and record.local_date == D(2026, 7, 1)


def test_checking_in_twice_a_day_is_refused(employee):
    check(employee)
    with pytest.raises(services.AttendanceRefused):
        check(employee, when=at(8))


def test_a_new_device_is_flagged_once(employee):
    assert check(employee).new_device
    second = check(employee, kind="out", when=at(16, 5))
    assert not second.new_device and not second.early
    other = check(employee, when=at(7, 10, day=D(2026, 7, 2)), fingerprint="device-b")
    assert other.new_device


def test_approved_leave_stays_the_days_status_even_with_a_check_in(cast):
    WorkLocationFactory().employees.add(cast.staff)
    request = services.leave_request_submit(
        employee=cast.staff,
        leave_type="tahunan",
        start=D(2026, 7, 6),
        end=D(2026, 7, 6),
        reason="x",
        today=D(2026, 7, 1),
    )
    services.leave_request_decide(
        leave_request_id=request.pk, actor=cast.head, action="recommend", today=D(2026, 7, 1)
    )
    services.leave_request_decide(
        leave_request_id=request.pk, actor=cast.pybmc, action="approve", today=D(2026, 7, 1)
    )
    check(cast.staff, when=at(7, 0, day=D(2026, 7, 6)))
    assert DayStatus.objects.get(employee=cast.staff, date=D(2026, 7, 6)).status == "cuti"


def test_closing_a_day_marks_absent_holiday_and_duty_statuses(employee):
    present = employee
    absent = EmployeeFactory()
    travelling = EmployeeFactory()
    DutyTrip.objects.create(
        employee=travelling,
        starts_on=D(2026, 7, 1),
        ends_on=D(2026, 7, 1),
        destination="Garut",
        purpose="Survei",
        approved_by=present,
        approved_at=at(6),
    )
    check(present)
    counts = services.day_statuses_close(day=D(2026, 7, 1))
    statuses = dict(
        DayStatus.objects.filter(date=D(2026, 7, 1)).values_list("employee_id", "status")
    )
    assert statuses[present.pk] == "hadir"
    assert statuses[absent.pk] == "tk"
    assert statuses[travelling.pk] == "dinas_luar"
    assert counts["tk"] >= 1
    services.day_statuses_close(day=D(2026, 7, 1))
    assert DayStatus.objects.filter(date=D(2026, 7, 1)).count() == len(statuses)
    HolidayFactory(date=D(2026, 8, 17), name="Kemerdekaan")
    services.day_statuses_close(day=D(2026, 8, 17))
    assert DayStatus.objects.get(employee=absent, date=D(2026, 8, 17)).status == "libur"


def test_checking_in_on_a_cuti_bersama_day_adds_the_day_to_annual_leave(employee):
    LedgerFactory(employee=employee, year=2026)
    HolidayFactory(date=D(2026, 12, 24), name="Cuti bersama Natal", kind=Holiday.Kind.CUTI_BERSAMA)
    record = check(employee, when=at(9, 0, day=D(2026, 12, 24)))
    assert not record.late  # not a working day: nobody is late
    from leave.selectors import annual_balance

    assert annual_balance(employee=employee, year=2026) == 13


def test_the_daily_task_closes_yesterday_starts_leave_and_allocates(employee):
    from leave.tasks import daily_task, ledger_check_task

    with time_machine.travel(datetime.datetime(2026, 7, 2, 0, 30, tzinfo=WIB), tick=False):
        result = daily_task()
    assert result["closed"]["tk"] >= 1 and result["opened"]["allocations"] >= 1
    assert DayStatus.objects.get(employee=employee, date=D(2026, 7, 1)).status == "tk"
    assert ledger_check_task(2026) == 0


def test_the_day_close_command_refuses_a_day_that_has_not_ended():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("leave_day_close", "--date", "2999-01-01")
