"""Readings partitions: created ahead, dropped past retention (per asset type); rollups
outlive raw data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from infrastructure.ingest import partitions, retention
from infrastructure.models import Asset, HourlyRollup, Reading
from infrastructure.services import partitions_maintain, readings_ingest
from tests.infrastructure.conftest import topic
from tests.infrastructure.factories import AssetFactory, DeviceFactory, MetricFactory


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("partitions exist on PostgreSQL only")


def test_partitions_are_created_ahead(db, postgres_only, settings):
    settings.INFRA_PARTITIONS_AHEAD_DAYS = 5
    today = datetime.date(2031, 3, 10)
    result = partitions_maintain(today=today)
    days = partitions.partition_days()
    for offset in range(6):
        assert today + datetime.timedelta(days=offset) in days
    assert "2031-03-15" in result["created"]
    assert partitions_maintain(today=today)["created"] == []


def test_old_partitions_are_dropped_and_rollups_stay(db, postgres_only, sensor, now_ms, settings):
    settings.INFRA_TS_MAX_AGE_SECONDS = 30 * 86400
    old_ms = now_ms - 20 * 86_400_000
    readings_ingest(
        messages=[
            (topic("dev-pasupati-1"), f'{{"ts": {old_ms}, "values": {{"strain": 1}}}}', now_ms),
            (topic("dev-pasupati-1"), b'{"strain": 2}', now_ms),
        ],
        now_ms=now_ms,
    )
    old_day = datetime.datetime.fromtimestamp(old_ms / 1000, datetime.UTC).date()
    assert old_day in partitions.partition_days()

    settings.INFRA_READING_RETENTION_DAYS = 10
    today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.UTC).date()
    result = partitions_maintain(today=today)

    assert old_day.isoformat() in result["dropped"]
    assert old_day not in partitions.partition_days()
    assert min(partitions.partition_days()) >= today - datetime.timedelta(days=10)
    assert list(Reading.objects.values_list("value", flat=True)) == [2.0]
    assert HourlyRollup.objects.count() == 2


def test_partition_maintenance_creates_no_partitions_on_sqlite(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    result = partitions_maintain()
    assert (result["created"], result["dropped"], result["deleted"]) == ([], [], {})


def _street_light(now_ms: int, old_ms: int):
    asset = AssetFactory(kind=Asset.Kind.STREET_LIGHT)
    device = DeviceFactory(asset=asset, key="pju-1")
    MetricFactory(device=device, name="power")
    return [
        (topic("pju-1"), f'{{"ts": {ts}, "values": {{"power": {n}}}}}', now_ms)
        for n, ts in enumerate([old_ms, old_ms + 1000, old_ms + 2000, old_ms + 3000, now_ms])
    ]


def test_a_shorter_retention_per_asset_type_deletes_only_that_types_old_readings(
    sensor, now_ms, settings
):
    settings.INFRA_TS_MAX_AGE_SECONDS = 30 * 86400
    settings.INFRA_READING_RETENTION_DAYS = 20
    settings.INFRA_READING_RETENTION_DAYS_BY_KIND = {"street_light": 5}
    settings.INFRA_RETENTION_DELETE_BATCH = 3  # several bounded statements
    old_ms = now_ms - 10 * 86_400_000
    messages = _street_light(now_ms, old_ms)
    messages.append(
        (topic("dev-pasupati-1"), f'{{"ts": {old_ms}, "values": {{"strain": 7}}}}', now_ms)
    )
    readings_ingest(messages=messages, now_ms=now_ms)
    hourly_before = HourlyRollup.objects.count()
    today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.UTC).date()

    result = partitions_maintain(today=today)

    assert result["deleted"] == {"street_light": 4} and result["finished"]
    old_day = datetime.datetime.fromtimestamp(old_ms / 1000, datetime.UTC).date()
    assert old_day.isoformat() not in result["dropped"]  # the bridge still needs it
    assert sorted(Reading.objects.values_list("metric__name", "value")) == [
        ("power", 4.0),
        ("strain", 7.0),
    ]
    assert HourlyRollup.objects.count() == hourly_before  # rollups outlive raw readings
    # Nothing left to delete: a second run is a no-op.
    assert partitions_maintain(today=today)["deleted"] == {}

    # Once past every type's retention the whole partition goes (PostgreSQL).
    settings.INFRA_READING_RETENTION_DAYS = 8
    result = partitions_maintain(today=today)
    assert not Reading.objects.filter(metric__name="strain").exists()
    if partitions.is_partitioned():
        assert old_day.isoformat() in result["dropped"]


def test_a_retention_run_stops_at_its_time_budget_and_the_next_one_goes_on(db, now_ms, settings):
    settings.INFRA_TS_MAX_AGE_SECONDS = 30 * 86400
    settings.INFRA_READING_RETENTION_DAYS_BY_KIND = {"street_light": 5}
    settings.INFRA_RETENTION_DELETE_BATCH = 1
    readings_ingest(messages=_street_light(now_ms, now_ms - 10 * 86_400_000), now_ms=now_ms)
    today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.UTC).date()
    stopped = retention.apply(today=today, budget_s=0)
    assert not stopped.finished and Reading.objects.count() == 5
    done = retention.apply(today=today)
    assert done.finished and done.deleted == {"street_light": 4}
    assert Reading.objects.count() == 1


def test_an_unknown_asset_type_in_the_retention_setting_is_refused(db, settings):
    settings.INFRA_READING_RETENTION_DAYS_BY_KIND = {"jembatan": 5}
    with pytest.raises(ValueError, match="unknown asset types"):
        partitions_maintain()
