"""Writes of the leave app: requests and their approval chain, the ledger, presensi.

Every decision locks its request row (SELECT … FOR UPDATE) and checks the state
machine before writing, and the ledger has unique constraints per request, so a
double-submitted approval writes one deduction.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from leave import calendar, letters, rules, selectors
from leave.evidence import evidence_validate
from leave.models import (
    AttendanceRecord,
    DayStatus,
    DutyTrip,
    Holiday,
    KnownDevice,
    LeaveDecision,
    LeaveEvidence,
    LeaveLedgerEntry,
    LeaveRequest,
    LeaveType,
    LedgerKind,
    WorkLocation,
)
from leave.notices import leave_notice
from portal.models import Employee
from portal.services import activity_record


class LeaveRefused(ValidationError):
    """The request breaks a rule; the messages cite it. Nothing was written."""


# --- Requests ------------------------------------------------------------------------


def _notice_context(leave_request: LeaveRequest, **extra) -> dict:
    return {
        "employee_name": leave_request.employee.full_name,
        "leave_type": str(leave_request.get_leave_type_display()),
        "start_date": leave_request.start_date.isoformat(),
        "end_date": leave_request.end_date.isoformat(),
        "url": reverse("leave:request_detail", args=[leave_request.pk]),
        **extra,
    }


def _user_of(employee: Employee | None):
    return employee.user if employee is not None else None


def application_evaluate(
    *,
    employee: Employee,
    leave_type: str,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    exclude_pk: int | None = None,
    evidence_kinds: frozenset[str] = frozenset(),
    important_reason: str = "",
    delivery_number: int | None = None,
    first_hajj: bool = False,
    emergency: bool = False,
) -> tuple[rules.Application, rules.Verdict]:
    """Run every rule on a proposed range; used by the live preview and on submit."""
    days = calendar.working_days_count(start, end) if end >= start else 0
    application = rules.Application(
        leave_type=leave_type,
        start=start,
        end=end,
        working_days=days,
        important_reason=important_reason,
        delivery_number=delivery_number,
        first_hajj=first_hajj,
        emergency=emergency,
        evidence_kinds=evidence_kinds,
    )
    facts = selectors.leave_facts(
        employee=employee, start=start, today=today, exclude_pk=exclude_pk, leave_type=leave_type
    )
    verdict = rules.evaluate(application, facts)
    if end >= start:
        clash = selectors.overlapping(
            employee=employee, start=start, end=end, exclude_pk=exclude_pk
        )
        if clash is not None:
            verdict.refusals.append(
                rules.Refusal(
                    "no_overlap",
                    _(
                        "Rentang ini bertumpuk dengan %(kind)s %(start)s s.d. %(end)s; satu hari "
                        "hanya dapat dimohonkan untuk satu cuti."
                    )
                    % {
                        "kind": clash.get_leave_type_display(),
                        "start": clash.start_date.strftime("%d-%m-%Y"),
                        "end": clash.end_date.strftime("%d-%m-%Y"),
                    },
                )
            )
    return application, verdict


@transaction.atomic
def leave_request_submit(
    *,
    employee: Employee,
    leave_type: str,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    today: datetime.date,
    evidence: Sequence[tuple[str, UploadedFile]] = (),
    important_reason: str = "",
    delivery_number: int | None = None,
    first_hajj: bool = False,
    emergency: bool = False,
    address_during_leave: str = "",
) -> LeaveRequest:
    """Create and submit a request, or raise LeaveRefused (nothing written)."""
    problems: list[str] = []
    checked: list[tuple[str, UploadedFile, str]] = []
    for kind, upload in evidence:
        try:
            checked.append((kind, upload, evidence_validate(upload)))
        except ValidationError as error:
            problems.extend(error.messages)
    # Lock the employee's row: two tabs submitting at once cannot both spend the balance.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    application, verdict = application_evaluate(
        employee=employee,
        leave_type=leave_type,
        start=start,
        end=end,
        today=today,
        evidence_kinds=frozenset(kind for kind, _upload, _mime in checked),
        important_reason=important_reason,
        delivery_number=delivery_number,
        first_hajj=first_hajj,
        emergency=emergency,
    )
    problems.extend(verdict.messages)
    if problems:
        raise LeaveRefused(problems)
    leave_request = LeaveRequest.objects.create(
        employee=employee,
        leave_type=leave_type,
        start_date=start,
        end_date=end,
        working_days=application.working_days,
        reason=reason,
        important_reason=important_reason,
        delivery_number=delivery_number,
        first_hajj=first_hajj,
        emergency=emergency,
        address_during_leave=address_during_leave,
    )
    for kind, upload, mime in checked:
        LeaveEvidence.objects.create(
            leave_request=leave_request,
            kind=kind,
            file=upload,
            original_name=upload.name[:150],
            content_type=mime,
            size=upload.size,
        )
    leave_request.submit()
    # No direct superior (a unit head): the request goes straight to the PYBMC.
    if employee.superior_id is None:
        leave_request.recommend()
    leave_request.save()
    activity_record(
        actor=employee.user,
        verb="leave.submitted",
        target=leave_request,
        data={"leave_type": leave_type, "working_days": application.working_days},
    )
    next_person = (
        employee.superior
        if leave_request.state == LeaveRequest.State.SUBMITTED
        else selectors.pybmc_for(employee)
    )
    leave_notice(
        recipients=[_user_of(next_person)],
        template_key="leave.submitted"
        if leave_request.state == LeaveRequest.State.SUBMITTED
        else "leave.recommended",
        context=_notice_context(leave_request),
        idempotency_key=f"leave:{leave_request.pk}:submitted",
    )
    return leave_request


SUPERIOR_ACTIONS = ("recommend", "change", "defer", "reject")
PYBMC_ACTIONS = ("approve", "change", "defer", "reject")


@dataclass(frozen=True)
class DecisionResult:
    leave_request: LeaveRequest
    decision: LeaveDecision


def _stage_for(leave_request: LeaveRequest) -> str:
    if leave_request.state == LeaveRequest.State.SUBMITTED:
        return LeaveDecision.Stage.SUPERIOR
    if leave_request.state == LeaveRequest.State.RECOMMENDED:
        return LeaveDecision.Stage.PYBMC
    raise LeaveRefused(_("Permohonan ini sudah diputuskan; tidak ada yang perlu dilakukan."))


@transaction.atomic
def leave_request_decide(
    *,
    leave_request_id: int,
    actor: Employee,
    action: str,
    today: datetime.date,
    note: str = "",
    changed_start: datetime.date | None = None,
    changed_end: datetime.date | None = None,
) -> DecisionResult:
    """The direct superior's consideration or the PYBMC's decision on a request.

    Raises PermissionDenied for one's own request or someone one does not act for, and
    LeaveRefused when the request was already decided (a double submit) or a changed
    range breaks a rule.
    """
    leave_request = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("employee__user", "employee__unit", "employee__superior__user")
        .get(pk=leave_request_id)
    )
    employee = leave_request.employee
    if employee.pk == actor.pk:
        raise PermissionDenied(_("Anda tidak dapat memutuskan permohonan cuti Anda sendiri."))
    stage = _stage_for(leave_request)
    principal = (
        employee.superior
        if stage == LeaveDecision.Stage.SUPERIOR
        else selectors.pybmc_for(employee)
    )
    acting = selectors.principals_for(actor=actor, on=today).get(principal.pk if principal else -1)
    if acting is None:
        raise PermissionDenied(_("Anda tidak berwenang memutuskan permohonan ini."))
    allowed = SUPERIOR_ACTIONS if stage == LeaveDecision.Stage.SUPERIOR else PYBMC_ACTIONS
    if action not in allowed:
        raise LeaveRefused(_("Tindakan tidak dikenal."))
    single_day_sick = leave_request.leave_type == LeaveType.SAKIT and (
        leave_request.end_date == leave_request.start_date
    )
    final = stage == LeaveDecision.Stage.PYBMC or single_day_sick

    outcome = {
        "recommend": LeaveDecision.Outcome.RECOMMENDED,
        "approve": LeaveDecision.Outcome.APPROVED,
        "change": LeaveDecision.Outcome.CHANGED,
        "defer": LeaveDecision.Outcome.DEFERRED,
        "reject": LeaveDecision.Outcome.REJECTED,
    }[action]
    if action == "change":
        if changed_start is None or changed_end is None:
            raise LeaveRefused(_("Isi tanggal mulai dan selesai yang diubah."))
        _application, verdict = application_evaluate(
            employee=employee,
            leave_type=leave_request.leave_type,
            start=changed_start,
            end=changed_end,
            today=today,
            exclude_pk=leave_request.pk,
            evidence_kinds=frozenset(leave_request.evidence.values_list("kind", flat=True)),
            important_reason=leave_request.important_reason,
            delivery_number=leave_request.delivery_number,
            first_hajj=leave_request.first_hajj,
            emergency=leave_request.emergency,
        )
        if not verdict.ok:
            raise LeaveRefused(verdict.messages)
        leave_request.start_date = changed_start
        leave_request.end_date = changed_end
        leave_request.working_days = _application.working_days

    if action in ("recommend", "change", "approve"):
        transition = leave_request.approve if final else leave_request.recommend
    elif action == "defer":
        transition = leave_request.defer
    else:
        transition = leave_request.reject
    if not can_proceed(transition):
        raise LeaveRefused(_("Permohonan ini sudah diputuskan; tidak ada yang perlu dilakukan."))
    transition()
    leave_request.save()
    decision = LeaveDecision.objects.create(
        leave_request=leave_request,
        stage=stage,
        outcome=outcome,
        decided_by=actor,
        acting_for=acting.principal if acting.delegation else None,
        delegation=acting.delegation,
        note=note,
        changed_start=changed_start if action == "change" else None,
        changed_end=changed_end if action == "change" else None,
    )
    if leave_request.state == LeaveRequest.State.APPROVED:
        _grant(leave_request)
    verb = {
        "recommend": "leave.recommended",
        "approve": "leave.approved",
        "change": "leave.changed",
        "defer": "leave.deferred",
        "reject": "leave.rejected",
    }[action]
    if final and action == "recommend":
        verb = "leave.approved"
    activity_record(
        actor=actor.user,
        verb=verb,
        target=leave_request,
        data={
            "stage": stage,
            "acting_for": acting.principal.pk if acting.delegation else None,
        },
    )
    context = _notice_context(leave_request, outcome=str(decision.get_outcome_display()), note=note)
    leave_notice(
        recipients=[employee.user],
        template_key="leave.decided",
        context=context,
        idempotency_key=f"leave:{leave_request.pk}:{stage}",
    )
    if leave_request.state == LeaveRequest.State.RECOMMENDED:
        leave_notice(
            recipients=[_user_of(selectors.pybmc_for(employee))],
            template_key="leave.recommended",
            context=context,
            idempotency_key=f"leave:{leave_request.pk}:recommended",
        )
    return DecisionResult(leave_request, decision)


def _grant(leave_request: LeaveRequest) -> None:
    """Final approval: spend the balance, mark the days, expire annual leave for cuti besar,
    and issue the decree."""
    year = leave_request.start_date.year
    if leave_request.leave_type == LeaveType.TAHUNAN and leave_request.working_days:
        LeaveLedgerEntry.objects.create(
            employee=leave_request.employee,
            leave_type=LeaveType.TAHUNAN,
            year=year,
            kind=LedgerKind.DEDUCTION,
            days=-leave_request.working_days,
            leave_request=leave_request,
            note=_("Cuti tahunan %(start)s s.d. %(end)s")
            % {"start": leave_request.start_date, "end": leave_request.end_date},
        )
    if leave_request.leave_type == LeaveType.BESAR:
        # PNS on cuti besar has no annual leave that year: what is left expires.
        left = selectors.annual_balance(employee=leave_request.employee, year=year)
        if left > 0:
            LeaveLedgerEntry.objects.create(
                employee=leave_request.employee,
                leave_type=LeaveType.TAHUNAN,
                year=year,
                kind=LedgerKind.EXPIRY,
                days=-left,
                leave_request=leave_request,
                note=_("Hapus karena cuti besar (PP 11/2017)"),
            )
    days = calendar.working_days(leave_request.start_date, leave_request.end_date)
    DayStatus.objects.bulk_create(
        [
            DayStatus(
                employee=leave_request.employee,
                date=day,
                status=DayStatus.Status.CUTI,
                leave_request=leave_request,
            )
            for day in days
        ],
        update_conflicts=True,
        unique_fields=["employee", "date"],
        update_fields=["status", "leave_request", "updated_at"],
    )
    letter = letters.decree_issue(leave_request)
    reference = getattr(letter, "number", "") if letter is not None else ""
    if reference:
        LeaveRequest.objects.filter(pk=leave_request.pk).update(decree_reference=reference)
        leave_request.decree_reference = reference


@transaction.atomic
def leave_request_cancel(
    *, leave_request_id: int, employee: Employee, today: datetime.date
) -> LeaveRequest:
    """The employee withdraws a request before it starts; a spent balance is given back."""
    leave_request = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("employee__user", "employee__superior__user")
        .get(pk=leave_request_id)
    )
    if leave_request.employee_id != employee.pk:
        raise PermissionDenied(_("Hanya pemohon yang dapat membatalkan permohonan ini."))
    if leave_request.start_date <= today:
        raise LeaveRefused(_("Cuti yang sudah dimulai tidak dapat dibatalkan."))
    if not can_proceed(leave_request.cancel):
        raise LeaveRefused(_("Permohonan ini tidak dapat dibatalkan lagi."))
    was_granted = leave_request.state == LeaveRequest.State.APPROVED
    leave_request.cancel()
    leave_request.save()
    if was_granted:
        spent = leave_request.ledger.filter(kind__in=[LedgerKind.DEDUCTION, LedgerKind.EXPIRY])
        for entry in spent:
            LeaveLedgerEntry.objects.create(
                employee=entry.employee,
                leave_type=entry.leave_type,
                year=entry.year,
                kind=LedgerKind.REVERSAL,
                days=-entry.days,
                leave_request=leave_request,
                note=_("Pembatalan cuti"),
            )
        leave_request.day_statuses.all().delete()
    activity_record(actor=employee.user, verb="leave.cancelled", target=leave_request)
    leave_notice(
        recipients=[_user_of(employee.superior)],
        template_key="leave.cancelled",
        context=_notice_context(leave_request),
        idempotency_key=f"leave:{leave_request.pk}:cancelled",
    )
    return leave_request


def leave_requests_mark_taken(*, today: datetime.date) -> int:
    """Approved leave that has started is being taken (run daily; safe to run twice).

    A bulk UPDATE rather than one transition per row: approved -> taken is the only
    move it makes, it has no side effects, and the WHERE clause is the guard.
    """
    return LeaveRequest.objects.filter(
        state=LeaveRequest.State.APPROVED, start_date__lte=today
    ).update(state=LeaveRequest.State.TAKEN, updated_at=timezone.now())


# --- Ledger ------------------------------------------------------------------------


def _eligible_on(service_start: datetime.date) -> datetime.date:
    try:
        return service_start.replace(year=service_start.year + 1)
    except ValueError:  # 29 February
        return service_start.replace(year=service_start.year + 1, day=28)


@transaction.atomic
def leave_year_open(
    *, year: int, today: datetime.date, employee_ids: Sequence[int] | None = None
) -> dict:
    """Allocate the year's 12 days and carry over last year's rest; idempotent.

    Run on 1 January and daily after (staff passing one year of service get their
    allocation then). Unique constraints keep a rerun from allocating twice.
    Carry-over: PP 11/2017 jo. PP 17/2020; Peraturan BKN 24/2017 jo. 7/2021 (rules.carry_over_days).
    """
    cutoff = min(today, datetime.date(year, 12, 31))
    employees = Employee.objects.filter(is_active=True)
    if employee_ids is not None:
        employees = employees.filter(pk__in=employee_ids)
    scope = employees.values("pk")
    employees = list(employees.values_list("pk", "service_start"))
    annual = LeaveLedgerEntry.objects.filter(leave_type=LeaveType.TAHUNAN)
    if employee_ids is not None:
        annual = annual.filter(employee_id__in=scope)
    previous = dict(
        annual.filter(year=year - 1)
        .values("employee_id")
        .annotate(t=Sum("days"))
        .values_list("employee_id", "t")
    )
    done = set(
        annual.filter(
            year__in=(year, year - 1),
            kind__in=[LedgerKind.ALLOCATION, LedgerKind.CARRY_OVER, LedgerKind.EXPIRY],
            leave_request__isnull=True,
        ).values_list("employee_id", "year", "kind")
    )
    # Net use per (employee, year) for the two years before: a year with an allocation
    # and no net use counts as "unused".
    used = {
        (row["employee_id"], row["year"]): row["t"]
        for row in annual.filter(
            year__in=(year - 1, year - 2), kind__in=[LedgerKind.DEDUCTION, LedgerKind.REVERSAL]
        )
        .values("employee_id", "year")
        .annotate(t=Sum("days"))
    }
    allocated = set(
        annual.filter(year__in=(year - 1, year - 2), kind=LedgerKind.ALLOCATION).values_list(
            "employee_id", "year"
        )
    )
    deferred = set(
        LeaveRequest.objects.filter(
            employee_id__in=scope,
            leave_type=LeaveType.TAHUNAN,
            state=LeaveRequest.State.DEFERRED,
            start_date__year=year - 1,
            decisions__stage=LeaveDecision.Stage.PYBMC,
            decisions__outcome=LeaveDecision.Outcome.DEFERRED,
        ).values_list("employee_id", flat=True)
    )
    rows: list[LeaveLedgerEntry] = []
    allocations = carried = 0
    for pk, service_start in employees:
        if (pk, year, LedgerKind.ALLOCATION) not in done and _eligible_on(service_start) <= cutoff:
            rows.append(
                LeaveLedgerEntry(
                    employee_id=pk,
                    leave_type=LeaveType.TAHUNAN,
                    year=year,
                    kind=LedgerKind.ALLOCATION,
                    days=rules.ANNUAL_DAYS,
                    note=_("Hak cuti tahunan %(year)s") % {"year": year},
                )
            )
            allocations += 1
        balance = previous.get(pk) or 0
        if balance > 0 and (pk, year - 1, LedgerKind.EXPIRY) not in done:
            unused = 0
            for past in (year - 1, year - 2):
                if (pk, past) in allocated and not used.get((pk, past)):
                    unused += 1
                else:
                    break
            carry = rules.carry_over_days(
                previous_balance=balance,
                unused_years_in_a_row=unused,
                deferred_last_year=pk in deferred,
            )
            rows.append(
                LeaveLedgerEntry(
                    employee_id=pk,
                    leave_type=LeaveType.TAHUNAN,
                    year=year - 1,
                    kind=LedgerKind.EXPIRY,
                    days=-balance,
                    note=_("Tutup tahun %(year)s") % {"year": year - 1},
                )
            )
            if carry:
                rows.append(
                    LeaveLedgerEntry(
                        employee_id=pk,
                        leave_type=LeaveType.TAHUNAN,
                        year=year,
                        kind=LedgerKind.CARRY_OVER,
                        days=carry,
                        note=_("Sisa cuti %(year)s yang dapat dibawa") % {"year": year - 1},
                    )
                )
                carried += 1
    LeaveLedgerEntry.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return {"allocations": allocations, "carried_over": carried, "employees": len(employees)}


@transaction.atomic
def cuti_bersama_worked_record(*, employee: Employee, holiday: Holiday) -> LeaveLedgerEntry | None:
    """A cuti bersama day the employee had to work is added to their annual leave.

    Keppres on cuti bersama ASN: cuti bersama does not reduce annual leave, and ASN who
    must work on it get the day added. Idempotent per (employee, day).
    """
    if holiday.kind != Holiday.Kind.CUTI_BERSAMA:
        return None
    entry, _created = LeaveLedgerEntry.objects.get_or_create(
        employee=employee,
        holiday=holiday,
        kind=LedgerKind.TOP_UP,
        defaults={
            "leave_type": LeaveType.TAHUNAN,
            "year": holiday.date.year,
            "days": 1,
            "note": _("Bertugas pada cuti bersama %(date)s") % {"date": holiday.date},
        },
    )
    return entry


# --- Presensi ------------------------------------------------------------------------


class AttendanceRefused(ValidationError):
    pass


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (mean Earth radius 6,371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@transaction.atomic
def attendance_record(
    *,
    employee: Employee,
    kind: str,
    latitude: Decimal,
    longitude: Decimal,
    accuracy_m: int,
    fingerprint: str,
    user_agent: str = "",
    at: datetime.datetime | None = None,
) -> AttendanceRecord:
    """Check in or out; refused (nothing written) outside every geofence unless on duty."""
    from leave import conf

    at = at or timezone.now()
    local = at.astimezone(calendar.zoneinfo.ZoneInfo(calendar.user_time_zone(employee.user)))
    day = local.date()
    if accuracy_m > conf.max_gps_accuracy_m():
        raise AttendanceRefused(
            _(
                "Lokasi kurang akurat (±%(acc)s m). Aktifkan GPS dan coba lagi di tempat terbuka; "
                "paling besar ±%(max)s m."
            )
            % {"acc": accuracy_m, "max": conf.max_gps_accuracy_m()}
        )
    if AttendanceRecord.objects.filter(employee=employee, local_date=day, kind=kind).exists():
        raise AttendanceRefused(
            _("Anda sudah presensi masuk hari ini.")
            if kind == AttendanceRecord.Kind.CHECK_IN
            else _("Anda sudah presensi pulang hari ini.")
        )
    if (
        kind == AttendanceRecord.Kind.CHECK_OUT
        and not AttendanceRecord.objects.filter(
            employee=employee, local_date=day, kind=AttendanceRecord.Kind.CHECK_IN
        ).exists()
    ):
        raise AttendanceRefused(_("Presensi masuk dulu sebelum presensi pulang."))
    nearest: tuple[float, WorkLocation] | None = None
    for location in employee.work_locations.all():
        distance = haversine_m(
            float(latitude), float(longitude), float(location.latitude), float(location.longitude)
        )
        if nearest is None or distance - location.radius_m < nearest[0] - nearest[1].radius_m:
            nearest = (distance, location)
    inside = nearest is not None and nearest[0] <= nearest[1].radius_m
    trip = None
    if not inside:
        trip = (
            DutyTrip.objects.filter(
                employee=employee, starts_on__lte=day, ends_on__gte=day, approved_at__isnull=False
            )
            .order_by("-starts_on")
            .first()
        )
        if trip is None:
            if nearest is None:
                raise AttendanceRefused(
                    _("Anda belum terdaftar pada lokasi kerja mana pun. Hubungi admin kepegawaian.")
                )
            raise AttendanceRefused(
                _(
                    "Anda berada %(distance)s m dari %(place)s; presensi hanya dalam radius %(radius)s m. "
                    "Jika sedang dinas luar, minta atasan mencatat surat tugasnya."
                )
                % {
                    "distance": round(nearest[0]),
                    "place": nearest[1].name,
                    "radius": nearest[1].radius_m,
                }
            )
    device, new_device = KnownDevice.objects.get_or_create(
        employee=employee, fingerprint=fingerprint, defaults={"user_agent": user_agent[:200]}
    )
    hours = calendar.hours_for(day)
    working = calendar.is_working_day(day)
    grace = datetime.timedelta(minutes=conf.late_grace_minutes())
    start_at = datetime.datetime.combine(day, hours.start, tzinfo=local.tzinfo) + grace
    end_at = datetime.datetime.combine(day, hours.end, tzinfo=local.tzinfo)
    record = AttendanceRecord.objects.create(
        employee=employee,
        kind=kind,
        at=at,
        local_date=day,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        location=nearest[1] if inside and nearest else None,
        distance_m=round(nearest[0]) if nearest else None,
        mode=AttendanceRecord.Mode.ONSITE if inside else AttendanceRecord.Mode.DUTY,
        duty_trip=trip,
        late=working and kind == AttendanceRecord.Kind.CHECK_IN and local > start_at,
        early=working and kind == AttendanceRecord.Kind.CHECK_OUT and local < end_at,
        device=device,
        new_device=new_device,
    )
    if kind == AttendanceRecord.Kind.CHECK_IN:
        _day_status_from_check_in(record, working)
    activity_record(
        actor=employee.user,
        verb="leave.checked_in" if kind == AttendanceRecord.Kind.CHECK_IN else "leave.checked_out",
        target=record,
        data={"mode": record.mode, "late": record.late, "early": record.early},
    )
    if new_device and employee.superior_id:
        leave_notice(
            recipients=[employee.superior.user],
            template_key="leave.new_device",
            context={
                "employee_name": employee.full_name,
                "at": local.isoformat(),
                "url": reverse("leave:team"),
            },
            idempotency_key=f"leave-device:{device.pk}",
        )
    return record


def _day_status_from_check_in(record: AttendanceRecord, working: bool) -> None:
    if record.mode == AttendanceRecord.Mode.DUTY:
        status = DayStatus.Status.DINAS_LUAR
    elif record.late:
        status = DayStatus.Status.TERLAMBAT
    else:
        status = DayStatus.Status.HADIR
    existing = DayStatus.objects.filter(employee=record.employee, date=record.local_date).first()
    if existing is not None and existing.status == DayStatus.Status.CUTI:
        return  # approved leave stays the day's status
    DayStatus.objects.update_or_create(
        employee=record.employee, date=record.local_date, defaults={"status": status}
    )
    if not working:
        holiday = Holiday.objects.filter(
            date=record.local_date, kind=Holiday.Kind.CUTI_BERSAMA
        ).first()
        if holiday is not None:
            cuti_bersama_worked_record(employee=record.employee, holiday=holiday)


@transaction.atomic
def day_statuses_close(*, day: datetime.date) -> dict[str, int]:
    """After `day` ends: libur on days off, dinas luar on approved duty days, and
    tanpa keterangan for everyone else without a status. Idempotent."""
    working = calendar.is_working_day(day)
    have = set(DayStatus.objects.filter(date=day).values_list("employee_id", flat=True))
    on_duty = set(
        DutyTrip.objects.filter(
            starts_on__lte=day, ends_on__gte=day, approved_at__isnull=False
        ).values_list("employee_id", flat=True)
    )
    rows = []
    counts = {"libur": 0, "dinas_luar": 0, "tk": 0}
    for pk in (
        Employee.objects.filter(is_active=True).exclude(pk__in=have).values_list("pk", flat=True)
    ):
        if not working:
            status = DayStatus.Status.LIBUR
        elif pk in on_duty:
            status = DayStatus.Status.DINAS_LUAR
        else:
            status = DayStatus.Status.TANPA_KETERANGAN
        counts[status] += 1
        rows.append(DayStatus(employee_id=pk, date=day, status=status))
    DayStatus.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return counts


def unit_status_counts(*, unit_ids, day: datetime.date) -> dict[str, int]:
    return dict(
        DayStatus.objects.filter(employee__unit_id__in=unit_ids, date=day)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
