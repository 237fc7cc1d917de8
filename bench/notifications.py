"""Notifications benchmark: bulk email end to end, and the reminder scan.

`emails_per_s`: a campaign-sized notice (`announcement.generic`, email only) to N
recipients through `notifications.services.notify()` — render, record, then the
`notifications.deliver` task sends over real SMTP to an aiosmtpd sink running in its
own process on a free loopback port. `duplicates` counts messages the sink received
more than once (by the X-Portal-Message header); `delivered` must equal N.

`reminder_scan_s`: N citizen documents spread over five years of expiry dates, then one
`reminders_send_due()` for a fixed date: the set-based scan and the bulk recording of
the due messages (inbox, email). Delivery is left out of this figure (the deliver
task is not enqueued).

Parameters (environment): BENCH_NOTIF_RECIPIENTS (default 5,000; the issue asks
100,000), BENCH_NOTIF_DOCUMENTS (default 100,000; the issue asks 1,000,000),
BENCH_NOTIF_MODE=worker|eager (worker, the default: two Celery workers, one on the
bulk queue for the campaign and one on the default queue, deliver from the Redis
broker; eager: delivery runs in the sending process), BENCH_NOTIF_TX_SECONDS (20):
how long a security notice is sent every 0.5 s during the campaign, for
`transactional_p95_s` (enqueue to delivered).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import (
    REPO_ROOT,
    BenchmarkError,
    Target,
    bench_database,
    call_in_subprocess,
    cpu_idle_fraction,
    django_env,
    free_port,
    log,
    machine_info,
    manage,
    percentile,
    write_result,
)

NAME = "notifications"
BULK_QUEUE = "notifications.bulk"
# Its own database: other benchmarks may run on the same server at the same time.
DB_NAME = "portal_bench_notifications"


def _param(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# --- the SMTP sink (its own process) ---------------------------------------------


def sink_main() -> None:
    """`python -c 'from bench.notifications import sink_main; sink_main()' PORT FILE`."""
    from aiosmtpd.controller import Controller

    port, path = int(sys.argv[1]), sys.argv[2]
    out = open(path, "a", encoding="ascii", buffering=1)  # noqa: SIM115 - lives as long as the process

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            for line in envelope.original_content.split(b"\r\n"):
                if line.lower().startswith(b"x-portal-message:"):
                    out.write(line.split(b":", 1)[1].strip().decode() + "\n")
                    break
                if not line:
                    break
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = []
    signal.signal(signal.SIGTERM, lambda *args: stop.append(1))
    while not stop:
        time.sleep(0.2)
    controller.stop()
    out.close()


def _wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise BenchmarkError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


# --- Django side (run in subprocesses) -------------------------------------------


def _setup_django() -> None:
    import django

    django.setup()


def create_recipients(count: int, prefix: str) -> list[int]:
    _setup_django()
    from allauth.account.models import EmailAddress

    from portal.models import User

    ids: list[int] = []
    batch = 5000
    for start in range(0, count, batch):
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{prefix}{i}@bench.example.id",
                    password="!",  # noqa: S106 - Django's unusable-password marker
                    display_name=f"Warga {i}",
                )
                for i in range(start, min(count, start + batch))
            ]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        ids.extend(u.pk for u in users)
    return ids


def send_campaign(user_ids: list[int], queue: str | None = None) -> dict[str, Any]:
    _setup_django()
    from notifications.services import notify

    started = time.perf_counter()
    if queue:
        # Bulk traffic goes to its own queue, as campaigns do (notifications.campaigns).
        from notifications import services

        original = services.enqueue_delivery
        services.enqueue_delivery = lambda ids, queue=None: original(ids, queue=BULK_QUEUE)
    notify(
        recipients=user_ids,
        template_key="announcement.generic",
        context={
            "title": "Jadwal layanan akhir pekan",
            "body": "Kantor layanan buka Sabtu 08.00 sampai 12.00.",
        },
        category="announcements",
        channels=["email"],
        idempotency_key="bench:campaign",
    )
    return {"seconds": time.perf_counter() - started}


def send_transactional(user_ids: list[int], seconds: float, interval: float) -> dict[str, Any]:
    """One security notice every `interval` s while the campaign runs; enqueue time recorded."""
    _setup_django()
    from notifications.services import notify

    sent = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        notify(
            recipients=[user_ids[sent % len(user_ids)]],
            template_key="announcement.generic",
            context={"title": "Login baru", "body": "Ada login baru ke akun Anda."},
            category="security",
            channels=["email"],
            idempotency_key=f"bench:tx:{sent}",
        )
        sent += 1
        time.sleep(interval)
    return {"sent": sent}


def transactional_latencies() -> list[float]:
    _setup_django()
    from notifications.models import Message

    rows = Message.objects.filter(
        idempotency_key__startswith="bench:tx:", status="delivered"
    ).values_list("created_at", "delivered_at")
    return [(delivered - created).total_seconds() for created, delivered in rows]


def message_status_counts(key: str = "bench:campaign") -> dict[str, int]:
    _setup_django()
    from django.db.models import Count

    from notifications.models import Message

    rows = Message.objects.filter(idempotency_key=key).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def create_documents(count: int, per_owner: int = 5) -> dict[str, Any]:
    import datetime
    import random

    _setup_django()
    from portal.models import CitizenDocument

    owners = create_recipients(max(1, count // per_owner), "doc")
    kinds = [k.value for k in CitizenDocument.Kind]
    rng = random.Random(17)
    start = datetime.date(2026, 1, 1)
    batch = 5000
    made = 0
    started = time.perf_counter()
    while made < count:
        size = min(batch, count - made)
        CitizenDocument.objects.bulk_create(
            [
                CitizenDocument(
                    owner_id=owners[(made + i) % len(owners)],
                    kind=kinds[(made + i) % len(kinds)],
                    number=f"N{made + i:09d}",
                    expires_on=start + datetime.timedelta(days=rng.randrange(5 * 365)),
                )
                for i in range(size)
            ]
        )
        made += size
    return {"documents": made, "owners": len(owners), "seconds": time.perf_counter() - started}


def scan_reminders(on_date: str) -> dict[str, Any]:
    import datetime

    _setup_django()
    from notifications import services
    from notifications.reminders import reminders_send_due

    # The scan's own cost: delivery is measured by emails_per_s.
    services.enqueue_delivery = lambda *args, **kwargs: None
    started = time.perf_counter()
    report = reminders_send_due(on_date=datetime.date.fromisoformat(on_date))
    seconds = time.perf_counter() - started
    again = reminders_send_due(on_date=datetime.date.fromisoformat(on_date))
    return {
        "seconds": seconds,
        "candidates": report.candidates,
        "recorded": report.recorded,
        "recorded_on_rerun": again.recorded,
    }


# --- the benchmark ------------------------------------------------------------------


def _worker(env: dict[str, str], var_dir: str, queue: str, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "-l",
            "WARNING",
            "-n",
            f"bench-notif-{name}-{os.getpid()}@localhost",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var_dir, f"worker-{name}.log"), "w"),
    )


def run() -> dict[str, Any]:
    recipients = _param("BENCH_NOTIF_RECIPIENTS", 5000)
    documents = _param("BENCH_NOTIF_DOCUMENTS", 100_000)
    mode = os.environ.get("BENCH_NOTIF_MODE", "worker")
    tx_seconds = float(os.environ.get("BENCH_NOTIF_TX_SECONDS", 20))
    idle = cpu_idle_fraction()
    with (
        tempfile.TemporaryDirectory(prefix="bench-notif-") as var_dir,
        bench_database(DB_NAME) as db_url,
    ):
        env = django_env(database_url=db_url, var_dir=var_dir)
        port = free_port()
        env.update(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            EMAIL_USE_TLS="0",
            CELERY_TASK_ALWAYS_EAGER="1" if mode == "eager" else "0",
        )
        manage(["migrate", "--noinput", "-v0"], env, timeout=600)
        sink_file = Path(var_dir, "sink.txt")
        sink_file.touch()
        sink = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from bench.notifications import sink_main; sink_main()",
                str(port),
                str(sink_file),
            ],
            cwd=REPO_ROOT,
        )
        workers: list[subprocess.Popen] = []
        tx_thread = None
        tx_result: dict[str, Any] = {}
        try:
            _wait_for_port(port)
            ids = call_in_subprocess(
                "bench.notifications:create_recipients",
                {"count": recipients, "prefix": "kampanye"},
                env=env,
            )
            log(f"{len(ids)} recipients created")
            if mode == "worker":
                # One worker for bulk, one for transactional notices (the default queue).
                workers = [
                    _worker(env, var_dir, BULK_QUEUE, "bulk"),
                    _worker(env, var_dir, "celery", "tx"),
                ]
                time.sleep(3)

                def transactional() -> None:
                    tx_result.update(
                        call_in_subprocess(
                            "bench.notifications:send_transactional",
                            {"user_ids": ids[:50], "seconds": tx_seconds, "interval": 0.5},
                            env=env,
                        )
                    )

                tx_thread = threading.Thread(target=transactional)
                tx_thread.start()
            started = time.perf_counter()
            sent = call_in_subprocess(
                "bench.notifications:send_campaign",
                {"user_ids": ids, "queue": BULK_QUEUE if mode == "worker" else None},
                env=env,
                timeout=3600,
            )
            deadline = time.monotonic() + 3600
            while mode == "worker" and time.monotonic() < deadline:
                counts = call_in_subprocess(
                    "bench.notifications:message_status_counts", {}, env=env
                )
                if counts.get("delivered", 0) + counts.get("permanent_failure", 0) >= recipients:
                    break
                time.sleep(1)
            elapsed = time.perf_counter() - started
            if tx_thread is not None:
                tx_thread.join()
                time.sleep(3)
            latencies = sorted(
                call_in_subprocess("bench.notifications:transactional_latencies", {}, env=env)
                if mode == "worker"
                else []
            )
            time.sleep(0.5)
            received = sink_file.read_text().split()
            counts = call_in_subprocess("bench.notifications:message_status_counts", {}, env=env)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=30)
            sink.send_signal(signal.SIGTERM)
            sink.wait(timeout=30)
        log(f"campaign: {len(received)} emails in {elapsed:.1f} s")

        made = call_in_subprocess(
            "bench.notifications:create_documents", {"count": documents}, env=env, timeout=3600
        )
        log(f"{made['documents']} documents created in {made['seconds']:.0f} s")
        scan = call_in_subprocess(
            "bench.notifications:scan_reminders", {"on_date": "2027-06-01"}, env=env, timeout=3600
        )
        machine = machine_info(db_url, cpu_idle_before=idle)

    metrics = {
        "emails_per_s": round(recipients / elapsed, 1),
        "campaign_record_s": round(sent["seconds"], 2),
        "campaign_total_s": round(elapsed, 2),
        "delivered": counts.get("delivered", 0),
        "received_at_sink": len(received),
        "duplicates": len(received) - len(set(received)),
        "transactional_p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
        "transactional_sent": tx_result.get("sent", 0),
        "transactional_delivered": len(latencies),
        "reminder_scan_s": round(scan["seconds"], 2),
        "reminders_due": scan["candidates"],
        "reminder_messages": scan["recorded"],
        "reminder_rerun_messages": scan["recorded_on_rerun"],
    }
    targets = [
        Target(
            f"emails_per_s >= 500 (campaign of {recipients:,}; the issue asks >= 100,000)",
            metrics["emails_per_s"] >= 500,
            f"{metrics['emails_per_s']}/s, mode {mode}",
        ),
        Target(
            "duplicates == 0",
            metrics["duplicates"] == 0 and metrics["reminder_rerun_messages"] == 0,
        ),
        Target(
            f"reminder_scan_s <= 60 for {documents:,} documents (the issue asks 1,000,000)",
            metrics["reminder_scan_s"] <= 60,
            f"{metrics['reminder_scan_s']} s",
        ),
    ]
    return write_result(
        NAME,
        params={"recipients": recipients, "documents": documents, "mode": mode},
        metrics=metrics,
        machine=machine,
        targets=targets,
    )
