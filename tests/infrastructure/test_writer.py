"""The batch writer: idempotent, rollups equal a direct aggregate, dead letters counted."""

from __future__ import annotations

import datetime
import json
import random
import zoneinfo
from collections import defaultdict

import pytest
from django.db.models import Sum

from infrastructure.ingest import rollups
from infrastructure.models import DailyRollup, DeadLetter, HourlyRollup, LatestValue, Reading
from infrastructure.services import readings_ingest, rollups_compact
from tests.infrastructure.conftest import topic

HOUR = 3_600_000


def _messages(key: str, points: list[tuple[int, dict]], received: int):
    return [
        (topic(key), json.dumps({"ts": ts, "values": values}).encode(), received)
        for ts, values in points
    ]


def _direct_aggregates(bucket_of):
    """min/max/avg/count of the stored readings per (metric, bucket), computed from scratch."""
    groups = defaultdict(list)
    for reading in Reading.objects.all():
        groups[(reading.metric_id, bucket_of(reading.ts))].append(reading.value)
    return {
        key: (min(values), max(values), round(sum(values) / len(values), 9), len(values))
        for key, values in groups.items()
    }


def _rollups(model):
    return {
        (r.metric_id, r.bucket): (r.min, r.max, round(r.avg, 9), r.count)
        for r in model.objects.all()
    }


def test_writing_the_same_batch_twice_stores_nothing_new(sensor, now_ms):
    batch = _messages("dev-pasupati-1", [(now_ms - 1000, {"strain": 1.5, "deck_temp": 31})], now_ms)
    first = readings_ingest(messages=batch, now_ms=now_ms)
    rollups_before = _rollups(HourlyRollup), _rollups(DailyRollup)
    second = readings_ingest(messages=batch, now_ms=now_ms)
    assert (first.inserted, first.duplicates) == (2, 0)
    assert (second.inserted, second.duplicates) == (0, 2)
    assert Reading.objects.count() == 2
    assert (_rollups(HourlyRollup), _rollups(DailyRollup)) == rollups_before
    assert {r.count for r in HourlyRollup.objects.all()} == {1}


def test_rollups_equal_a_direct_aggregate_after_overlapping_batches(sensor, now_ms):
    rng = random.Random(7)
    start = now_ms - 30 * HOUR
    points = [
        (
            start + step * 89_000,
            {"strain": round(rng.uniform(-50, 50), 3), "deck_temp": rng.randint(20, 40)},
        )
        for step in range(1200)
    ]
    # Overlapping windows: every point is sent twice or three times, out of order.
    for first in range(0, 1200, 150):
        window = points[max(0, first - 100) : first + 250]
        rng.shuffle(window)
        readings_ingest(messages=_messages("dev-pasupati-1", window, now_ms), now_ms=now_ms)

    assert Reading.objects.count() == 2400
    utc = datetime.UTC
    hourly = _direct_aggregates(
        lambda ts: ts.astimezone(utc).replace(minute=0, second=0, microsecond=0)
    )
    assert _rollups(HourlyRollup) == hourly
    jakarta = zoneinfo.ZoneInfo("Asia/Jakarta")
    daily = _direct_aggregates(
        lambda ts: ts.astimezone(jakarta).replace(hour=0, minute=0, second=0, microsecond=0)
    )
    assert _rollups(DailyRollup) == daily
    latest_ts = points[-1][0]
    assert {
        (lv.metric.name, int(lv.ts.timestamp() * 1000), lv.value)
        for lv in LatestValue.objects.select_related("metric")
    } == {
        ("strain", latest_ts, points[-1][1]["strain"]),
        ("deck_temp", latest_ts, float(points[-1][1]["deck_temp"])),
    }


def test_deferred_rollups_once_compacted_equal_a_direct_aggregate(sensor, now_ms):
    """The ingest workers' path: deltas per batch, merged later; redelivery adds nothing."""
    points = [(now_ms - 3 * HOUR + step * 50_000, {"strain": step % 17}) for step in range(200)]
    batch = _messages("dev-pasupati-1", points, now_ms)
    for attempt in range(2):  # the second is a redelivery
        readings_ingest(messages=batch[attempt * 50 :], now_ms=now_ms, merge_rollups=False)
    if rollups.uses_deltas():
        assert not HourlyRollup.objects.exists() and rollups.pending() > 0
    rollups_compact()
    readings_ingest(messages=batch[:120], now_ms=now_ms, merge_rollups=False)
    rollups_compact()
    assert rollups.pending() == 0
    hourly = _direct_aggregates(
        lambda ts: ts.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    )
    assert _rollups(HourlyRollup) == hourly
    assert sum(count for *_x, count in hourly.values()) == 200
    assert LatestValue.objects.get(metric__name="strain").ts.timestamp() * 1000 == points[-1][0]


