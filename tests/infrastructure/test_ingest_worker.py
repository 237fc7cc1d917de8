"""A real ingest worker (prefork, through the Redis broker) keeps its database connection
between batches, and carries on when the database server cuts that connection."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest
from django.db import connection

from infrastructure.ingest.handover import task_payload
from infrastructure.models import Reading
from infrastructure.tasks import ingest_batch
from portal.celery import app as celery_app
from tests.infrastructure.conftest import topic
from tests.infrastructure.processes import celery_worker, database_url, wait_for

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process needs a shared database server"
)


def _worker(queue: str, tmp_path) -> subprocess.Popen:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": database_url()}
    return celery_worker(env, tmp_path / "worker.log", queues=queue, processes=1)


def _worker_backends() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {row[0] for row in cursor.fetchall()}


def _send(queue: str, first_ts: int, count: int) -> None:
    messages = [
        (
            topic("dev-pasupati-1"),
            json.dumps({"ts": first_ts + i, "values": {"strain": i}}).encode(),
            first_ts,
        )
        for i in range(count)
    ]
    ingest_batch.apply_async(args=[task_payload(messages)], queue=queue)


@pytest.mark.django_db(transaction=True)
def test_a_worker_reuses_its_connection_and_survives_the_server_cutting_it(
    sensor, empty_readings, tmp_path
):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # a real worker, through the Redis broker
    queue = f"ingest-conn-{uuid.uuid4().hex[:8]}"
    now = int(time.time() * 1000) - 60_000
    worker = _worker(queue, tmp_path)
    try:
        _send(queue, now, 100)
        wait_for(lambda: Reading.objects.count() == 100, 60, "the first batch")
        first = _worker_backends()
        assert first, "the worker holds no connection between tasks"

        _send(queue, now + 1000, 100)
        wait_for(lambda: Reading.objects.count() == 200, 30, "the second batch")
        assert _worker_backends() == first, "the worker opened a new connection for a task"

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", [list(first)]
            )
        wait_for(lambda: not (_worker_backends() & first), 10, "the cut connection to go")
        _send(queue, now + 2000, 100)
        wait_for(lambda: Reading.objects.count() == 300, 60, "a batch after the cut")
    finally:
        celery_app.conf.task_always_eager = eager
        worker.terminate()
        worker.wait(timeout=30)
    assert Reading.objects.filter(metric__name="strain").count() == 300
