"""Writing a parsed batch: readings, rollups, latest values, dead letters, last_seen.

Everything of one batch commits in one transaction, and writing is idempotent: the
(metric_id, ts) key absorbs redelivered readings, and rollup deltas and latest values
are computed from the rows this batch actually inserted (RETURNING), so a redelivered
batch changes nothing.

PostgreSQL: COPY into a temporary staging table, then one statement whose
data-modifying CTEs insert the readings (ON CONFLICT DO NOTHING), append the inserted
rows' per-bucket aggregates to the rollup deltas (merged later, see rollups.py) and
keep each metric's newest inserted row; the latest values are upserted last, just
before COMMIT. SQLite (embedded mode, a single writer): the same steps with
executemany and a staging table, the rollups folded directly in Python.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from infrastructure import conf
from infrastructure.ingest import partitions, rollups
from infrastructure.ingest.parse import ParseResult
from infrastructure.models import DeadLetter

HOUR_MS = 3_600_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class WriteSummary:
    received: int  # readings handed in (after parsing)
    inserted: int
    duplicates: int
    dead_letters: int  # rejected messages/values, summed over DeadLetter.count

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "dead_letters": self.dead_letters,
        }


def _utc(ms: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(milliseconds=ms)


def batch_write(result: ParseResult) -> WriteSummary:
    """Store one parsed batch. Safe to call again with the same batch."""
    if result.readings:
        # Outside the batch's transaction: creating a partition locks the parent table.
        days = {_utc(ts).date() for ts in {ts - ts % 86_400_000 for _m, ts, _v in result.readings}}
        partitions.partitions_ensure(days)
    with transaction.atomic():
        if not result.readings:
            inserted = 0
        elif connection.vendor == "postgresql":
            inserted = _write_readings_postgres(result.readings)
        else:
            inserted = _write_readings_sqlite(result.readings)
        dead = _write_dead_letters(result)
        _touch_devices(result.seen)
        if inserted and connection.vendor == "postgresql":
            _write_latest_postgres()
    return WriteSummary(
        received=len(result.readings),
        inserted=inserted,
        duplicates=len(result.readings) - inserted,
        dead_letters=dead,
    )


# --- PostgreSQL ---------------------------------------------------------------------

_PG_STAGING = """
CREATE TEMPORARY TABLE IF NOT EXISTS infrastructure_reading_staging (
    metric_id integer NOT NULL, ts_ms bigint NOT NULL, value double precision NOT NULL
) ON COMMIT DELETE ROWS
"""

_PG_LATEST_STAGING = """
CREATE TEMPORARY TABLE IF NOT EXISTS infrastructure_latest_staging (
    metric_id integer NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL
) ON COMMIT DELETE ROWS
"""

# Rows go in key order: each metric's index entries then arrive ascending, which
# PostgreSQL's b-tree page splits pack nearly full (in random order the primary key
# costs ~10 bytes more per row). The rows actually inserted (`ins`) become the rollup
# deltas (see rollups.py) and, newest per metric, candidates for the latest values.
# Never put a percent sign in this SQL: it has parameters.
_PG_INSERT = f"""
WITH ins AS (
    INSERT INTO infrastructure_reading (metric_id, ts, value)
    SELECT metric_id, timestamptz 'epoch' + ts_ms * interval '1 millisecond', value
    FROM infrastructure_reading_staging
    ORDER BY metric_id, ts_ms
    ON CONFLICT DO NOTHING
    RETURNING metric_id, ts, value
), delta AS ({rollups.DELTA_CTE}
), newest AS (
    INSERT INTO infrastructure_latest_staging (metric_id, ts, value)
    SELECT DISTINCT ON (metric_id) metric_id, ts, value FROM ins ORDER BY metric_id, ts DESC
    RETURNING 1
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM delta), (SELECT count(*) FROM newest)
"""  # noqa: S608 (constant SQL)

# The last statement of the batch's transaction: every worker updates the same hot
# rows, so their locks are held only from here to COMMIT. Key order: no deadlocks.
_PG_LATEST = """
INSERT INTO infrastructure_latestvalue (metric_id, ts, value)
SELECT metric_id, ts, value FROM infrastructure_latest_staging ORDER BY metric_id
ON CONFLICT (metric_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value
WHERE infrastructure_latestvalue.ts < EXCLUDED.ts
"""


def _write_readings_postgres(readings: list[tuple[int, int, float]]) -> int:
    buffer = io.StringIO("".join(f"{m}\t{ts}\t{value!r}\n" for m, ts, value in readings))
    with connection.cursor() as cursor:
        cursor.execute(_PG_STAGING)
        cursor.execute(_PG_LATEST_STAGING)
        # The driver's cursor: Django's wrapper has no COPY (psycopg2 copy_expert).
        cursor.cursor.copy_expert(
            "COPY infrastructure_reading_staging (metric_id, ts_ms, value) FROM STDIN", buffer
        )
        cursor.execute(_PG_INSERT, {"tz": settings.TIME_ZONE})
        inserted = cursor.fetchone()[0]
        # ON COMMIT DELETE ROWS empties it at commit; empty it now for a caller's next batch
        # inside the same outer transaction (tests).
        cursor.execute("TRUNCATE infrastructure_reading_staging")
    return int(inserted)


def _write_latest_postgres() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_PG_LATEST)
        cursor.execute("TRUNCATE infrastructure_latest_staging")


# --- SQLite -------------------------------------------------------------------------


def _sqlite_ts(ms: int) -> str:
    # Django's SQLite backend stores aware datetimes as naive UTC text, str() style.
    return str(_utc(ms).replace(tzinfo=None))


def _write_readings_sqlite(readings: list[tuple[int, int, float]]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS infrastructure_reading_staging "
            "(metric_id integer, ts text, ts_ms integer, value real)"
        )
        cursor.execute("DELETE FROM infrastructure_reading_staging")
        cursor.executemany(
            "INSERT INTO infrastructure_reading_staging VALUES (%s, %s, %s, %s)",
            [(m, _sqlite_ts(ts), ts, value) for m, ts, value in readings],
        )
        # Keep only rows that are new: first of each key in the batch, not yet stored.
        cursor.execute(
            "DELETE FROM infrastructure_reading_staging WHERE rowid NOT IN "
            "(SELECT min(rowid) FROM infrastructure_reading_staging GROUP BY metric_id, ts)"
        )
        cursor.execute(
            "DELETE FROM infrastructure_reading_staging WHERE EXISTS (SELECT 1 FROM "
            "infrastructure_reading r WHERE r.metric_id = infrastructure_reading_staging.metric_id "
            "AND r.ts = infrastructure_reading_staging.ts)"
        )
        cursor.execute(
            "INSERT INTO infrastructure_reading (metric_id, ts, value) "
            "SELECT metric_id, ts, value FROM infrastructure_reading_staging"
        )
        cursor.execute("SELECT metric_id, ts_ms, value FROM infrastructure_reading_staging")
        new_rows = cursor.fetchall()
        cursor.execute("DELETE FROM infrastructure_reading_staging")
        if new_rows:
            _fold_rollups_sqlite(cursor, new_rows)
    return len(new_rows)


def _fold_rollups_sqlite(cursor, rows: list[tuple[int, int, float]]) -> None:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    day_of_hour: dict[int, int] = {}

    def local_day_ms(hour_ms: int) -> int:
        if hour_ms not in day_of_hour:
            local = _utc(hour_ms).astimezone(tz)
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            day_of_hour[hour_ms] = int((midnight - _EPOCH).total_seconds() * 1000)
        return day_of_hour[hour_ms]

    hourly: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    daily: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    latest: dict[int, tuple[int, float]] = {}
    for metric_id, ts, value in rows:
        hour = ts - ts % HOUR_MS
        for bucket in (hourly[(metric_id, hour)], daily[(metric_id, local_day_ms(hour))]):
            if bucket[3] == 0:
                bucket[0] = bucket[1] = value
            else:
                bucket[0] = min(bucket[0], value)
                bucket[1] = max(bucket[1], value)
            bucket[2] += value
            bucket[3] += 1
        if metric_id not in latest or latest[metric_id][0] < ts:
            latest[metric_id] = (ts, value)
    for table, buckets in (
        ("infrastructure_hourlyrollup", hourly),
        ("infrastructure_dailyrollup", daily),
    ):
        cursor.executemany(
            f'INSERT INTO {table} (metric_id, bucket, "min", "max", "sum", "count") '  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (metric_id, bucket) DO UPDATE SET "
            '"min" = min("min", excluded."min"), "max" = max("max", excluded."max"), '
            '"sum" = "sum" + excluded."sum", "count" = "count" + excluded."count"',
            [(m, _sqlite_ts(b), *agg) for (m, b), agg in buckets.items()],
        )
    cursor.executemany(
        "INSERT INTO infrastructure_latestvalue (metric_id, ts, value) VALUES (%s, %s, %s) "
        "ON CONFLICT (metric_id) DO UPDATE SET ts = excluded.ts, value = excluded.value "
        "WHERE infrastructure_latestvalue.ts < excluded.ts",
        [(m, _sqlite_ts(ts), value) for m, (ts, value) in latest.items()],
    )


# --- Dead letters and last_seen ------------------------------------------------------


def _write_dead_letters(result: ParseResult) -> int:
    grouped: dict[tuple[str, str], DeadLetter] = {}
    digests: dict[tuple[str, str], hashlib.blake2b] = {}
    for rejection in result.rejections:
        key = (rejection.topic, rejection.reason)
        letter = grouped.get(key)
        if letter is None:
            grouped[key] = DeadLetter(
                received_at=_utc(rejection.received_ms),
                topic=rejection.topic,
                device_key=rejection.device_key,
                reason=rejection.reason,
                message=rejection.message,
                payload_excerpt=rejection.excerpt,
                count=rejection.count,
            )
            digests[key] = hashlib.blake2b(rejection.reason.encode(), digest_size=16)
        else:
            letter.count += rejection.count
        digests[key].update(rejection.digest.encode())
    for key, letter in grouped.items():
        letter.fingerprint = digests[key].hexdigest()
    DeadLetter.objects.bulk_create(grouped.values(), batch_size=1000, ignore_conflicts=True)
    return sum(letter.count for letter in grouped.values())


def _touch_devices(seen: dict[int, int]) -> None:
    """Move last_seen forward; skip rows that moved recently (hot rows, needless WAL)."""
    if not seen:
        return
    resolution = datetime.timedelta(seconds=conf.last_seen_resolution_seconds())
    pairs = sorted(seen.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE infrastructure_device d SET last_seen = v.seen "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, seen) "
                "WHERE d.id = v.id AND (d.last_seen IS NULL OR d.last_seen < v.seen - %s)",
                [[p[0] for p in pairs], [_utc(p[1]) for p in pairs], resolution],
            )
        else:
            cursor.executemany(
                "UPDATE infrastructure_device SET last_seen = %s "
                "WHERE id = %s AND (last_seen IS NULL OR last_seen < %s)",
                [
                    (
                        _sqlite_ts(ms),
                        device_id,
                        _sqlite_ts(ms - int(resolution.total_seconds() * 1000)),
                    )
                    for device_id, ms in pairs
                ],
            )
