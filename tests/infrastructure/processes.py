"""Real processes for end-to-end tests: a private Mosquitto, the ingester, a lean publisher.

Shared by tests/infrastructure and tests/browser. Each test gets its own broker on a
free port (deploy/mosquitto/mosquitto-test.conf): kill tests need a broker that outlives
the consumer, and no test should see another's traffic. Only processes started here
are stopped here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

REPO = Path(__file__).absolute().parents[2]
MOSQUITTO = "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def mosquitto(tmp_path: Path) -> Iterator[int]:
    """A throwaway broker with the test config on a free port; yields the port."""
    port = free_port()
    config = (REPO / "deploy/mosquitto/mosquitto-test.conf").read_text()
    config = config.replace("listener 1883 127.0.0.1", f"listener {port} 127.0.0.1")
    path = tmp_path / "mosquitto.conf"
    path.write_text(config)
    process = subprocess.Popen([MOSQUITTO, "-c", str(path)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=5)


def database_url() -> str:
    """The test database, for processes started by the test (PostgreSQL only)."""
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def process_env(port: int, client_id: str = "test-ingest-1") -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MQTT_URL": f"mqtt://127.0.0.1:{port}",
        "INGEST_CLIENT_ID": client_id,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TESTING", None)
    return env


class IngesterProcess:
    """`manage.py ingest_mqtt` in a subprocess, its output in `log_path`."""

    def __init__(
        self, port: int, log_path: Path, client_id: str = "test-ingest-1", *, inline: bool = True
    ) -> None:
        self.log_path = log_path
        self.log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("manage.py", "ingest_mqtt", "--stats-every", "1"),
                *(["--inline"] if inline else []),
            ],
            cwd=REPO,
            env=process_env(port, client_id),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_connected(self, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.output().count("ingest_mqtt: connected to") >= count:
                return
            assert self.process.poll() is None, self.output()
            time.sleep(0.05)
        raise AssertionError(f"ingester did not connect:\n{self.output()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


def start_publisher(port: int, lines: list[str], rate: float, tmp_path: Path) -> subprocess.Popen:
    """A lean QoS 1 publisher in its own process, reading "topic<TAB>payload" lines from a file."""
    source = tmp_path / "messages.txt"
    source.write_text("".join(f"{line}\n" for line in lines))
    with source.open("rb") as stdin:
        return subprocess.Popen(
            [
                sys.executable,
                *("-m", "infrastructure.ingest.wire", "--port", str(port), "--rate", str(rate)),
            ],
            cwd=REPO,
            stdin=stdin,
            stderr=subprocess.PIPE,
        )


def wait_for(predicate, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(message)


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent` (a Celery worker's pool), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if int(fields[1]) == parent:
                children.append(int(entry.name))
    assert children, "the worker has no pool processes"
    return sorted(children)


def celery_worker(
    env: dict[str, str], log_path: Path, *, queues: str, processes: int = 0
) -> subprocess.Popen:
    """A Celery worker of the portal on `queues`, ready when this returns: the solo pool,
    or prefork with `processes` (production's pool); its output goes to `log_path`."""
    pool = [f"--concurrency={processes}"] if processes else ["--pool=solo"]
    with log_path.open("wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "portal", "worker", *pool, "--loglevel=INFO"),
                f"--queues={queues}",
                *("-n", f"test-{os.getpid()}-{time.monotonic_ns()}@localhost"),
                *("--without-heartbeat", "--without-mingle", "--without-gossip"),
            ],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_for(lambda: "ready." in log_path.read_text(errors="replace"), 60, "the worker to start")
    return worker
