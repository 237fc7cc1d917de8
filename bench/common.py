"""Shared machinery for the benchmarks.

- a dedicated PostgreSQL database, created and dropped around a benchmark;
- `manage.py` steps and Django code run in *subprocesses* with the benchmark's own
  environment (the runner process never configures Django, so benchmarks cannot leak
  settings into each other);
- gunicorn started on a free loopback port and stopped again (only the process we start);
- a lean asyncio HTTP load generator, run in its own process, that also samples the
  CPU used by itself, by the server processes and by the whole machine;
- machine facts and the `bench/results/<name>.json` writer.

Everything here talks to loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
LOOPBACK = "127.0.0.1"
BENCH_DB_NAME = "portal_bench"
DEFAULT_DATABASE_URL = f"postgres://postgres@{LOOPBACK}:5432/{BENCH_DB_NAME}"
DEFAULT_REDIS_URL = f"redis://{LOOPBACK}:6379/0"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchmarkError(RuntimeError):
    """A benchmark could not run; the message says why."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


# --- Results --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A goal from the issue; reported as met or missed, never a reason to fail the run."""

    description: str
    met: bool
    detail: str = ""


def write_result(
    name: str,
    *,
    params: dict[str, Any],
    metrics: dict[str, Any],
    machine: dict[str, Any],
    targets: list[Target] = (),
) -> dict[str, Any]:
    """Write bench/results/<name>.json and return what was written."""
    result = {
        "name": name,
        "params": params,
        "metrics": metrics,
        "machine": machine,
        "targets": [asdict(target) for target in targets],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {path.relative_to(REPO_ROOT)}")
    return result


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# --- Machine facts ----------------------------------------------------------------


def cpu_counters() -> tuple[int, int]:
    """(idle ticks, total ticks) over all CPUs since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return idle, sum(values)


def cpu_idle_fraction(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time that was idle over the next `seconds`."""
    idle0, total0 = cpu_counters()
    time.sleep(seconds)
    idle1, total1 = cpu_counters()
    return round((idle1 - idle0) / max(1, total1 - total0), 3)


def machine_info(database_url: str, *, cpu_idle_before: float) -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres_version(database_url),
        "cpu_idle_before": cpu_idle_before,
    }


# --- PostgreSQL -------------------------------------------------------------------


def bench_database_url(name: str = BENCH_DB_NAME) -> str:
    """The server from DATABASE_URL (default: local trust auth), with the database `name`.

    The database name is always the benchmark's own, never the one DATABASE_URL
    names: the benchmark drops it afterwards.
    """
    parts = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    if not parts.scheme.startswith("postgres"):
        raise BenchmarkError(
            f"the benchmarks need PostgreSQL; DATABASE_URL has the scheme {parts.scheme!r}"
        )
    host = parts.hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise BenchmarkError(f"the benchmarks only use a loopback PostgreSQL, not {host!r}")
    return urlunsplit(parts._replace(path=f"/{name}"))


def _maintenance_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def connect(database_url: str):
    import psycopg2

    try:
        connection = psycopg2.connect(database_url, connect_timeout=5)
    except psycopg2.OperationalError as error:
        raise BenchmarkError(
            f"cannot reach PostgreSQL at {urlsplit(database_url).netloc}: {error}".strip()
        ) from error
    connection.autocommit = True
    return connection


def postgres_version(database_url: str) -> str:
    connection = connect(_maintenance_url(database_url))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def _drop_database(cursor, name: str) -> None:
    from psycopg2 import sql

    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def bench_database(name: str = BENCH_DB_NAME) -> Iterator[str]:
    """Create a fresh database `name` (dropping a leftover one), yield its URL, drop it."""
    from psycopg2 import sql

    database_url = bench_database_url(name)
    connection = connect(_maintenance_url(database_url))
    try:
        with connection.cursor() as cursor:
            _drop_database(cursor, name)
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        log(f"created database {name}")
        yield database_url
    finally:
        try:
            with connection.cursor() as cursor:
                _drop_database(cursor, name)
            log(f"dropped database {name}")
        finally:
            connection.close()


# --- Django in subprocesses ---------------------------------------------------------


