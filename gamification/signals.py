"""Score a new activity as soon as its transaction commits (the sweep catches any miss)."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _enqueue(activity_id: int) -> None:
    from gamification.tasks import score_activity_task

    try:
        score_activity_task.apply_async(args=[[activity_id]], retry=False)
    except Exception:
        # A broker outage must not fail the citizen's request: the sweep scores it later.
        logger.warning("could not enqueue scoring of activity %s", activity_id, exc_info=True)


def activity_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        activity_id = instance.pk
        transaction.on_commit(lambda: _enqueue(activity_id))
