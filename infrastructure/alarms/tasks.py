"""Celery tasks of the alarms app: thin, one service call each."""

from __future__ import annotations

from celery import shared_task

from infrastructure.alarms import rules


@shared_task(
    name="infrastructure.alarms_evaluate",
    # A tick that waited in the queue longer than the beat interval is stale: the next
    # one evaluates fresher data, so old ticks are dropped rather than piled up.
    expires=30,
    time_limit=60,
    soft_time_limit=50,
    ignore_result=True,
)
def alarms_evaluate() -> dict[str, int]:
    """Evaluate every enabled alarm rule once. Safe to run twice, even at the same time."""
    return rules.alarms_evaluate().as_dict()
