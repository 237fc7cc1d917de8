"""Readings partitions: created ahead, dropped past retention; rollups outlive raw data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from infrastructure.ingest import partitions
from infrastructure.models import HourlyRollup, Reading
from infrastructure.services import partitions_maintain, readings_ingest
from tests.infrastructure.conftest import topic


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


def test_partition_maintenance_does_nothing_on_sqlite(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    assert partitions_maintain() == {"created": [], "dropped": []}
