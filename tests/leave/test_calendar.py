from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from leave import calendar
from leave.models import Holiday
from tests.factories import UserFactory
from tests.leave.factories import HolidayFactory

D = datetime.date


@pytest.mark.django_db
def test_working_days_skip_weekends_national_holidays_and_cuti_bersama():
    HolidayFactory(date=D(2026, 8, 17), name="Kemerdekaan")  # Monday
    HolidayFactory(date=D(2026, 8, 18), name="Cuti bersama", kind=Holiday.Kind.CUTI_BERSAMA)
    HolidayFactory(date=D(2026, 8, 22), name="On a Saturday")  # not double-counted
    # 17-28 August 2026: 10 weekdays less 2 days off.
    assert calendar.working_days_count(D(2026, 8, 17), D(2026, 8, 28)) == 8
    assert calendar.working_days(D(2026, 8, 17), D(2026, 8, 19)) == [D(2026, 8, 19)]


@pytest.mark.django_db
def test_working_days_of_an_empty_or_reversed_range_are_zero():
    assert calendar.working_days_count(D(2026, 8, 22), D(2026, 8, 23)) == 0
    assert calendar.working_days_count(D(2026, 8, 23), D(2026, 8, 22)) == 0


@pytest.mark.parametrize("days", [1, 6, 7, 13, 40, 366])
def test_weekday_arithmetic_agrees_with_counting_day_by_day(days):
    start = D(2026, 1, 1)
    for shift in range(7):
        first = start + datetime.timedelta(days=shift)
        last = first + datetime.timedelta(days=days - 1)
        slow = sum(1 for n in range(days) if (first + datetime.timedelta(n)).weekday() < 5)
        assert calendar.weekdays_between(first, last) == slow


@pytest.mark.django_db
def test_counting_a_year_takes_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar.working_days_count(D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.django_db
def test_calendar_fill_loads_the_holidays_package_and_cuti_bersama_and_keeps_admin_edits():
    Holiday.objects.create(
        date=D(2026, 8, 17), name="Edited by admin", kind="national", source="manual"
    )
    call_command("leave_calendar_fill", "--years", "2026-2027", stdout=io.StringIO())
    assert Holiday.objects.get(date=D(2026, 8, 17)).name == "Edited by admin"
    assert Holiday.objects.filter(date=D(2026, 12, 25), kind="national").exists()
    assert Holiday.objects.filter(
        date=D(2026, 12, 24), kind="cuti_bersama", source="decree"
    ).exists()
    assert Holiday.objects.filter(date__year=2027).count() >= 10
    before = Holiday.objects.count()
    call_command("leave_calendar_fill", "--years", "2026-2027", stdout=io.StringIO())
    assert Holiday.objects.count() == before


@pytest.mark.django_db
def test_a_users_today_follows_their_own_time_zone():
    wib = UserFactory(time_zone="Asia/Jakarta")
    wit = UserFactory(time_zone="Asia/Jayapura")
    # 23:30 WIB on 16 August is already 17 August (a holiday) in Jayapura.
    with time_machine.travel(
        datetime.datetime(2026, 8, 16, 16, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert calendar.local_today(wib) == D(2026, 8, 16)
        assert calendar.local_today(wit) == D(2026, 8, 17)


@pytest.mark.django_db
def test_the_normal_week_is_37_and_a_half_hours_and_ramadan_has_its_own_hours():
    assert calendar.DEFAULT_NORMAL.weekly_hours == 37.5
    from leave.models import WorkSchedule

    WorkSchedule.objects.create(
        name="Ramadan",
        kind="ramadan",
        valid_from=D(2026, 2, 19),
        valid_to=D(2026, 3, 19),
        mon_thu_start=datetime.time(8),
        mon_thu_end=datetime.time(15),
        mon_thu_break_minutes=30,
        fri_start=datetime.time(8),
        fri_end=datetime.time(15, 30),
        fri_break_minutes=60,
    )
    assert calendar.hours_for(D(2026, 3, 2)).start == datetime.time(8)
    assert calendar.hours_for(D(2026, 4, 6)).start == datetime.time(7, 30)
    assert calendar.hours_for(D(2026, 4, 10)).end == datetime.time(16, 30)
