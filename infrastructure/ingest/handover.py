"""Where the ingester hands a batch over: Celery workers, or the writer in-process."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

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


def celery_sink(messages: RawBatch) -> None:
    """Publish one task per batch; returns once the Celery broker holds the message."""
    from infrastructure.tasks import ingest_batch

    ingest_batch.apply_async(args=[task_payload(messages)], retry=True)
