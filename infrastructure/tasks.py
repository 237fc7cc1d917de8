"""Celery tasks of the infrastructure app: thin, idempotent, one service call each."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from infrastructure import services


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
        messages=[(topic, payload, int(received)) for topic, payload, received in messages]
    )
    return summary.as_dict()


@shared_task(name="infrastructure.maintain_partitions", time_limit=300)
def maintain_partitions() -> dict[str, list[str]]:
    return services.partitions_maintain()
