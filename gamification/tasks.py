from __future__ import annotations

import logging

from celery import shared_task

from gamification import selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    name="gamification.score_activities",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
    time_limit=120,
    soft_time_limit=100,
)
def score_activities(activity_ids: list[int] | int) -> int:
    """Score these activities; safe to run twice (claimed by activity id)."""
    ids = [activity_ids] if isinstance(activity_ids, int) else list(activity_ids)
    return services.activities_score(activity_ids=ids).scored


# The name the signal receiver and the docs use for the single-activity case.
score_activity_task = score_activities


@shared_task(name="gamification.sweep_activities", time_limit=280, soft_time_limit=240)
def sweep_activities() -> int:
    """Score whatever the on-commit tasks missed (lost message, crashed worker)."""
    return services.activities_sweep()


@shared_task(name="gamification.check_ledger", time_limit=600, soft_time_limit=540)
def check_ledger() -> int:
    """Nightly: report every account whose cached balance differs from its ledger."""
    problems = selectors.ledger_mismatches()
    for problem in problems:
        logger.error("gamification ledger mismatch: %s", problem)
    return len(problems)
