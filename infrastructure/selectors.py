"""Reads of the infrastructure app. Pages read rollups and latest values, never raw history."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from infrastructure.models import Asset, DailyRollup, DeadLetter, Device, HourlyRollup, Metric

CHART_WIDTH = 300
CHART_HEIGHT = 80


@dataclass(frozen=True)
class Chart:
    """A metric's averages from rollups (oldest first), scaled into an SVG viewBox."""

    buckets: list = field(default_factory=list)

    @property
    def low(self) -> float | None:
        return min((row.min for row in self.buckets), default=None)

    @property
    def high(self) -> float | None:
        return max((row.max for row in self.buckets), default=None)

    @property
    def points(self) -> str:
        if not self.buckets:
            return ""
        low, high = self.low, self.high
        span = (high - low) or 1.0
        last = max(1, len(self.buckets) - 1)
        return " ".join(
            f"{index * CHART_WIDTH / last:.1f},"
            f"{CHART_HEIGHT - (row.avg - low) / span * CHART_HEIGHT:.1f}"
            for index, row in enumerate(self.buckets)
        )


@dataclass
class MetricReading:
    metric: Metric
    value: float | None
    ts: datetime.datetime | None
    chart_24h: Chart | None = None
    chart_30d: Chart | None = None

    @property
    def out_of_range(self) -> bool:
        if self.value is None:
            return False
        low, high = self.metric.expected_min, self.metric.expected_max
        return (low is not None and self.value < low) or (high is not None and self.value > high)


def _with_latest(assets: QuerySet[Asset], now: datetime.datetime) -> list[Asset]:
    """Assets with `.live_devices` (enabled), each with `.online` and `.readings`: 3 queries."""
    metrics = Metric.objects.select_related("latest").order_by("id")
    devices = (
        Device.objects.filter(enabled=True)
        .order_by("name")
        .prefetch_related(Prefetch("metrics", queryset=metrics))
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
            for metric in device.metrics.all():
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
    """One public asset with its readings and, per metric, `.chart_24h` (hourly rollups)
    and `.chart_30d` (daily rollups): five queries whatever the history's length."""
    now = now or timezone.now()
    found = _with_latest(Asset.objects.filter(is_public=True, code=code), now)
    if not found:
        return None
    asset = found[0]
    readings = [reading for device in asset.live_devices for reading in device.readings]
    metric_ids = [reading.metric.id for reading in readings]
    hourly: dict[int, list] = defaultdict(list)
    for row in HourlyRollup.objects.filter(
        metric_id__in=metric_ids, bucket__gte=now - datetime.timedelta(hours=24)
    ).order_by("bucket"):
        hourly[row.metric_id].append(row)
    daily: dict[int, list] = defaultdict(list)
    for row in DailyRollup.objects.filter(
        metric_id__in=metric_ids, bucket__gte=now - datetime.timedelta(days=30)
    ).order_by("bucket"):
        daily[row.metric_id].append(row)
    for reading in readings:
        reading.chart_24h = Chart(hourly[reading.metric.id])
        reading.chart_30d = Chart(daily[reading.metric.id])
    return asset


def dead_letters_count(*, since: datetime.datetime) -> int:
    return DeadLetter.objects.filter(received_at__gte=since).aggregate(n=Sum("count"))["n"] or 0
