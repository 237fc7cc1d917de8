from __future__ import annotations

from celery import shared_task

from notifications.letters import log


@shared_task(name="letters.tlog_checkpoint", time_limit=60, soft_time_limit=50, ignore_result=True)
def tlog_checkpoint() -> int | None:
    """Sign a checkpoint when the log grew; a no-op otherwise (safe to run twice)."""
    checkpoint = log.checkpoint_create()
    return checkpoint.size if checkpoint else None
