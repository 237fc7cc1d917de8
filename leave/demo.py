"""Demo data of the leave app: calendar, office hours, PYBMC per unit, geofences at the
Bandung city hall area, this year's allocations and requests in several states.

Idempotent: every step checks what is there first.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from leave import calendar, services
from leave.models import LeaveRequest, LeaveType, UnitAuthority, WorkLocation, WorkSchedule
from portal.models import Employee, OrgUnit

# Around Balai Kota Bandung (Jl. Wastukencana No. 2) and the offices nearby.
LOCATIONS = {
    "BKPSDM": ("Kantor BKPSDM, Balai Kota Bandung", Decimal("-6.911600"), Decimal("107.609300")),
    "PUPR": (
        "Kantor Dinas PUPR, Jl. Cianjur Bandung",
        Decimal("-6.913900"),
        Decimal("107.634700"),
    ),
    "DISKOMINFO": (
        "Kantor Diskominfo, Balai Kota Bandung",
        Decimal("-6.910900"),
        Decimal("107.610200"),
    ),
}


@transaction.atomic
def seed(*, stdout, rng: random.Random) -> None:
    today = timezone.localdate()
    calendar.calendar_fill(years=range(today.year - 1, today.year + 3))
    WorkSchedule.objects.get_or_create(
        kind=WorkSchedule.Kind.NORMAL,
        defaults={
            "name": "Jam kerja normal (37,5 jam/minggu)",
            "mon_thu_start": datetime.time(7, 30),
            "mon_thu_end": datetime.time(16, 0),
            "mon_thu_break_minutes": 60,
            "fri_start": datetime.time(7, 30),
            "fri_end": datetime.time(16, 30),
            "fri_break_minutes": 90,
        },
    )
    WorkSchedule.objects.get_or_create(
        kind=WorkSchedule.Kind.RAMADAN,
        valid_from=datetime.date(2026, 2, 19),
        defaults={
            "name": "Jam kerja Ramadan 1447 H",
            "valid_to": datetime.date(2026, 3, 19),
            "mon_thu_start": datetime.time(8, 0),
            "mon_thu_end": datetime.time(15, 0),
            "mon_thu_break_minutes": 30,
            "fri_start": datetime.time(8, 0),
            "fri_end": datetime.time(15, 30),
            "fri_break_minutes": 60,
        },
    )
    for code, (name, lat, lon) in LOCATIONS.items():
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            continue
        head = unit.employees.filter(superior=None, is_active=True).order_by("pk").first()
        if head is not None:
            UnitAuthority.objects.get_or_create(unit=unit, defaults={"official": head})
        location, _created = WorkLocation.objects.get_or_create(
            name=name, defaults={"unit": unit, "latitude": lat, "longitude": lon, "radius_m": 100}
        )
        location.employees.add(*unit.employees.all())
    services.leave_year_open(year=today.year - 1, today=datetime.date(today.year - 1, 12, 31))
    services.leave_year_open(year=today.year, today=today)
    if LeaveRequest.objects.exists():
        return
    _demo_requests(today, rng)
    stdout.write("  leave: calendar, PYBMC, work locations, allocations and requests ready")


def _next_monday(day: datetime.date, weeks: int) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) + 7 * weeks)


def _demo_requests(today: datetime.date, rng: random.Random) -> None:
    unit = OrgUnit.objects.filter(code="BKPSDM").first()
    if unit is None:
        return
    staff = list(
        Employee.objects.filter(unit=unit, superior__isnull=False, kind=Employee.Kind.PNS)
        .select_related("superior__user", "user")
        .order_by("pk")[:4]
    )
    authority = UnitAuthority.objects.filter(unit=unit).select_related("official").first()
    if len(staff) < 4 or authority is None:
        return
    plans = [("submitted", 1), ("recommended", 2), ("approved", 3), ("rejected", 2)]
    for employee, (state, weeks) in zip(staff, plans, strict=False):
        start = _next_monday(today, weeks)
        try:
            request = services.leave_request_submit(
                employee=employee,
                leave_type=LeaveType.TAHUNAN,
                start=start,
                end=start + datetime.timedelta(days=rng.choice([0, 1, 2])),
                reason="Keperluan keluarga",
                today=today,
                address_during_leave="Bandung",
            )
        except services.LeaveRefused:
            continue
        if state in ("recommended", "approved"):
            services.leave_request_decide(
                leave_request_id=request.pk,
                actor=employee.superior,
                action="recommend",
                today=today,
            )
        if state == "approved" and authority.official_id != employee.pk:
            services.leave_request_decide(
                leave_request_id=request.pk, actor=authority.official, action="approve", today=today
            )
        if state == "rejected":
            services.leave_request_decide(
                leave_request_id=request.pk,
                actor=employee.superior,
                action="reject",
                today=today,
                note="Bertepatan dengan kegiatan evaluasi kinerja unit.",
            )
