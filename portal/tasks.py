from __future__ import annotations

from celery import shared_task
from django.core import management


@shared_task(name="portal.clear_expired_sessions", time_limit=300)
def clear_expired_sessions() -> None:
    """Expired sessions pile up in the database otherwise (Django never deletes them itself)."""
    management.call_command("clearsessions")
