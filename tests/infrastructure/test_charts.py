"""Sensor history charts: 24 h raw, 30 days hourly and 1 year daily, server-rendered SVG."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infrastructure import charts
from infrastructure.models import DailyRollup, HourlyRollup
from infrastructure.services import readings_ingest
from tests.infrastructure.conftest import topic
from tests.infrastructure.factories import AssetFactory

NOW = datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_downsampling_averages_into_at_most_the_given_slices():
    start = NOW - datetime.timedelta(hours=24)
    # every 10 s, cycling 0…11: each two-minute slice averages 5.5
    points = [
        (start + datetime.timedelta(seconds=s), float(s // 10 % 12)) for s in range(0, 86400, 10)
    ]
    sampled = charts.downsample(points, start=start, end=NOW, buckets=720)
    assert len(sampled) == 720
    assert all(value == pytest.approx(5.5) for _ts, value in sampled)


def test_a_gap_in_the_data_breaks_the_line():
    start = NOW - datetime.timedelta(hours=10)
    hours = [0, 1, 2, 7, 8]
    points = [(start + datetime.timedelta(hours=h), float(h)) for h in hours]
    chart = charts.line_chart(
        points, start=start, end=NOW, step=datetime.timedelta(hours=1), x_format="%H:%M"
    )
    assert len(chart.segments) == 2
    assert chart.low == 0 and chart.high == 8 and chart.count == 5


def test_a_single_point_is_still_drawn():
    chart = charts.line_chart(
        [(NOW, 3.0)],
        start=NOW - datetime.timedelta(hours=1),
        end=NOW,
        step=datetime.timedelta(minutes=1),
        x_format="%H:%M",
    )
    assert len(chart.segments[0].split()) == 2


def _history(client, metric_id: int, key: str) -> str:
    url = reverse("infrastructure:metric_history", args=[metric_id])
    return client.get(url, {"rentang": key}).content.decode()


def test_the_three_ranges_read_raw_hourly_and_daily_data(client, sensor, now_ms):
    metric = sensor.metrics.get(name="strain")
    messages = [
        (
            topic(sensor.key),
            # Raw values ≥ 100, so the rollup rows below (average 2) hold the 30-day minimum
            # whether or not the ingested day's own rollups are merged yet.
            json.dumps({"ts": now_ms - m * 600_000, "values": {"strain": 100 + m}}).encode(),
            now_ms,
        )
        for m in range(144)  # a day every ten minutes
    ]
    readings_ingest(messages=messages, now_ms=now_ms)
    for days in range(1, 40):
        bucket = NOW - datetime.timedelta(days=days)
        DailyRollup.objects.update_or_create(
            metric=metric, bucket=bucket, defaults={"min": 1, "max": 3, "sum": 20, "count": 10}
        )
        HourlyRollup.objects.update_or_create(
            metric=metric, bucket=bucket, defaults={"min": 1, "max": 3, "sum": 20, "count": 10}
        )
    raw = _history(client, metric.pk, "24j")
    assert "<polyline" in raw and "144 titik" in raw
    month = _history(client, metric.pk, "30h")
    assert "<polyline" in month and "Terendah 2" in month
    year = _history(client, metric.pk, "1t")
    # 39 rollup rows above, plus the ingested day's own once merged: one point per day.
    days = DailyRollup.objects.filter(metric=metric).count()
    assert days >= 39 and f"{days} titik" in year
    assert 'aria-current="page"' in year and "<script" not in year.split("</head>")[1]


def test_an_unknown_range_falls_back_to_a_day(client, sensor):
    page = _history(client, sensor.metrics.first().pk, "10tahun")
    assert "24 jam terakhir" in page


def test_a_private_assets_sensor_is_a_404(client, db):
    from tests.infrastructure.factories import DeviceFactory, MetricFactory

    metric = MetricFactory(device=DeviceFactory(asset=AssetFactory(is_public=False)))
    url = reverse("infrastructure:metric_history", args=[metric.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("readings", [10, 500])
def test_history_page_query_count_does_not_grow(client, sensor, now_ms, readings):
    messages = [
        (
            topic(sensor.key),
            json.dumps({"ts": now_ms - i * 60_000, "values": {"strain": i}}).encode(),
            now_ms,
        )
        for i in range(readings)
    ]
    readings_ingest(messages=messages, now_ms=now_ms)
    metric = sensor.metrics.get(name="strain")
    with CaptureQueriesContext(connection) as queries:
        _history(client, metric.pk, "24j")
    assert len(queries) <= 2  # the metric with its asset and latest value, then its readings
