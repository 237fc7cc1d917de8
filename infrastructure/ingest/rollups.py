"""Hourly and daily rollups on PostgreSQL: per-batch deltas, merged by a compaction.

Upserting the rollups in every batch cost ~1.5 row updates per data point (hourly,
daily and latest rows of every metric in the batch) and made concurrent workers queue
on the same hot rows: PostgreSQL spent ~3.3 CPU-seconds per 100k data points, four
times the readings insert itself (bench/ingest_cost.py). Instead the writer appends
each batch's partial aggregates, computed from the rows the batch actually inserted,
to `infrastructure_rollupdelta` in the batch's transaction (plain inserts into an
unindexed table: no conflicts, no locks), and `compact()` folds the accumulated deltas
into the rollups with one GROUP BY + upsert, deleting what it merged in the same
statement. So:

- a redelivered batch inserts no rows, hence no delta: nothing is counted twice;
- a crash before COMMIT loses the batch and its delta together (the message is then
  redelivered); a crash during a compaction rolls it back, the deltas stay;
- `DELETE … RETURNING` only takes committed deltas it could lock, so a concurrent
  compaction or a batch still in flight is never merged twice or missed; an advisory
  lock keeps compactions one at a time anyway (they would only queue on the same rows).

Freshness: synchronous callers (`readings_ingest()`, the demo, the simulator, tests)
compact right after their batch, so rollups equal a direct aggregate when it returns.
The ingest workers compact at most every INFRA_ROLLUP_COMPACT_SECONDS per process, and
a beat task every minute catches the deltas of a stream that went quiet: hourly and
daily charts are at most one minute behind (a few seconds under traffic). Latest
values are not deferred: the writer keeps them current in the batch's transaction.

SQLite (the embedded mode, one writer) folds its rollups directly; this is a no-op there.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

from infrastructure import conf

TABLE = "infrastructure_rollupdelta"
# Any constant: one compaction at a time across all processes.
_LOCK_ID = 0x1A5E7_0002

# `hour` is the UTC hour and `day` the local day (settings.TIME_ZONE) of the readings:
# both are kept because a zone with a half-hour offset splits an hour across two days.
# Autovacuum: the table is emptied continuously, so vacuum it by dead rows, not by size.
POSTGRES_DDL = f"""
CREATE TABLE {TABLE} (
    metric_id integer NOT NULL,
    hour timestamptz NOT NULL,
    day timestamptz NOT NULL,
    "min" double precision NOT NULL,
    "max" double precision NOT NULL,
    "sum" double precision NOT NULL,
    "count" integer NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 20000,
        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 20000)
"""

# Appended to the writer's statement: the inserted rows (`ins`) aggregated per bucket.
DELTA_CTE = f"""
INSERT INTO {TABLE} (metric_id, hour, day, "min", "max", "sum", "count")
SELECT metric_id, date_trunc('hour', ts, 'UTC'), date_trunc('day', ts, %(tz)s),
       min(value), max(value), sum(value), count(*)
FROM ins GROUP BY 1, 2, 3
RETURNING 1
"""  # noqa: S608 (constant table name)

# Deltas of a metric deleted meanwhile are dropped (the join), not merged: the rollups
# reference the metric. ORDER BY: concurrent upserts lock rows in one order.
_COMPACT = f"""
WITH moved AS (
    DELETE FROM {TABLE}
    WHERE ctid = ANY(ARRAY(SELECT ctid FROM {TABLE} LIMIT %(limit)s))
    RETURNING metric_id, hour, day, "min", "max", "sum", "count"
), live AS (
    SELECT moved.* FROM moved JOIN infrastructure_metric m ON m.id = moved.metric_id
), hourly AS (
    INSERT INTO infrastructure_hourlyrollup (metric_id, bucket, "min", "max", "sum", "count")
    SELECT metric_id, hour, min("min"), max("max"), sum("sum"), sum("count")::integer
    FROM live GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (metric_id, bucket) DO UPDATE SET
        "min" = LEAST(infrastructure_hourlyrollup."min", EXCLUDED."min"),
        "max" = GREATEST(infrastructure_hourlyrollup."max", EXCLUDED."max"),
        "sum" = infrastructure_hourlyrollup."sum" + EXCLUDED."sum",
        "count" = infrastructure_hourlyrollup."count" + EXCLUDED."count"
    RETURNING 1
), daily AS (
    INSERT INTO infrastructure_dailyrollup (metric_id, bucket, "min", "max", "sum", "count")
    SELECT metric_id, day, min("min"), max("max"), sum("sum"), sum("count")::integer
    FROM live GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (metric_id, bucket) DO UPDATE SET
        "min" = LEAST(infrastructure_dailyrollup."min", EXCLUDED."min"),
        "max" = GREATEST(infrastructure_dailyrollup."max", EXCLUDED."max"),
        "sum" = infrastructure_dailyrollup."sum" + EXCLUDED."sum",
        "count" = infrastructure_dailyrollup."count" + EXCLUDED."count"
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM hourly), (SELECT count(*) FROM daily)
"""  # noqa: S608 (constant table names)

# Deltas merged per transaction: bounds the statement after a long backlog.
CHUNK_ROWS = 200_000

_last_compact = -float("inf")


def create_table(schema_editor) -> None:
    """Migration step (PostgreSQL only: SQLite folds rollups directly)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DDL)


def drop_table(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def uses_deltas() -> bool:
    return connection.vendor == "postgresql"


def compact(*, chunk_rows: int = CHUNK_ROWS) -> int | None:
    """Merge every committed delta into the rollups; return the deltas merged, or None
    when another compaction holds the lock (it merges them instead)."""
    global _last_compact
    if not uses_deltas():
        return 0
    _last_compact = time.monotonic()
    merged = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_ID])
            if not cursor.fetchone()[0]:
                return merged or None
            cursor.execute(_COMPACT, {"limit": chunk_rows})
            moved = cursor.fetchone()[0]
        merged += moved
        if moved < chunk_rows:
            return merged


def compact_if_due() -> int | None:
    """Compact when this process has not done so for INFRA_ROLLUP_COMPACT_SECONDS."""
    if not uses_deltas() or time.monotonic() - _last_compact < conf.rollup_compact_seconds():
        return None
    return compact()


def pending() -> int:
    """Deltas not merged yet (monitoring, tests)."""
    if not uses_deltas():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0])