def django_env(*, database_url: str, var_dir: Path | str) -> dict[str, str]:
    """Production-like settings (DEBUG=0, fresh random keys) for the server and helpers.

    Every process of one benchmark must get the same environment: the session hash and
    the encrypted NIK depend on the keys.
    """
    env = os.environ.copy()
    for name in list(env):
        if name in {"TESTING", "DJANGO_SETTINGS_MODULE"} or name.endswith("_FILE"):
            env.pop(name)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_SALT=secrets.token_urlsafe(16),
        NIK_HASH_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=LOOPBACK,
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(args: list[str], env: dict[str, str], *, timeout: float = 300) -> str:
    """Run `manage.py <args>` with the venv's interpreter; raise with its output on failure."""
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if process.returncode != 0:
        raise BenchmarkError(
            f"manage.py {' '.join(args)} failed (exit {process.returncode}):\n"
            f"{_tail(process.stdout + process.stderr)}"
        )
    log(f"manage.py {' '.join(args)} ({time.perf_counter() - started:.1f} s)")
    return process.stdout


def call_in_subprocess(
    target: str, kwargs: dict[str, Any], *, env: dict[str, str] | None = None, timeout: float = 600
) -> Any:
    """Call `module:function(**kwargs)` in a fresh interpreter and return its JSON result.

    Django code runs this way, with the benchmark's own environment; so does the load
    generator, so that it never shares a CPU-bound interpreter with anything else.
    """
    with tempfile.TemporaryDirectory(prefix="bench-call-") as tmp:
        in_path, out_path = Path(tmp, "in.json"), Path(tmp, "out.json")
        in_path.write_text(json.dumps(kwargs), encoding="utf-8")
        try:
            process = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from bench.common import _subprocess_main; _subprocess_main()",
                    target,
                    str(in_path),
                    str(out_path),
                ],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise BenchmarkError(f"{target} did not finish within {timeout:.0f} s") from error
        if process.returncode != 0 or not out_path.exists():
            raise BenchmarkError(
                f"{target} failed (exit {process.returncode}):\n{_tail(process.stderr)}"
            )
        return json.loads(out_path.read_text(encoding="utf-8"))


def _subprocess_main() -> None:
    import importlib

    target, in_path, out_path = sys.argv[1:4]
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    kwargs = json.loads(Path(in_path).read_text(encoding="utf-8"))
    result = function(**kwargs)
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")


# --- Processes and gunicorn -----------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (index 0 is field 3, `state`)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def child_pids(parent: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _proc_stat(int(entry))
            if fields and int(fields[1]) == parent:
                children.append(int(entry))
    return sorted(children)


