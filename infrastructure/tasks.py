"""Celery tasks of the infrastructure app: thin, idempotent, one service call each."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from infrastructure import services
from infrastructure.ingest import rollups


@shared_task(
    name="infrastructure.ingest_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=1,
    retry_backoff_max=30,
    retry_jitter=True,
    max_retries=None,  # a database outage must delay readings, never drop them
    time_limit=120,
    soft_time_limit=100,
)
def ingest_batch(messages: list[list]) -> dict[str, int]:
    """Store one batch from the MQTT ingester: [[topic, payload text, received epoch ms], ...].

    Idempotent (unique readings key): a redelivered batch stores nothing new.
    """
    summary = services.readings_ingest(
        messages=[(topic, payload, int(received)) for topic, payload, received in messages],
        merge_rollups=False,
    )
    # After COMMIT, at most every INFRA_ROLLUP_COMPACT_SECONDS per worker process: the
    # deltas of many batches are merged in one statement (ingest/rollups.py).
    rollups.compact_if_due()
    return summary.as_dict()


@shared_task(
    name="infrastructure.compact_rollups",
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=1,
    max_retries=5,
    time_limit=300,
    soft_time_limit=280,
)
def compact_rollups() -> int | None:
    """Beat backstop: merge the rollup deltas a stream that went quiet left behind."""
    return services.rollups_compact()


@shared_task(name="infrastructure.maintain_partitions", time_limit=300)
def maintain_partitions() -> dict:
    return services.partitions_maintain()
