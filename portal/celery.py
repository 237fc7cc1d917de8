"""The Celery app. Periodic schedules live in the database (django-celery-beat), editable in admin."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Database connections in workers. Celery's Django fixup closes every connection before
# and after each task unless CELERY_DB_REUSE_MAX is set (settings.py sets it): a new
# PostgreSQL backend per task took about 0.7 of a core of the ingest pipeline at 60k
# readings/s. Workers keep their connections the way Django keeps them between requests
# (CONN_MAX_AGE, health checks, closed after an error), and drop them after any task
# that did not succeed: a query interrupted by a time limit can leave a connection
# unusable without Django noticing (celery/celery#9824).


def _eager(task) -> bool:
    # An eager task runs inside the caller's connection and transaction (tests, embedded mode).
    return bool(getattr(getattr(task, "request", None), "is_eager", False))


@task_prerun.connect
def _connections_before_task(task=None, **kwargs) -> None:
    if not _eager(task):
        from django.db import close_old_connections

        close_old_connections()


@task_postrun.connect
def _connections_after_task(task=None, state=None, **kwargs) -> None:
    if _eager(task):
        return
    from django.db import close_old_connections, connections

    if state == "SUCCESS":
        close_old_connections()
    else:
        connections.close_all()
