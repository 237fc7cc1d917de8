"""Public pages of the infrastructure app: no login, read-only, cheap to serve."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from infrastructure import exports, selectors
from infrastructure.alarms.models import Severity
from infrastructure.alarms.selectors import active_alarm_severity_by_asset
from infrastructure.forms import ReadingsRangeForm
from infrastructure.models import InspectionPhoto, ProjectDocument
from infrastructure.selectors import HISTORY_RANGES

# The live readings are polled this often: with ingestion's p95 (under 0.5 s at 60k
# readings/s, bench/ingest.py) a reading is on the page within 2 s of being sent.
POLL_SECONDS = 1.5
FORMATS = ("csv", "json")


@require_GET
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    """Public transparency dashboard: projects with their S-curves, then assets and their
    latest readings, no login.

    htmx polls the same URL every few seconds for the readings fragment only (the
    projects are not queried then); without JavaScript "Perbarui" reloads the page.
    """
    now = timezone.now()
    assets = selectors.assets_public_with_latest(now=now)
    _mark_active_alarms(assets)
    context = {
        "assets": assets,
        "now": now,
        "poll_seconds": POLL_SECONDS,
    }
    template = "infrastructure/index.html"
    if request.htmx and request.htmx.target == "pembacaan":
        return render(request, template + "#readings", context)
    context["projects_html"] = _projects_section(today=timezone.localdate(now))
    return render(request, template, context)


def _mark_active_alarms(assets: list) -> None:
    """`asset.alarm` = the worst active alarm's severity label, or None (one query).

    Only the severity is public: who acknowledged it and their comments stay internal."""
    worst = active_alarm_severity_by_asset(asset_ids=[asset.id for asset in assets])
    for asset in assets:
        severity = worst.get(asset.id)
        asset.alarm = Severity(severity).label if severity else None
        asset.alarm_code = severity


PROJECTS_CACHE_SECONDS = 10


def _projects_section(*, today) -> str:
    """The projects part of the dashboard, rendered once and shared by every visitor.

    Most of the page's CPU went into drawing the same S-curves for each request. The key
    holds what the section depends on — the public projects and their reports (one
    aggregate query), the day (the "today" line, the delay rule's margin) and the
    language — so a new or corrected report shows at once; the short lifetime bounds
    anything the key cannot see (an agency renamed in the admin). The live readings
    are never cached.
    """
    from infrastructure import conf

    version = selectors.projects_public_version()
    key = f"infra:dasbor-proyek:{get_language()}:{today}:{conf.delay_margin_pct()}:{version}"
    html = cache.get(key)
    if html is None:
        project_list = selectors.projects_public(today=today)
        html = render_to_string(
            "infrastructure/_projects_section.html",
            {"projects": project_list, "summary": selectors.projects_summary(project_list)},
        )
        cache.set(key, html, PROJECTS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered


@require_GET
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_public_detail(code=code)
    if project is None:
        raise Http404(_("Proyek tidak ditemukan."))
    return render(request, "infrastructure/project_detail.html", {"project": project})


@require_GET
def project_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    document = (
        ProjectDocument.objects.filter(pk=pk, project__code=code, project__is_public=True)
        .only("file", "content_type", "original_name", "kind")
        .first()
    )
    if document is None:
        raise Http404(_("Berkas tidak ditemukan."))
    return _file_response(document.file, document.content_type, document.original_name)


@require_GET
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = InspectionPhoto.objects.filter(pk=pk, inspection__asset__is_public=True).first()
    if photo is None:
        raise Http404(_("Foto tidak ditemukan."))
    return _file_response(photo.file, photo.content_type, photo.original_name)


def _file_response(file, content_type: str, name: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("Berkas tidak ditemukan.")) from error
    # Photos show inline; anything else downloads. nosniff is set site-wide.
    inline = content_type.startswith("image/")
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=name or None
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def asset_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A public asset: condition, inspections, its sensors' latest readings and charts."""
    now = timezone.now()
    asset = selectors.asset_public_detail(code=code, now=now)
    if asset is None:
        raise Http404
    return render(request, "infrastructure/asset_detail.html", {"asset": asset, "now": now})


@require_GET
def metric_history(request: HttpRequest, metric_id: int) -> HttpResponse:
    """One sensor metric over 24 hours (raw), 30 days (hourly) or a year (daily)."""
    metric = selectors.public_metric(metric_id=metric_id)
    if metric is None:
        raise Http404(_("Sensor tidak ditemukan."))
    range_key = request.GET.get("rentang", "24j")
    if range_key not in HISTORY_RANGES:
        range_key = "24j"
    chart = selectors.metric_history(metric=metric, range_key=range_key)
    return render(
        request,
        "infrastructure/metric_history.html",
        {
            "metric": metric,
            "chart": chart,
            "range_key": range_key,
            "range_label": HISTORY_RANGES[range_key][0],
            "ranges": [(key, spec[0]) for key, spec in HISTORY_RANGES.items()],
        },
    )


# --- Open data -----------------------------------------------------------------------


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    from infrastructure import conf

    return render(
        request,
        "infrastructure/open_data.html",
        {"max_days": conf.export_max_days(), "now": timezone.localtime()},
    )


def _download(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may fetch it
    return response


def _csv(columns: list[str], rows, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.csv_stream(columns, rows), content_type="text/csv; charset=utf-8"
    )
    return _download(response, name)


def _json(rows, meta: dict, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.json_stream(rows, meta=meta), content_type="application/json"
    )
    return _download(response, name)


def _meta(request: HttpRequest, **extra) -> dict:
    from infrastructure import conf

    return {
        "publisher": conf.oc4ids_publisher(),
        "license": "CC-BY-4.0",
        "generated": timezone.now().isoformat(),
        "source": request.build_absolute_uri(),
        **extra,
    }


@require_GET
def export_projects(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    rows = (exports.project_row(project) for project in selectors.projects_public())
    if fmt == "csv":
        return _csv(exports.PROJECT_COLUMNS, rows, "proyek.csv")
    return _json(rows, _meta(request), "proyek.json")


@require_GET
def export_assets(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    rows = (exports.asset_row(asset) for asset in exports.assets_public())
    if fmt == "csv":
        return _csv(exports.ASSET_COLUMNS, rows, "aset.csv")
    return _json(rows, _meta(request), "aset.json")


@require_GET
def export_readings(request: HttpRequest, fmt: str) -> HttpResponse:
    """Readings of public sensors between `from` and `to` (ISO dates or date-times;
    default: the last 24 hours), optionally of one `asset`, streamed."""
    if fmt not in FORMATS:
        raise Http404
    form = ReadingsRangeForm(request.GET, now=timezone.now())
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        if fmt == "json":
            return JsonResponse(
                {"error": message}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    metrics = exports.public_metrics(asset_code=form.cleaned_data["asset"])
    rows = exports.reading_rows(metrics, start=start, end=end)
    name = f"bacaan-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return _csv(exports.READING_COLUMNS, rows, name)
    return _json(rows, _meta(request, **{"from": start.isoformat(), "to": end.isoformat()}), name)


@require_GET
def export_oc4ids(request: HttpRequest) -> HttpResponse:
    """Every public project as an OC4IDS project package."""
    base = request.build_absolute_uri("/").rstrip("/")
    package = exports.oc4ids_package(_with_files(selectors.projects_public()), base_url=base)
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=1), content_type="application/json"
    )
    return _download(response, "proyek-oc4ids.json")


@require_GET
def project_oc4ids(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_public_detail(code=code)
    if project is None:
        raise Http404(_("Proyek tidak ditemukan."))
    base = request.build_absolute_uri("/").rstrip("/")
    package = exports.oc4ids_package([project], base_url=base)
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _with_files(project_list: list) -> list:
    """Attach the documents to decorated projects in one query (not one per project)."""
    by_project: dict[int, list] = {}
    for document in ProjectDocument.objects.filter(
        project_id__in=[p.pk for p in project_list]
    ).order_by("-uploaded_at"):
        by_project.setdefault(document.project_id, []).append(document)
    for project in project_list:
        project.files = by_project.get(project.pk, [])
        project.photos = []
    return project_list