def proc_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (gone ones count 0)."""
    total = 0
    for pid in pids:
        fields = _proc_stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _CLOCK_TICKS


class BackendCpu:
    """CPU seconds of the bench database's backends over the run.

    Workers reconnect (CONN_MAX_AGE) and autovacuum workers come and go, so the
    backends are sampled every half second; each one counts from its first sample (or
    from zero when it was born during the run) to its last.
    """

    def __init__(self, db_url: str) -> None:
        self._connection = connect(db_url)
        self._connection.autocommit = True
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._sample(initial=True)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-cpu", daemon=True)
        self._thread.start()

    def _sample(self, *, initial: bool = False) -> None:
        with self._connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type IN "
                "('client backend', 'autovacuum worker')"
            )
            pids = [row[0] for row in cursor.fetchall()]
        for pid in pids:
            used = proc_cpu_seconds([pid])
            self._first.setdefault(pid, used if initial else 0.0)
            # A backend that just exited reads as 0: keep its last figure.
            self._last[pid] = max(self._last.get(pid, 0.0), used)

    def _run(self) -> None:
        while not self._stopping.wait(0.5):
            self._sample()

    def stop(self) -> float:
        self._stopping.set()
        self._thread.join()
        self._sample()
        self._connection.close()
        return sum(self._last[pid] - self._first[pid] for pid in self._last)


class Gunicorn:
    """gunicorn serving portal.wsgi on a free loopback port; use as a context manager."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int = 2,
        worker_class: str = "sync",
        log_dir: Path | str,
        ready_path: str = "/",
    ) -> None:
        self.env = env
        self.workers = workers
        self.worker_class = worker_class
        self.log_path = Path(log_dir) / "gunicorn.log"
        self.ready_path = ready_path
        self.port = 0
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.port = free_port()
        command = [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--bind", f"{LOOPBACK}:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--log-level", "warning",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        log(
            f"gunicorn pid {self.process.pid} on {LOOPBACK}:{self.port}, workers {self.worker_pids()}"
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def log_tail(self) -> str:
        try:
            return _tail(self.log_path.read_text(encoding="utf-8", errors="replace"))
        except FileNotFoundError:
            return ""

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                status, _body = http_get(self.port, self.ready_path)
            except OSError as error:
                last_error = str(error)
            else:
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return
                last_error = f"HTTP {status}"
            time.sleep(0.2)
        raise BenchmarkError(
            f"gunicorn not ready after {timeout:.0f} s ({last_error}):\n{self.log_tail()}"
        )

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def pids(self) -> list[int]:
        return [self.process.pid, *self.worker_pids()] if self.process else []

    def stop(self) -> None:
        """Stop the gunicorn we started (its master; the workers are its children)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Our own session (start_new_session): the master and its workers only.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log(f"gunicorn pid {process.pid} stopped")


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- Load generator ------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def load_generate(
    *,
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    concurrency: int = 20,
    warmup_s: float = 2.0,
    duration_s: float = 10.0,
    timeout_s: float = 30.0,
    server_pids: list[int] = (),
) -> dict[str, Any]:
    """`concurrency` clients GET `path` back to back for warmup + duration seconds.

    Runs in its own process (see `call_in_subprocess`). Only requests that finish
    inside the measured window count. Each request uses a new connection, as a
    gunicorn sync worker closes it after every response anyway.
    """
    return asyncio.run(
        _load(port, path, headers or {}, concurrency, warmup_s, duration_s, timeout_s, server_pids)
    )


async def _fetch(port: int, request: bytes) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        writer.write(request)
        data = await reader.read()  # until the server closes the connection
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator or not head.startswith(b"HTTP/1."):
        raise ValueError("incomplete HTTP response")
    return int(head[9:12]), len(body)


async def _load(
    port: int,
    path: str,
    headers: dict[str, str],
    concurrency: int,
    warmup_s: float,
    duration_s: float,
    timeout_s: float,
    server_pids: list[int],
) -> dict[str, Any]:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {LOOPBACK}:{port}",
        "User-Agent: portal-bench/1",
        "Accept: text/html",
        "Accept-Encoding: identity",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    clock = time.perf_counter
    window_start = clock() + warmup_s
    window_end = window_start + duration_s
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    exceptions: Counter[str] = Counter()
    body_bytes: list[int] = []
    samples: dict[str, tuple[float, float, tuple[int, int]]] = {}

    def sample(label: str) -> None:
        samples[label] = (time.process_time(), proc_cpu_seconds(server_pids), cpu_counters())

    async def sampler() -> None:
        await asyncio.sleep(max(0.0, window_start - clock()))
        sample("start")
        await asyncio.sleep(max(0.0, window_end - clock()))
        sample("end")

    async def client() -> None:
        while (started := clock()) < window_end:
            try:
                status, size = await asyncio.wait_for(_fetch(port, request), timeout_s)
            except (OSError, TimeoutError, ValueError) as error:
                status, size = 0, 0
                exceptions[type(error).__name__] += 1
            finished = clock()
            if window_start <= finished <= window_end:
                latencies.append(finished - started)
                statuses[status] += 1
                if status == 200:
                    body_bytes.append(size)

    await asyncio.gather(sampler(), *(client() for _ in range(concurrency)))

    (client0, server0, (idle0, total0)), (client1, server1, (idle1, total1)) = (
        samples["start"],
        samples["end"],
    )
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "rps": count / duration_s,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "errors": count - statuses.get(200, 0),
        "statuses": {str(code): n for code, n in sorted(statuses.items())},
        "exceptions": dict(exceptions),
        "body_bytes": max(body_bytes) if body_bytes else 0,
        "body_bytes_min": min(body_bytes) if body_bytes else 0,
        # CPU as a percentage of one core over the measured window.
        "client_cpu_pct": (client1 - client0) / duration_s * 100,
        "server_cpu_pct": (server1 - server0) / duration_s * 100,
        "machine_busy_pct": (1 - (idle1 - idle0) / max(1, total1 - total0)) * 100,
    }