def test_deltas_of_a_metric_deleted_before_compaction_are_dropped(sensor, now_ms):
    readings_ingest(
        messages=[(topic("dev-pasupati-1"), b'{"strain": 1, "deck_temp": 2}', now_ms)],
        now_ms=now_ms,
        merge_rollups=False,
    )
    sensor.metrics.get(name="strain").delete()
    rollups_compact()
    assert rollups.pending() == 0
    assert list(HourlyRollup.objects.values_list("metric__name", "count")) == [("deck_temp", 1)]


def test_an_older_reading_does_not_replace_the_latest_value(sensor, now_ms):
    readings_ingest(
        messages=_messages("dev-pasupati-1", [(now_ms, {"strain": 2})], now_ms), now_ms=now_ms
    )
    readings_ingest(
        messages=_messages("dev-pasupati-1", [(now_ms - 60_000, {"strain": 9})], now_ms),
        now_ms=now_ms,
    )
    assert LatestValue.objects.get(metric__name="strain").value == 2


def test_dead_letters_are_recorded_and_counted_without_losing_good_readings(sensor, now_ms):
    batch = [
        (topic("dev-pasupati-1"), b'{"strain": 1, "humidity": 3, "wind": 4}', now_ms),
        (topic("dev-pasupati-1"), b"{not json", now_ms),
        (topic("dev-pasupati-1"), b"{not json either", now_ms),
        (topic("ghost"), b'{"strain": 1}', now_ms),
        (
            topic("dev-pasupati-1"),
            json.dumps({"ts": now_ms + 3_600_000, "values": {"strain": 1}}),
            now_ms,
        ),
        (topic("dev-pasupati-1"), b'{"deck_temp": 30}', now_ms + 1),
    ]
    summary = readings_ingest(messages=batch, now_ms=now_ms)
    assert (summary.inserted, summary.dead_letters) == (2, 6)
    counts = dict(DeadLetter.objects.values_list("reason").annotate(n=Sum("count")))
    assert counts == {"unknown_metric": 2, "bad_json": 2, "unknown_device": 1, "ts_future": 1}
    letter = DeadLetter.objects.get(reason="unknown_device")
    assert (letter.device_key, letter.payload_excerpt) == ("ghost", '{"strain": 1}')


def test_disabled_device_readings_go_to_dead_letters(sensor, now_ms):
    sensor.enabled = False
    sensor.save()
    summary = readings_ingest(
        messages=[(topic("dev-pasupati-1"), b'{"strain": 1}', now_ms)], now_ms=now_ms
    )
    assert summary.inserted == 0
    assert DeadLetter.objects.get().reason == "disabled_device"


def test_accepted_readings_move_last_seen_forward(sensor, now_ms):
    readings_ingest(messages=[(topic("dev-pasupati-1"), b'{"strain": 1}', now_ms)], now_ms=now_ms)
    sensor.refresh_from_db()
    assert int(sensor.last_seen.timestamp() * 1000) == now_ms
    assert sensor.is_online()


@pytest.mark.django_db
def test_a_batch_spanning_days_creates_missing_partitions(sensor, now_ms):
    from infrastructure.ingest import partitions

    old = now_ms - 5 * 86_400_000
    readings_ingest(
        messages=_messages(
            "dev-pasupati-1", [(old, {"strain": 1}), (now_ms, {"strain": 2})], now_ms
        ),
        now_ms=now_ms,
    )
    assert Reading.objects.count() == 2
    if partitions.is_partitioned():
        day = datetime.datetime.fromtimestamp(old / 1000, datetime.UTC).date()
        assert day in partitions.partition_days()


def test_a_redelivered_batch_records_its_dead_letters_once(sensor, now_ms):
    batch = [
        (topic("dev-pasupati-1"), b"{broken", now_ms),
        (topic("ghost"), b'{"strain": 1}', now_ms),
    ]
    readings_ingest(messages=batch, now_ms=now_ms)
    readings_ingest(messages=batch, now_ms=now_ms)
    assert DeadLetter.objects.aggregate(n=Sum("count"))["n"] == 2
    # The same bad payload received again later is a new rejection.
    readings_ingest(messages=[(topic("ghost"), b'{"strain": 1}', now_ms + 5)], now_ms=now_ms)
    assert DeadLetter.objects.aggregate(n=Sum("count"))["n"] == 3
