"""The readings table and its daily partitions.

On PostgreSQL `infrastructure_reading` is RANGE-partitioned by `ts`, one partition per
UTC day named `infrastructure_reading_pYYYYMMDD`. A beat task creates partitions a few
days ahead and drops the ones past retention (dropping a partition is instant, where a
DELETE would rewrite the table); the writer also creates a missing partition for a
batch, so a stopped beat never makes ingestion fail. On SQLite (the embedded mode) the
table is a plain WITHOUT ROWID table and these functions do nothing.
"""

from __future__ import annotations

import datetime
import re

from django.db import connection, transaction

TABLE = "infrastructure_reading"
_PARTITION = re.compile(rf"^{TABLE}_p(\d{{8}})$")
# Any constant: serialises concurrent partition creation between ingest workers.
_LOCK_ID = 0x1A5E7_0001

_known_days: set[datetime.date] = set()

POSTGRES_DDL = f"""
CREATE TABLE {TABLE} (
    metric_id integer NOT NULL,
    ts timestamptz NOT NULL,
    value double precision NOT NULL,
    PRIMARY KEY (metric_id, ts)
) PARTITION BY RANGE (ts)
"""
SQLITE_DDL = f"""
CREATE TABLE {TABLE} (
    metric_id integer NOT NULL,
    ts datetime NOT NULL,
    value real NOT NULL,
    PRIMARY KEY (metric_id, ts)
) WITHOUT ROWID
"""


def create_table(schema_editor) -> None:
    """Migration step: the partitioned table on PostgreSQL, a plain one elsewhere."""
    is_postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRES_DDL if is_postgres else SQLITE_DDL)
    if is_postgres:
        today = datetime.datetime.now(datetime.UTC).date()
        for offset in range(-1, 3):
            schema_editor.execute(_create_partition_sql(today + datetime.timedelta(days=offset)))


def drop_table(schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def partition_name(day: datetime.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def _create_partition_sql(day: datetime.date) -> str:
    upper = day + datetime.timedelta(days=1)
    return (
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+00') TO ('{upper.isoformat()} 00:00:00+00')"
    )


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def partition_days() -> list[datetime.date]:
    """The days that have a partition, oldest first (empty on SQLite)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    days = []
    for name in names:
        match = _PARTITION.match(name)
        if match:
            days.append(datetime.datetime.strptime(match.group(1), "%Y%m%d").date())  # noqa: DTZ007
    return sorted(days)


def partitions_ensure(days: set[datetime.date] | list[datetime.date]) -> list[datetime.date]:
    """Create the partitions of these days that do not exist yet; return the created days."""
    if not is_partitioned():
        return []
    missing = sorted(set(days) - _known_days)
    if not missing:
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        existing = set(partition_days())
        for day in missing:
            if day not in existing:
                cursor.execute(_create_partition_sql(day))
                created.append(day)
    _known_days.update(missing)
    return created


def partitions_ensure_ahead(*, today: datetime.date, ahead_days: int) -> list[datetime.date]:
    return partitions_ensure([today + datetime.timedelta(days=n) for n in range(ahead_days + 1)])


def partitions_drop_before(day: datetime.date) -> list[datetime.date]:
    """Drop every partition that only holds readings from before `day`."""
    if not is_partitioned():
        return []
    dropped = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        for old in partition_days():
            if old < day:
                cursor.execute(f"DROP TABLE IF EXISTS {partition_name(old)}")
                dropped.append(old)
    _known_days.difference_update(dropped)
    return dropped


def forget_known_partitions() -> None:
    """Tests drop and recreate databases under a running process: forget what we saw."""
    _known_days.clear()
