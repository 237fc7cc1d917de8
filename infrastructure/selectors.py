"""Reads of the infrastructure app. Pages read rollups and latest values, never raw history."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Prefetch,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infrastructure import charts, condition, projects
from infrastructure.models import (
    Asset,
    DailyRollup,
    DeadLetter,
    Device,
    HourlyRollup,
    Inspection,
    Metric,
    ProgressReport,
    Project,
    ProjectDocument,
    Reading,
)
from portal.models import OrgUnit, User


@dataclass
class MetricReading:
    metric: Metric
    value: float | None
    ts: datetime.datetime | None
    chart_24h: charts.LineChart | None = None
    chart_30d: charts.LineChart | None = None

    @property
    def out_of_range(self) -> bool:
        if self.value is None:
            return False
        low, high = self.metric.expected_min, self.metric.expected_max
        return (low is not None and self.value < low) or (high is not None and self.value > high)


def _with_latest(assets: QuerySet[Asset], now: datetime.datetime) -> list[Asset]:
    """Assets with `.live_devices` (enabled), each with `.online` and `.readings`: 3 queries."""
    metrics = Metric.objects.select_related("latest").order_by("id")
    # to_attr lists, not `.all()`: each `.all()` clones a queryset, which cost more CPU
    # than the rest of the live fragment's Python (the fragment is polled every 2 s).
    devices = (
        Device.objects.filter(enabled=True)
        .order_by("name")
        .prefetch_related(Prefetch("metrics", queryset=metrics, to_attr="metric_list"))
    )
    assets = list(
        assets.select_related("kelurahan").prefetch_related(
            Prefetch("devices", queryset=devices, to_attr="live_devices")
        )
    )
    for asset in assets:
        for device in asset.live_devices:
            device.online = device.is_online(now)
            device.readings = []
            for metric in device.metric_list:
                latest = getattr(metric, "latest", None)
                device.readings.append(
                    MetricReading(
                        metric=metric,
                        value=latest.value if latest else None,
                        ts=latest.ts if latest else None,
                    )
                )
    return assets


def assets_public_with_latest(*, now: datetime.datetime | None = None) -> list[Asset]:
    """Public assets for the dashboard, three queries whatever the number of sensors."""
    return _with_latest(
        Asset.objects.filter(is_public=True).order_by("kind", "name"), now or timezone.now()
    )


def asset_public_detail(*, code: str, now: datetime.datetime | None = None) -> Asset | None:
    """One public asset with its readings, its last inspections (with photos) and, per
    metric, `.chart_24h` (hourly rollups) and `.chart_30d` (daily rollups): seven
    queries whatever the history's length."""
    now = now or timezone.now()
    found = _with_latest(Asset.objects.filter(is_public=True, code=code), now)
    if not found:
        return None
    asset = found[0]
    readings = [reading for device in asset.live_devices for reading in device.readings]
    metric_ids = [reading.metric.id for reading in readings]
    day_ago, month_ago = now - datetime.timedelta(hours=24), now - datetime.timedelta(days=30)
    hourly = _rollup_points(HourlyRollup, metric_ids=metric_ids, start=day_ago)
    daily = _rollup_points(DailyRollup, metric_ids=metric_ids, start=month_ago)
    local = timezone.localtime
    for reading in readings:
        reading.chart_24h = charts.line_chart(
            hourly[reading.metric.id],
            start=local(day_ago),
            end=local(now),
            step=datetime.timedelta(hours=1),
            x_format="%H:%M",
        )
        reading.chart_30d = charts.line_chart(
            daily[reading.metric.id],
            start=local(month_ago),
            end=local(now),
            step=datetime.timedelta(days=1),
            x_format="%d/%m",
        )
    asset.recent_inspections = list(
        Inspection.objects.filter(asset=asset).prefetch_related("photos")[:10]
    )
    return asset


def dead_letters_count(*, since: datetime.datetime) -> int:
    return DeadLetter.objects.filter(received_at__gte=since).aggregate(n=Sum("count"))["n"] or 0


# --- Projects --------------------------------------------------------------------


def _decorate(project: Project, today: datetime.date, margin: float) -> Project:
    reports = list(project.reports.all())
    project.report_list = reports
    project.progress = projects.progress_of(project, reports, margin=margin)
    project.scurve = charts.s_curve(
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        actual_start=project.actual_start,
        reports=reports,
        today=today,
    )
    return project


