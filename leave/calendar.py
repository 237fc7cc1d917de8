"""Working days and office hours.

Working days are Monday-Friday minus national holidays and cuti bersama (the admin-
editable `Holiday` table, pre-filled from the `holidays` package's Indonesian
calendar and the cuti bersama decree table below). Counting is arithmetic on the
range plus one query for the holidays in it, so it costs the same for a day or a year.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from leave.models import Holiday, WorkSchedule

# Cuti bersama ASN 2026 (SKB Menteri Agama, Menteri Ketenagakerjaan dan MenPANRB on
# 2026 national holidays and cuti bersama). Decrees change during the year: these rows
# are loaded with source "decree" and edited in the admin when a new decree comes out.
CUTI_BERSAMA: dict[datetime.date, str] = {
    datetime.date(2026, 2, 16): "Cuti bersama Tahun Baru Imlek",
    datetime.date(2026, 3, 18): "Cuti bersama Hari Suci Nyepi",
    datetime.date(2026, 3, 20): "Cuti bersama Idul Fitri",
    datetime.date(2026, 3, 23): "Cuti bersama Idul Fitri",
    datetime.date(2026, 3, 24): "Cuti bersama Idul Fitri",
    datetime.date(2026, 5, 15): "Cuti bersama Kenaikan Yesus Kristus",
    datetime.date(2026, 5, 28): "Cuti bersama Idul Adha",
    datetime.date(2026, 12, 24): "Cuti bersama Hari Raya Natal",
}


def calendar_fill(*, years: range) -> tuple[int, int]:
    """Load national holidays (holidays package) and known cuti bersama; keep admin edits.

    Returns (created, skipped). A date that already has a row is left alone, so an
    admin's correction survives a re-run.
    """
    import holidays

    wanted: dict[datetime.date, tuple[str, str, str]] = {}
    for day, name in holidays.Indonesia(years=list(years)).items():
        wanted[day] = (name, Holiday.Kind.NATIONAL, Holiday.Source.PACKAGE)
    for day, name in CUTI_BERSAMA.items():
        if day.year in years and day not in wanted:
            wanted[day] = (name, Holiday.Kind.CUTI_BERSAMA, Holiday.Source.DECREE)
    existing = set(Holiday.objects.filter(date__in=wanted).values_list("date", flat=True))
    rows = [
        Holiday(date=day, name=name[:150], kind=kind, source=source)
        for day, (name, kind, source) in sorted(wanted.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows), len(existing)


def weekdays_between(start: datetime.date, end: datetime.date) -> int:
    """Mondays-Fridays in [start, end], by arithmetic."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    first = start.weekday()
    count += sum(1 for offset in range(rest) if (first + offset) % 7 < 5)
    return count


def holiday_dates(start: datetime.date, end: datetime.date) -> dict[datetime.date, Holiday]:
    return {h.date: h for h in Holiday.objects.filter(date__range=(start, end))}


def working_days_count(start: datetime.date, end: datetime.date) -> int:
    """Working days in [start, end]: weekdays minus weekday holidays and cuti bersama."""
    if end < start:
        return 0
    # week_day in Django: 1 = Sunday … 7 = Saturday.
    off = (
        Holiday.objects.filter(date__range=(start, end)).exclude(date__week_day__in=(1, 7)).count()
    )
    return weekdays_between(start, end) - off


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    off = holiday_dates(start, end)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not Holiday.objects.filter(date=day).exists()


def local_now(user) -> datetime.datetime:
    """Now in the user's own time zone (WIB, WITA or WIT)."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(user_time_zone(user)))


def user_time_zone(user) -> str:
    return getattr(user, "time_zone", "") or settings.TIME_ZONE


def local_today(user) -> datetime.date:
    return local_now(user).date()


@dataclass(frozen=True)
class Hours:
    start: datetime.time
    end: datetime.time


# Used until an admin stores schedules: Mon-Thu 07:30-16:00 with 60 min break and
# Fri 07:30-16:30 with 90 min break = 4 x 7.5 h + 7.5 h = 37.5 h a week (Perpres
# 21/2023 on ASN working days and hours). Ramadan hours are set each year by a
# MenPANRB circular and stored as a WorkSchedule row of kind "ramadan".
DEFAULT_NORMAL = WorkSchedule(
    name="Jam kerja normal",
    kind=WorkSchedule.Kind.NORMAL,
    mon_thu_start=datetime.time(7, 30),
    mon_thu_end=datetime.time(16, 0),
    mon_thu_break_minutes=60,
    fri_start=datetime.time(7, 30),
    fri_end=datetime.time(16, 30),
    fri_break_minutes=90,
)


def schedule_for(day: datetime.date) -> WorkSchedule:
    ramadan = WorkSchedule.objects.filter(
        kind=WorkSchedule.Kind.RAMADAN, valid_from__lte=day, valid_to__gte=day
    ).first()
    if ramadan is not None:
        return ramadan
    return WorkSchedule.objects.filter(kind=WorkSchedule.Kind.NORMAL).first() or DEFAULT_NORMAL


def hours_for(day: datetime.date) -> Hours:
    start, end = schedule_for(day).hours_for(day)
    return Hours(start, end)
