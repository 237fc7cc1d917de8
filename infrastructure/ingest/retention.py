"""Raw readings retention, configurable per asset type.

INFRA_READING_RETENTION_DAYS is the default; INFRA_READING_RETENTION_DAYS_BY_KIND
({"street_light": 30, "bridge": 730, ...}, keys from Asset.Kind) overrides it per type.
Rollups and latest values are kept whatever the retention.

A daily partition holds every type's readings of that day, so a partition can only be
dropped (instant, no WAL, no bloat) once it is past the *longest* retention. Types with
a shorter retention get their rows in the younger partitions deleted: one partition and
at most INFRA_RETENTION_DELETE_BATCH rows per statement, each statement its own
transaction, so locks and WAL stay small and ingestion is never held up; a run stops
after `budget_s` and the next beat run goes on where it stopped. Each such partition is
trimmed once per type: later runs find nothing left to delete in it (an index range
scan per metric, not a scan of the partition).

A cleaner design when one type dominates the volume would be a second level of
partitioning by retention class; with a handful of short-lived sensor types the
bounded deletes cost less than doubling the partitions.

On SQLite (no partitions) the same bounded deletes apply to every type.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from infrastructure import conf
from infrastructure.ingest import partitions

# SQLite caps the parameters of one statement; PostgreSQL takes one array either way.
_METRICS_PER_STATEMENT = 500


@dataclass
class RetentionResult:
    dropped: list[datetime.date] = field(default_factory=list)
    # asset kind -> readings deleted by this run
    deleted: dict[str, int] = field(default_factory=dict)
    finished: bool = True  # False: the time budget ran out, the next run continues


def retention_days_by_kind() -> tuple[int, dict[str, int]]:
    """(default days, {asset kind: days}) with every kind that has its own retention."""
    from infrastructure.models import Asset

    default = conf.reading_retention_days()
    overrides = conf.reading_retention_days_by_kind()
    unknown = set(overrides) - set(Asset.Kind.values)
    if unknown:
        raise ValueError(f"INFRA_READING_RETENTION_DAYS_BY_KIND: unknown asset types {unknown}")
    if any(int(days) < 1 for days in overrides.values()) or default < 1:
        raise ValueError("reading retention must be at least one day")
    return default, {kind: int(days) for kind, days in overrides.items()}


def _kind_days(default: int, overrides: dict[str, int]) -> dict[str, int]:
    from infrastructure.models import Asset

    return {kind: overrides.get(kind, default) for kind in Asset.Kind.values}


def _metric_ids(kind: str) -> list[int]:
    from infrastructure.models import Metric

    return list(
        Metric.objects.filter(device__asset__kind=kind).order_by("id").values_list("id", flat=True)
    )


def _delete_chunk(table: str, metric_ids: list[int], before: datetime.datetime, limit: int) -> int:
    """Delete up to `limit` readings of these metrics older than `before` from `table`."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ctid is unique within one partition: `table` is a partition, never the parent.
            cursor.execute(
                f"DELETE FROM {table} WHERE ctid = ANY(ARRAY("  # noqa: S608
                f"SELECT ctid FROM {table} WHERE metric_id = ANY(%s) AND ts < %s LIMIT %s))",
                [metric_ids, before, limit],
            )
        else:
            placeholders = ",".join(["%s"] * len(metric_ids))
            cursor.execute(
                f"DELETE FROM {table} WHERE (metric_id, ts) IN (SELECT metric_id, ts "  # noqa: S608
                f"FROM {table} WHERE metric_id IN ({placeholders}) AND ts < %s LIMIT %s)",
                [*metric_ids, str(before.replace(tzinfo=None)), limit],
            )
        return cursor.rowcount


def apply(*, today: datetime.date, budget_s: float = 120.0) -> RetentionResult:
    """Drop the partitions past the longest retention, trim the shorter ones."""
    default, overrides = retention_days_by_kind()
    kind_days = _kind_days(default, overrides)
    longest = max(kind_days.values())
    result = RetentionResult()
    if partitions.is_partitioned():
        result.dropped = partitions.partitions_drop_before(today - datetime.timedelta(days=longest))
    deadline = time.monotonic() + budget_s
    batch = conf.retention_delete_batch()
    for kind, days in sorted(kind_days.items()):
        if partitions.is_partitioned() and days >= longest:
            continue  # what is older went with the dropped partitions
        cutoff_day = today - datetime.timedelta(days=days)
        cutoff = datetime.datetime.combine(cutoff_day, datetime.time(), tzinfo=datetime.UTC)
        metric_ids = _metric_ids(kind)
        if not metric_ids:
            continue
        if partitions.is_partitioned():
            # Partitions are whole UTC days: every one before the cutoff day is all old.
            tables = [
                partitions.partition_name(day)
                for day in partitions.partition_days()
                if day < cutoff_day
            ]
        else:
            tables = [partitions.TABLE]
        deleted = 0
        for table in tables:
            for start in range(0, len(metric_ids), _METRICS_PER_STATEMENT):
                ids = metric_ids[start : start + _METRICS_PER_STATEMENT]
                while True:
                    if time.monotonic() > deadline:
                        result.finished = False
                        result.deleted[kind] = deleted
                        return result
                    count = _delete_chunk(table, ids, cutoff, batch)
                    deleted += count
                    if count < batch:
                        break
        if deleted:
            result.deleted[kind] = deleted
    return result
