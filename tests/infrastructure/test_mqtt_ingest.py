"""End to end through a real Mosquitto into PostgreSQL, with the ingester in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum

from infrastructure.models import DeadLetter, HourlyRollup, Reading
from infrastructure.services import rollups_compact
from tests.infrastructure.factories import DeviceFactory, MetricFactory
from tests.infrastructure.processes import (
    MOSQUITTO,
    IngesterProcess,
    celery_worker,
    child_pids,
    mosquitto,
    process_env,
    start_publisher,
    wait_for,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("empty_readings", "require_postgres"),
    pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto is not installed"),
]


@pytest.fixture
def broker_port(tmp_path):
    with mosquitto(tmp_path) as port:
        yield port


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the subprocess ingester needs a shared database (PostgreSQL)")


def _device(key: str, metrics: int):
    device = DeviceFactory(key=key)
    for index in range(metrics):
        MetricFactory(device=device, name=f"m{index}")
    return device


def test_readings_published_over_mqtt_are_stored_and_bad_ones_dead_lettered(broker_port, tmp_path):
    _device("dev-e2e-1", 2)
    now = int(time.time() * 1000)
    topic = "portal/v1/devices/dev-e2e-1/telemetry"
    lines = [
        f"{topic}\t" + json.dumps({"ts": now - 1000 * i, "values": {"m0": i, "m1": -i}})
        for i in range(50)
    ]
    lines += [
        f"{topic}\tnot json",
        'portal/v1/devices/ghost/telemetry\t{"m0": 1}',
        f"{topic}\t" + json.dumps({"m0": 1.5, "m9": 2}),
    ]
    ingester = IngesterProcess(broker_port, tmp_path / "ingest.log")
    try:
        ingester.wait_connected()
        stream = start_publisher(broker_port, lines, rate=0, tmp_path=tmp_path)
        assert stream.wait(timeout=30) == 0
        wait_for(lambda: Reading.objects.count() >= 101, 20, "readings did not arrive")
        wait_for(
            lambda: (DeadLetter.objects.aggregate(n=Sum("count"))["n"] or 0) >= 3,
            10,
            "dead letters did not arrive",
        )
    finally:
        assert ingester.stop() == 0
    assert Reading.objects.count() == 101
    reasons = dict(DeadLetter.objects.values_list("reason").annotate(n=Sum("count")))
    assert reasons == {"bad_json": 1, "unknown_device": 1, "unknown_metric": 1}
    output = ingester.output()
    assert "stopped after" in output and "stored=101" in output


@pytest.mark.parametrize("mode", ["inline", "celery"])
def test_killing_the_ingester_mid_stream_stores_every_reading_exactly_once(
    broker_port, tmp_path, mode
):
    """20,000 readings (4,000 messages of 5 metrics); SIGKILL midway, restart with the same id.

    In Celery mode (production's) two prefork worker processes write the batches, split
    by device, and one of them is SIGKILLed at the same moment: its task comes back
    (acks_late, reject_on_worker_lost) and the readings' key absorbs what it had written.
    """
    devices = 10
    for number in range(devices):
        _device(f"dev-kill-{number}", 5)
    base = int(time.time() * 1000) - 3_600_000
    lines = [
        f"portal/v1/devices/dev-kill-{n % devices}/telemetry\t"
        + json.dumps({"ts": base + n, "values": {f"m{m}": n + m / 10 for m in range(5)}})
        for n in range(4000)
    ]
    inline = mode == "inline"
    worker = None if inline else _celery_worker(broker_port, tmp_path, processes=2)
    log_path = tmp_path / "ingest.log"
    ingester = IngesterProcess(broker_port, log_path, inline=inline)
    restarted = None
    try:
        ingester.wait_connected()
        started = time.monotonic()
        stream = start_publisher(broker_port, lines, rate=800, tmp_path=tmp_path)
        wait_for(lambda: Reading.objects.count() >= 4000, 30, "nothing stored before the kill")
        ingester.stop(signal.SIGKILL)
        if worker is not None:
            os.kill(child_pids(worker.pid)[0], signal.SIGKILL)
        stored_at_kill = Reading.objects.count()
        print(f"killed at {time.monotonic() - started:.2f} s with {stored_at_kill} readings stored")
        assert stored_at_kill < 16000, "the stream ended before the kill: slow the publisher down"

        restarted = IngesterProcess(broker_port, log_path, inline=inline)
        restarted.wait_connected(count=2)
        assert "session present: True" in log_path.read_text()
        assert stream.wait(timeout=60) == 0, stream.stderr.read()
        wait_for(lambda: Reading.objects.count() >= 20000, 90, "readings were lost")
        time.sleep(1)  # anything redelivered late must still be absorbed
    finally:
        if restarted is not None:
            assert restarted.stop() == 0
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    assert Reading.objects.count() == 20000
    # Exactly once in the rollups too: redelivered readings never counted twice.
    rollups_compact()  # what the workers and beat do every few seconds
    assert HourlyRollup.objects.aggregate(n=Sum("count"))["n"] == 20000
    assert not DeadLetter.objects.exists()


def _celery_worker(broker_port: int, tmp_path: Path, *, processes: int = 0) -> subprocess.Popen:
    """A worker on the queues the ingester hands batches to, with no stale tasks left."""
    import redis

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("the Celery path needs REDIS_URL")
    redis.Redis.from_url(redis_url).delete("celery", "ingest")  # stale tasks of an earlier run
    return celery_worker(
        process_env(broker_port),
        tmp_path / "worker.log",
        queues="celery,ingest",
        processes=processes,
    )


def _stream(key: str, count: int, metrics: int = 2) -> list[str]:
    base = int(time.time() * 1000) - 600_000
    topic = f"portal/v1/devices/{key}/telemetry"
    return [
        f"{topic}\t" + json.dumps({"ts": base + n, "values": {f"m{m}": n for m in range(metrics)}})
        for n in range(count)
    ]


def test_batches_handed_to_a_celery_worker_are_stored(broker_port, tmp_path):
    _device("dev-celery-1", 2)
    worker = _celery_worker(broker_port, tmp_path)
    ingester = IngesterProcess(broker_port, tmp_path / "ingest.log", inline=False)
    try:
        ingester.wait_connected()
        assert (
            start_publisher(broker_port, _stream("dev-celery-1", 1500), 0, tmp_path).wait(30) == 0
        )
        wait_for(lambda: Reading.objects.count() >= 3000, 60, "the worker stored nothing")
    finally:
        assert ingester.stop() == 0
        worker.terminate()
        worker.wait(timeout=30)
    assert Reading.objects.count() == 3000
    assert "handing batches to Celery" in ingester.output()


def _admin_sql(sql: str, params: list | None = None) -> None:
    """Run SQL from the maintenance database (a database cannot lock itself out)."""
    import psycopg2

    settings = connection.settings_dict
    admin = psycopg2.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname="postgres"
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        admin.close()


def test_a_database_outage_of_a_few_seconds_loses_nothing(broker_port, tmp_path):
    _device("dev-outage-1", 2)
    name = connection.settings_dict["NAME"]
    ingester = IngesterProcess(broker_port, tmp_path / "ingest.log")
    try:
        ingester.wait_connected()
        stream = start_publisher(broker_port, _stream("dev-outage-1", 3000), 500, tmp_path)
        wait_for(lambda: Reading.objects.count() >= 600, 20, "nothing stored before the outage")
        # The outage: no new connections to the test database, and the ingester's cut.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own_pid = cursor.fetchone()[0]
        _admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        _admin_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> %s",
            [name, own_pid],
        )
        time.sleep(3)
        _admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert stream.wait(timeout=30) == 0
        wait_for(lambda: Reading.objects.count() >= 6000, 60, "readings were lost in the outage")
    finally:
        _admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert ingester.stop() == 0
    assert Reading.objects.count() == 6000
    assert "errors=0" not in ingester.output().splitlines()[-1]