def _projects(queryset: QuerySet[Project], today: datetime.date | None) -> list[Project]:
    from infrastructure import conf

    today = today or timezone.localdate()
    margin = conf.delay_margin_pct()
    queryset = queryset.select_related("agency", "kelurahan").prefetch_related(
        Prefetch("reports", queryset=ProgressReport.objects.order_by("period_end"))
    )
    return [_decorate(project, today, margin) for project in queryset]


# Works under way first, then those being prepared, then the finished and cancelled.
_STATUS_ORDER = [
    Project.Status.IMPLEMENTATION,
    Project.Status.COMPLETION,
    Project.Status.PREPARATION,
    Project.Status.IDENTIFICATION,
    Project.Status.COMPLETED,
    Project.Status.CANCELLED,
]


def projects_public(*, today: datetime.date | None = None) -> list[Project]:
    """Public projects with `.progress` (delay, absorption) and `.scurve`: two queries."""
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(_STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return _projects(
        Project.objects.filter(is_public=True).order_by(rank, "-planned_start", "title"), today
    )


def projects_public_version() -> str:
    """Changes whenever a public project or one of its reports is added, changed or
    removed (writers touch `Project.updated_at`): one aggregate query."""
    row = Project.objects.filter(is_public=True).aggregate(
        n=Count("id", distinct=True),
        top=Max("id"),
        last=Max("updated_at"),
        report_count=Count("reports"),
        top_report=Max("reports__id"),
    )
    last = row["last"].timestamp() if row["last"] else 0
    return f"{row['n']}-{row['top']}-{last}-{row['report_count']}-{row['top_report']}"


def project_public_detail(*, code: str, today: datetime.date | None = None) -> Project | None:
    """One public project with its reports, S-curve, documents and photos: three queries."""
    found = _projects(
        Project.objects.filter(is_public=True, code=code).prefetch_related(
            Prefetch("documents", queryset=ProjectDocument.objects.order_by("-uploaded_at"))
        ),
        today,
    )
    if not found:
        return None
    project = found[0]
    files = list(project.documents.all())
    project.photos = [f for f in files if f.kind == ProjectDocument.Kind.PHOTO]
    project.files = [f for f in files if f.kind == ProjectDocument.Kind.DOCUMENT]
    return project


def project_with_progress(*, project_id: int) -> Project:
    """Any project (public or not) with `.progress` and `.scurve`: two queries."""
    return _projects(Project.objects.filter(pk=project_id), None)[0]


def projects_summary(project_list: list[Project]) -> dict:
    """Totals for the dashboard header, from projects already decorated (no query)."""
    return {
        "count": len(project_list),
        "delayed": sum(1 for p in project_list if p.progress.delayed),
        "budget": sum(p.budget for p in project_list),
        "absorbed": sum(p.progress.absorbed or 0 for p in project_list),
    }


# --- Officials -------------------------------------------------------------------


def official_units(user: User) -> set[int] | None:
    """The org units whose projects, assets and devices `user` manages: their own unit
    and every unit below it. None means all (administrators); an empty set, none.

    One query per tree level (the tree is a handful of levels deep), memoised on the user.
    """
    cached = getattr(user, "_infra_units", False)
    if cached is not False:
        return cached
    units: set[int] | None
    if not user.is_authenticated:
        units = set()
    elif user.is_superuser or user.has_role("admin"):
        units = None
    elif not user.has_role("pejabat"):
        units = set()
    else:
        employee_unit = (
            OrgUnit.objects.filter(employees__user=user, employees__is_active=True)
            .values_list("id", flat=True)
            .first()
        )
        units = set()
        frontier = {employee_unit} if employee_unit else set()
        while frontier:
            units |= frontier
            frontier = (
                set(OrgUnit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
                - units
            )
    user._infra_units = units
    return units


def is_official(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.has_role("admin") or user.has_role("pejabat"))
    )


def _in_units(queryset: QuerySet, units: set[int] | None, field: str = "agency_id") -> QuerySet:
    if units is None:
        return queryset
    return queryset.filter(**{f"{field}__in": units})


def projects_for_official(*, user: User, today: datetime.date | None = None) -> list[Project]:
    return _projects(_in_units(Project.objects.all(), official_units(user)), today)


def project_for_official(*, user: User, code: str) -> Project | None:
    return (
        _in_units(Project.objects.filter(code=code), official_units(user))
        .select_related("agency")
        .first()
    )


def assets_for_official(*, user: User) -> QuerySet[Asset]:
    return _in_units(Asset.objects.all(), official_units(user)).select_related("kelurahan")


def asset_for_official(*, user: User, code: str) -> Asset | None:
    return assets_for_official(user=user).filter(code=code).first()


def devices_for_official(*, user: User) -> QuerySet[Device]:
    return (
        _in_units(Device.objects.all(), official_units(user), field="asset__agency_id")
        .select_related("asset")
        .order_by("asset__name", "name")
    )


def inspections_of(*, asset: Asset, limit: int = 50) -> list[Inspection]:
    return list(
        Inspection.objects.filter(asset=asset)
        .select_related("inspector")
        .prefetch_related("photos")[:limit]
    )


def maintenance_priority(*, include_private: bool = True) -> QuerySet[Asset]:
    """Assets with a known condition, worst first by score = badness * criticality *
    traffic weight (see infrastructure.condition), computed and sorted in SQL."""
    queryset = Asset.objects.filter(condition__isnull=False)
    if not include_private:
        queryset = queryset.filter(is_public=True)
    return (
        queryset.select_related("kelurahan", "agency")
        .annotate(badness=condition.badness_annotation())
        .annotate(score=condition.score_annotation())
        .order_by("-score", "-criticality", "name")
    )


# --- Sensor history ----------------------------------------------------------------

HISTORY_RANGES = {
    # key: (label, window, source, bucket step, x-axis date format)
    "24j": (
        _("24 jam terakhir (data mentah)"),
        datetime.timedelta(hours=24),
        "raw",
        datetime.timedelta(minutes=2),
        "%H:%M",
    ),
    "30h": (
        _("30 hari terakhir (rata-rata per jam)"),
        datetime.timedelta(days=30),
        "hourly",
        datetime.timedelta(hours=1),
        "%d/%m",
    ),
    "1t": (
        _("1 tahun terakhir (rata-rata harian)"),
        datetime.timedelta(days=365),
        "daily",
        datetime.timedelta(days=1),
        "%m/%Y",
    ),
}
RAW_BUCKETS = 720


def public_metric(*, metric_id: int) -> Metric | None:
    return (
        Metric.objects.filter(pk=metric_id, device__enabled=True, device__asset__is_public=True)
        .select_related("device__asset", "latest")
        .first()
    )


def _rollup_points(
    model, *, metric_ids: list[int], start: datetime.datetime
) -> defaultdict[int, list[tuple[datetime.datetime, float]]]:
    """Per metric, (bucket, average) of its rollups since `start`, oldest first: one query."""
    points: defaultdict[int, list[tuple[datetime.datetime, float]]] = defaultdict(list)
    rows = (
        model.objects.filter(metric_id__in=metric_ids, bucket__gte=start, count__gt=0)
        .order_by("bucket")
        .values_list("metric_id", "bucket", "sum", "count")
    )
    for metric_id, bucket, total, count in rows:
        points[metric_id].append((bucket, total / count))
    return points


def metric_history(
    *, metric: Metric, range_key: str, now: datetime.datetime | None = None
) -> charts.LineChart:
    """One metric's chart over a window: raw readings for a day (averaged into 720
    slices), hourly rollups for 30 days, daily rollups for a year — one query each."""
    now = now or timezone.now()
    _label, window, source, step, x_format = HISTORY_RANGES[range_key]
    start = now - window
    if source == "raw":
        rows = (
            Reading.objects.filter(metric_id=metric.pk, ts__gte=start, ts__lte=now)
            .order_by("ts")
            .values_list("ts", "value")
            .iterator(chunk_size=5000)
        )
        points = charts.downsample(rows, start=start, end=now, buckets=RAW_BUCKETS)
    else:
        model = HourlyRollup if source == "hourly" else DailyRollup
        points = _rollup_points(model, metric_ids=[metric.pk], start=start)[metric.pk]
    local = timezone.localtime
    return charts.line_chart(
        points, start=local(start), end=local(now), step=step, x_format=x_format
    )
