"""Leave's periodic jobs: thin, idempotent, each calls one service."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="leave.ledger_check", soft_time_limit=240, time_limit=300)
def ledger_check_task(year: int | None = None) -> int:
    from leave.checks import ledger_check

    problems = ledger_check(year=year or timezone.localdate().year)
    for problem in problems:
        logger.error("Leave ledger disagrees: %s", problem)
    return len(problems)


@shared_task(name="leave.daily", soft_time_limit=240, time_limit=300)
def daily_task() -> dict:
    """Shortly after midnight (WIB): close yesterday's day statuses, start approved leave,
    and allocate annual leave to whoever became eligible (idempotent)."""
    from leave import services

    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    closed = services.day_statuses_close(day=yesterday)
    taken = services.leave_requests_mark_taken(today=today)
    opened = services.leave_year_open(year=today.year, today=today)
    return {"closed": closed, "taken": taken, "opened": opened}
