"""Worker database connections: kept between tasks, dropped after a failed one."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.celery import _connections_after_task, _connections_before_task, app


class _Task:
    def __init__(self, *, eager: bool) -> None:
        self.request = type("Request", (), {"is_eager": eager})()


def _raw():
    connection.ensure_connection()
    return connection.connection


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_connection_between_successful_tasks(settings):
    assert app.conf.get("CELERY_DB_REUSE_MAX"), "Celery's fixup would close it after each task"
    raw = _raw()
    task = _Task(eager=False)
    for _ in range(3):
        _connections_before_task(task=task)
        _connections_after_task(task=task, state="SUCCESS")
    assert connection.connection is raw


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", ["FAILURE", "RETRY"])
def test_a_failed_task_drops_the_connection(state):
    _raw()
    _connections_after_task(task=_Task(eager=False), state=state)
    assert connection.connection is None
    assert _raw() is not None  # the next task connects again


@pytest.mark.django_db(transaction=True)
def test_an_obsolete_connection_is_replaced_before_the_next_task():
    raw = _raw()
    connection.close_at = 0  # past CONN_MAX_AGE
    _connections_before_task(task=_Task(eager=False))
    assert connection.connection is None
    assert _raw() is not raw


@pytest.mark.django_db
def test_an_eager_task_leaves_the_callers_connection_alone():
    raw = _raw()
    _connections_after_task(task=_Task(eager=True), state="FAILURE")
    assert connection.connection is raw
