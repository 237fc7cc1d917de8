"""Officials' pages: projects and their progress, inspections, maintenance priority,
device keys. Login and the `pejabat` (or `admin`) role are required, and every object
is looked up within the official's own units (selectors.official_units), so an
official of one dinas cannot touch another's projects or devices."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infrastructure import condition, exports, selectors, services
from infrastructure.forms import (
    DocumentUploadForm,
    InspectionForm,
    ProgressReportCorrectForm,
    ProgressReportDeleteForm,
    ProgressReportForm,
    ProjectForm,
)
from infrastructure.models import Asset, ProgressReport, Project
from infrastructure.views import _csv


def official_required(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not selectors.is_official(request.user):
            raise PermissionDenied(_("Halaman ini khusus pejabat pengelola infrastruktur."))
        return view(request, *args, **kwargs)

    return wrapper


def _project_or_404(request: HttpRequest, code: str) -> Project:
    project = selectors.project_for_official(user=request.user, code=code)
    if project is None:
        raise Http404(_("Proyek tidak ditemukan atau bukan wewenang Anda."))
    return project


def _asset_or_404(request: HttpRequest, code: str) -> Asset:
    asset = selectors.asset_for_official(user=request.user, code=code)
    if asset is None:
        raise Http404(_("Aset tidak ditemukan atau bukan wewenang Anda."))
    return asset


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


@require_GET
@official_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "infrastructure/manage/home.html",
        {
            "projects": selectors.projects_for_official(user=request.user),
            "assets": selectors.assets_for_official(user=request.user).order_by("kind", "name"),
        },
    )


@require_http_methods(["GET", "POST"])
@official_required
def project_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    project = _project_or_404(request, code) if code else None
    units = selectors.official_units(request.user)
    form = ProjectForm(request.POST or None, instance=project, units=units)
    if request.method == "POST" and form.is_valid():
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "code" or not project
        }
        try:
            saved = services.project_save(
                actor=request.user,
                project=Project.objects.get(pk=project.pk) if project else None,
                **fields,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Proyek disimpan."))
            return redirect("infrastructure:manage_project", code=saved.code)
    return render(
        request, "infrastructure/manage/project_form.html", {"form": form, "project": project}
    )


@require_http_methods(["GET", "POST"])
@official_required
def project_manage(request: HttpRequest, code: str) -> HttpResponse:
    """One project for its official: reports (and a form for the next), documents."""
    project = _project_or_404(request, code)
    report_form = ProgressReportForm(
        request.POST if request.method == "POST" else None, project=project
    )
    if request.method == "POST" and report_form.is_valid():
        try:
            services.progress_report_add(
                project=project, actor=request.user, **report_form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(report_form, error)
        else:
            messages.success(request, _("Laporan kemajuan disimpan."))
            return redirect("infrastructure:manage_project", code=project.code)
    return _project_page(request, project, report_form=report_form)


def _report_or_404(request: HttpRequest, code: str, pk: int) -> ProgressReport:
    """A report of a project of the official's units; anything else is a 404."""
    project = _project_or_404(request, code)
    report = ProgressReport.objects.filter(project=project, pk=pk).first()
    if report is None:
        raise Http404(_("Laporan tidak ditemukan atau bukan wewenang Anda."))
    report.project = project
    return report


@require_http_methods(["GET", "POST"])
@official_required
def report_correct(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Correct the figures of one period (with a reason), or offer to delete the report."""
    report = _report_or_404(request, code, pk)
    form = ProgressReportCorrectForm(
        request.POST if request.method == "POST" else None, report=report
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_report_correct(report=report, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Laporan kemajuan dikoreksi."))
            return redirect("infrastructure:manage_project", code=report.project.code)
    return _report_page(request, report, form=form)


@require_POST
@official_required
def report_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    report = _report_or_404(request, code, pk)
    form = ProgressReportDeleteForm(request.POST, prefix="hapus")
    if form.is_valid():
        try:
            services.progress_report_delete(
                report=report, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Laporan kemajuan dihapus."))
            return redirect("infrastructure:manage_project", code=report.project.code)
    return _report_page(request, report, delete_form=form)


def _report_page(request, report, *, form=None, delete_form=None):
    form = form or ProgressReportCorrectForm(report=report)
    delete_form = delete_form or ProgressReportDeleteForm(prefix="hapus")
    return render(
        request,
        "infrastructure/manage/report_form.html",
        {"report": report, "project": report.project, "form": form, "delete_form": delete_form},
        status=400 if form.errors or delete_form.errors else 200,
    )


def _project_page(request, project, *, report_form=None, document_form=None, status=200):
    current = selectors.project_with_progress(project_id=project.pk)
    return render(
        request,
        "infrastructure/manage/project.html",
        {
            "project": current,
            "documents": project.documents.order_by("-uploaded_at"),
            "report_form": report_form or ProgressReportForm(project=project),
            "document_form": document_form or DocumentUploadForm(),
        },
        status=status,
    )


@require_POST
@official_required
def project_documents(request: HttpRequest, code: str) -> HttpResponse:
    project = _project_or_404(request, code)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.project_documents_add(
                project=project,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                document_type=form.cleaned_data["document_type"],
                title=form.cleaned_data["title"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Berkas diunggah."))
            return redirect("infrastructure:manage_project", code=project.code)
    return _project_page(request, project, document_form=form, status=400)


@require_http_methods(["GET", "POST"])
@official_required
def inspection_add(request: HttpRequest, code: str) -> HttpResponse:
    asset = _asset_or_404(request, code)
    form = InspectionForm(request.POST or None, request.FILES or None, asset=asset)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_record(
                asset=asset,
                inspector=request.user,
                inspected_on=form.cleaned_data["inspected_on"],
                findings=form.cleaned_data["findings"],
                condition=form.cleaned_data["condition"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Inspeksi dicatat; kondisi aset diperbarui."))
            return redirect("infrastructure:manage_inspection", code=asset.code)
    return render(
        request,
        "infrastructure/manage/inspection_form.html",
        {
            "asset": asset,
            "form": form,
            "scale": condition.scale_for(asset.kind),
            "inspections": selectors.inspections_of(asset=asset),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@official_required
def priority(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "infrastructure/manage/priority.html",
        {
            "assets": selectors.maintenance_priority(),
            "scales": [condition.BRIDGE, condition.ROAD, condition.GENERIC],
        },
    )


@require_GET
@official_required
def priority_csv(request: HttpRequest) -> HttpResponse:
    rows = (
        {"rank": rank, **exports.asset_row(asset)}
        for rank, asset in enumerate(selectors.maintenance_priority().iterator(), start=1)
    )
    name = f"prioritas-pemeliharaan-{timezone.localdate():%Y%m%d}.csv"
    return _csv(["rank", *exports.ASSET_COLUMNS], rows, name)


@require_GET
@official_required
def devices(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "infrastructure/manage/devices.html",
        {"devices": selectors.devices_for_official(user=request.user), "now": timezone.now()},
    )


@require_POST
@never_cache
@official_required
def device_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new secret, shown in this response only: it is stored as a hash, never in the
    session or a message, so reloading or going back cannot show it again."""
    device = selectors.devices_for_official(user=request.user).filter(pk=pk).first()
    if device is None:
        raise Http404(_("Perangkat tidak ditemukan atau bukan wewenang Anda."))
    secret = services.device_secret_rotate(device=device, actor=request.user)
    # never_cache marks the response no-store: no cache or back button keeps the secret.
    return render(
        request, "infrastructure/manage/device_secret.html", {"device": device, "secret": secret}
    )
