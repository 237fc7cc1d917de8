"""Pages of leave and presensi: thin views over leave/services.py and leave/selectors.py."""

from __future__ import annotations

import csv
import datetime
import hashlib
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leave import calendar, selectors, services
from leave.forms import CheckInForm, DecisionForm, LeaveApplyForm
from leave.models import DayStatus, LeaveDecision, LeaveEvidence, LeaveRequest
from portal.cards import user_cached
from portal.models import Employee

DEVICE_COOKIE = "portal_device"


def _employee_or_404(request: HttpRequest, *, cached: bool = False) -> Employee:
    if cached:
        # Pages that only show (the apply page and its live preview) may use the
        # employee record from the cache; saving it refreshes that at once
        # (leave/dashboard.py watches it). Writes always read it fresh.
        employee = user_cached(
            user_id=request.user.pk,
            key=f"leave:employee:{request.user.pk}",
            compute=lambda: selectors.employee_for_user(request.user),
        )
    else:
        employee = selectors.employee_for_user(request.user)
    if employee is None or not employee.is_active:
        raise Http404(_("Halaman ini untuk pegawai ASN."))
    return employee


def _today(request: HttpRequest) -> datetime.date:
    return calendar.local_today(request.user)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    year = _today(request).year
    ledger = list(selectors.ledger_for(employee=employee, year=year))
    return render(
        request,
        "leave/index.html",
        {
            "employee": employee,
            "year": year,
            "balance": sum(entry.days for entry in ledger),
            "pending": selectors.annual_pending(employee=employee, year=year),
            "ledger": ledger,
            "requests": selectors.my_requests(employee=employee)[:50],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def apply(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request, cached=request.method == "GET")
    today = _today(request)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = LeaveApplyForm(data, request.FILES or None)
    preview = None
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        if request.method == "POST":
            evidence = (
                [(cleaned["evidence_kind"], cleaned["evidence"])] if cleaned.get("evidence") else []
            )
            try:
                leave_request = services.leave_request_submit(
                    employee=employee,
                    leave_type=cleaned["leave_type"],
                    start=cleaned["start_date"],
                    end=cleaned["end_date"],
                    reason=cleaned["reason"],
                    today=today,
                    evidence=evidence,
                    important_reason=cleaned["important_reason"],
                    delivery_number=cleaned["delivery_number"],
                    first_hajj=cleaned["first_hajj"],
                    emergency=cleaned["emergency"],
                    address_during_leave=cleaned["address_during_leave"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Permohonan cuti dikirim."))
                return redirect("leave:request_detail", pk=leave_request.pk)
        else:
            preview = _cached_preview(request, employee, cleaned, today)
    elif data is not None and request.method == "GET":
        form = LeaveApplyForm(data)
        form.is_valid()
    context = {"form": form, "preview": preview, "employee": employee}
    if request.htmx and request.method == "GET":
        return render(request, "leave/apply.html#preview", context)
    return render(request, "leave/apply.html", context)


_PREVIEW_FIELDS = (
    "leave_type",
    "start_date",
    "end_date",
    "important_reason",
    "delivery_number",
    "first_hajj",
    "emergency",
)


def _cached_preview(
    request: HttpRequest, employee: Employee, cleaned: dict, today: datetime.date
) -> dict:
    """The live preview, kept per user until their requests or ledger change.

    htmx asks for it on every change of a date; the rules behind it cost several
    queries. Saves of the employee's LeaveRequest and LeaveLedgerEntry rows refresh it
    at once (leave/dashboard.py watches them), anything else within seconds. Submitting
    evaluates everything again, uncached.
    """
    shape = repr(
        (employee.pk, today, get_language(), *(cleaned.get(name) for name in _PREVIEW_FIELDS))
    )
    digest = hashlib.blake2b(shape.encode(), digest_size=12).hexdigest()
    return user_cached(
        user_id=request.user.pk,
        key=f"leave:preview:{request.user.pk}:{digest}",
        compute=lambda: _preview(employee, cleaned, today),
    )


def _preview(employee: Employee, cleaned: dict, today: datetime.date) -> dict:
    application, verdict = services.application_evaluate(
        employee=employee,
        leave_type=cleaned["leave_type"],
        start=cleaned["start_date"],
        end=cleaned["end_date"],
        today=today,
        # Evidence is checked on submit; the preview shows what will be asked for.
        evidence_kinds=frozenset(LeaveEvidence.Kind.values),
        important_reason=cleaned["important_reason"],
        delivery_number=cleaned["delivery_number"],
        first_hajj=cleaned["first_hajj"],
        emergency=cleaned["emergency"],
    )
    available = verdict.annual_available
    left = available - application.working_days if verdict.deducts_annual else None
    return {
        "working_days": application.working_days,
        "available": available if verdict.deducts_annual else None,
        "left": left,
        "messages": verdict.messages,
        "required_evidence": LeaveEvidence.Kind(verdict.required_evidence).label
        if verdict.required_evidence
        else "",
    }


def _request_or_404(request: HttpRequest, pk: int) -> LeaveRequest:
    leave_request = selectors.request_for_user(user=request.user, pk=pk, on=_today(request))
    if leave_request is None:
        raise Http404(_("Permohonan cuti tidak ditemukan."))
    return leave_request


@require_GET
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    leave_request = _request_or_404(request, pk)
    today = _today(request)
    can_decide = (
        leave_request.is_open
        and leave_request.employee_id != employee.pk
        and selectors.approvals_pending_for(actor=employee, on=today).filter(pk=pk).exists()
    )
    return render(
        request,
        "leave/request_detail.html",
        {
            "leave_request": leave_request,
            "is_mine": leave_request.employee_id == employee.pk,
            "can_cancel": leave_request.employee_id == employee.pk
            and leave_request.start_date > today
            and leave_request.state
            in (
                LeaveRequest.State.SUBMITTED,
                LeaveRequest.State.RECOMMENDED,
                LeaveRequest.State.APPROVED,
            ),
            "can_decide": can_decide,
            "stage": LeaveDecision.Stage.SUPERIOR
            if leave_request.state == LeaveRequest.State.SUBMITTED
            else LeaveDecision.Stage.PYBMC,
            "decision_form": DecisionForm(),
        },
    )


@require_POST
@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    leave_request = _request_or_404(request, pk)
    try:
        services.leave_request_cancel(
            leave_request_id=leave_request.pk, employee=employee, today=_today(request)
        )
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Permohonan cuti dibatalkan."))
    return redirect("leave:request_detail", pk=pk)


@require_POST
@login_required
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    leave_request = _request_or_404(request, pk)
    if leave_request.employee_id == employee.pk:
        raise PermissionDenied(_("Anda tidak dapat memutuskan permohonan cuti Anda sendiri."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("leave:request_detail", pk=pk)
    cleaned = form.cleaned_data
    try:
        services.leave_request_decide(
            leave_request_id=leave_request.pk,
            actor=employee,
            action=cleaned["action"],
            today=_today(request),
            note=cleaned["note"],
            changed_start=cleaned.get("changed_start"),
            changed_end=cleaned.get("changed_end"),
        )
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("leave:request_detail", pk=pk)
    messages.success(request, _("Keputusan dicatat."))
    return redirect("leave:approvals")


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    leave_request = _request_or_404(request, pk)
    evidence = LeaveEvidence.objects.filter(leave_request=leave_request, pk=evidence_pk).first()
    if evidence is None:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@require_GET
@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    today = _today(request)
    pending = list(selectors.approvals_pending_for(actor=employee, on=today)[:100])
    return render(
        request,
        "leave/approvals.html",
        {"pending": pending, "decision_form": DecisionForm()},
    )


def _month(request: HttpRequest) -> tuple[int, int]:
    today = _today(request)
    value = request.GET.get("bulan", "")
    try:
        year, month = (int(part) for part in value.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


@require_GET
@login_required
def team(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    today = _today(request)
    unit_ids = selectors.supervised_unit_ids(actor=employee, on=today)
    year, month = _month(request)
    return render(
        request,
        "leave/team.html",
        {
            "away": selectors.away_today(unit_ids=unit_ids, on=today),
            "recap": selectors.unit_recap(unit_ids=unit_ids, year=year, month=month),
            "month": f"{year:04d}-{month:02d}",
            "year": year,
            "month_number": month,
            "statuses": DayStatus.Status.choices,
            "today": today,
            "is_hr_admin": request.user.is_superuser or request.user.has_role("admin"),
        },
    )


def _device_fingerprint(request: HttpRequest) -> tuple[str, str | None]:
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    new_token = None
    if len(token) < 20 or len(token) > 64:
        token = new_token = secrets.token_urlsafe(24)
    agent = request.headers.get("User-Agent", "")[:200]
    return hashlib.sha256(f"{token}|{agent}".encode()).hexdigest(), new_token


@require_http_methods(["GET", "POST"])
@login_required
def attendance(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    form = CheckInForm(request.POST or None)
    new_token = None
    if request.method == "POST":
        if form.is_valid():
            fingerprint, new_token = _device_fingerprint(request)
            try:
                record = services.attendance_record(
                    employee=employee,
                    kind=form.cleaned_data["kind"],
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                    accuracy_m=int(form.cleaned_data["accuracy"]),
                    fingerprint=fingerprint,
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                note = [
                    _("Presensi tercatat pukul %(time)s.")
                    % {
                        "time": timezone.localtime(
                            record.at,
                            calendar.zoneinfo.ZoneInfo(calendar.user_time_zone(request.user)),
                        ).strftime("%H:%M")
                    }
                ]
                if record.mode == record.Mode.DUTY:
                    note.append(_("Dicatat sebagai dinas luar."))
                if record.late:
                    note.append(_("Anda terlambat."))
                if record.early:
                    note.append(_("Anda pulang sebelum jam kerja berakhir."))
                if record.new_device:
                    note.append(_("Perangkat baru: atasan Anda diberi tahu."))
                messages.success(request, " ".join(note))
            response = redirect("leave:attendance")
        else:
            for message in form.non_field_errors():
                messages.error(request, message)
            response = redirect("leave:attendance")
        if new_token:
            response.set_cookie(
                DEVICE_COOKIE,
                new_token,
                max_age=2 * 365 * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
    year, month = _month(request)
    records, statuses = selectors.attendance_month(employee=employee, year=year, month=month)
    return render(
        request,
        "leave/attendance.html",
        {
            "records": records,
            "statuses": statuses,
            "month": f"{year:04d}-{month:02d}",
            "has_locations": employee.work_locations.exists(),
        },
    )


def _hr_admin_or_403(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or user.has_role("admin")):
        raise PermissionDenied


def _recap(year: int, month: int) -> list[dict]:
    try:
        selectors.month_range(year, month)
    except ValueError as error:
        raise Http404 from error
    return selectors.unit_recap(unit_ids=Employee.objects.values("unit_id"), year=year, month=month)


@require_GET
@login_required
def recap_csv(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """HR admin: every employee's day statuses for a month, one row per employee."""
    _hr_admin_or_403(request)
    rows = _recap(year, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rekap-presensi-{year:04d}-{month:02d}.csv"'
    )
    writer = csv.writer(response)
    statuses = DayStatus.Status.values
    writer.writerow(["nip", "nama", "unit", *statuses, "terlambat_kali", "perangkat_baru"])
    for row in rows:
        employee = row["employee"]
        writer.writerow(
            [
                f"'{employee.nip}",
                _csv_safe(employee.full_name),
                _csv_safe(employee.unit.name),
                *row["cells"],
                row["late"],
                row["new_devices"],
            ]
        )
    return response


@require_GET
@login_required
def recap_pdf(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """HR admin: the same monthly recap as a printable PDF."""
    from portal.pdf import render_pdf

    _hr_admin_or_403(request)
    rows = _recap(year, month)
    pdf = render_pdf(
        "leave/recap_pdf.html",
        {
            "rows": rows,
            "statuses": DayStatus.Status.choices,
            "month": f"{year:04d}-{month:02d}",
            "generated": timezone.localtime(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="rekap-presensi-{year:04d}-{month:02d}.pdf"'
    )
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheet formula injection: a cell must not start with = + - @."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
