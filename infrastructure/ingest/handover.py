"""Where the ingester hands a batch over: Celery workers, or the writer in-process."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from infrastructure import conf

RawBatch = Sequence[tuple[str, bytes, int]]


def task_payload(messages: RawBatch) -> list[list]:
    """The Celery task's argument: [[topic, payload text, received ms], ...].

    Payloads that are not UTF-8 travel with surrogate escapes, which the parser then
    rejects as bad_json, as it would the original bytes.
    """
    return [
        [topic, payload.decode("utf-8", "surrogateescape"), received]
        for topic, payload, received in messages
    ]


def inline_sink(messages: RawBatch) -> dict:
    """Parse and write in this process; the batch is committed when this returns."""
    from infrastructure.ingest import rollups
    from infrastructure.services import readings_ingest

    try:
        summary = readings_ingest(messages=messages, merge_rollups=False).as_dict()
        rollups.compact_if_due()
        return summary
    except Exception:
        # A broken connection (database restarted) must not poison the next attempt.
        connection.close()
        raise


def split_by_device(messages: RawBatch, parts: int) -> list[list[tuple[str, bytes, int]]]:
    """The batch as up to `parts` batches, each device's messages (its topic) in one.

    Workers then write one flush in parallel, and each part still touches each of its
    metrics once (latest value, rollup deltas): splitting by device does not multiply
    the per-metric work the way smaller batches would.
    """
    if parts <= 1 or len(messages) < 2 * parts:
        return [list(messages)]
    split: list[list[tuple[str, bytes, int]]] = [[] for _ in range(parts)]
    for message in messages:
        split[hash(message[0]) % parts].append(message)
    return [part for part in split if part]


def celery_sink(messages: RawBatch) -> None:
    """Publish the batch as INGEST_TASKS_PER_BATCH tasks (split by device); returns once
    the Celery broker holds all of them. A part published before a failure is written
    again with the whole batch's redelivery: the readings' key absorbs it."""
    from infrastructure.tasks import ingest_batch

    for part in split_by_device(messages, conf.ingest_tasks_per_batch()):
        ingest_batch.apply_async(args=[task_payload(part)], retry=True)
