"""CPU cost of the ingest write path, per 100,000 data points, measured in-process.

The end-to-end benchmark (bench/ingest.py) needs a quiet machine; this one does not:
it counts CPU seconds (this process's, and its PostgreSQL backend's from /proc), which
other work on the machine barely changes. It feeds `services.readings_ingest` batches
shaped like the benchmark's traffic (`devices` devices of 5 metrics, every message
stamped with the current time) and reports, per 100k data points:

- `worker_cpu_s`: parsing and the Python side of the writer (a Celery worker's share);
- `postgres_cpu_s`: the backend executing the batch's statements;
- `wall_s`: elapsed time, and `compact_*` the same for the rollup compaction.

    DATABASE_URL=postgres://…/portal_x .venv/bin/python -m bench.ingest_cost --batches 40

It writes into the database DATABASE_URL names (its own devices, keys `cost-*`); use a
scratch database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _setup(devices: int, metrics: int) -> list[str]:
    from infrastructure.models import Asset, Device, Metric

    asset, _ = Asset.objects.get_or_create(
        code="cost-bench",
        defaults={"kind": Asset.Kind.BRIDGE, "name": "Cost bench", "latitude": 0, "longitude": 0},
    )
    keys = [f"cost-{n:05d}" for n in range(devices)]
    existing = set(Device.objects.filter(key__in=keys).values_list("key", flat=True))
    created = Device.objects.bulk_create(
        [Device(asset=asset, key=key, name=key) for key in keys if key not in existing],
        batch_size=1000,
    )
    Metric.objects.bulk_create(
        [Metric(device=device, name=f"m{m}") for device in created for m in range(metrics)],
        batch_size=5000,
    )
    return keys


def _batches(keys: list[str], metrics: int, batch: int, count: int):
    sent = 0
    last_ms = 0
    for _ in range(count):
        now_ms = max(int(time.time() * 1000), last_ms + 1)
        messages = []
        for _ in range(batch):
            index = sent % len(keys)
            ts = now_ms + sent // len(keys)  # unique per device within the run
            values = ",".join(f'"m{m}":{(sent + m) % 997 / 10}' for m in range(metrics))
            messages.append(
                (
                    f"portal/v1/devices/{keys[index]}/telemetry",
                    f'{{"ts":{ts},"values":{{{values}}}}}'.encode(),
                    now_ms,
                )
            )
            sent += 1
        last_ms = now_ms + sent // len(keys)
        yield messages


def measure(*, devices: int, metrics: int, batch: int, batches: int) -> dict[str, float]:
    import django

    django.setup()
    from django.db import connection

    from infrastructure import services

    keys = _setup(devices, metrics)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    work = list(_batches(keys, metrics, batch, batches + 2))
    for messages in work[:2]:  # warm the caches and partitions
        services.readings_ingest(messages=messages)
    compact = getattr(services, "rollups_compact", None)
    if compact:
        compact()
    cpu0, pg0, wall0 = time.process_time(), _proc_cpu(backend), time.perf_counter()
    points = 0
    for messages in work[2:]:
        points += services.readings_ingest(messages=messages, merge_rollups=False).received
    cpu1, pg1, wall1 = time.process_time(), _proc_cpu(backend), time.perf_counter()
    scale = 100_000 / points
    result = {
        "datapoints": points,
        "batch_messages": batch,
        "worker_cpu_s": round((cpu1 - cpu0) * scale, 3),
        "postgres_cpu_s": round((pg1 - pg0) * scale, 3),
        "wall_s": round((wall1 - wall0) * scale, 3),
    }
    if compact:
        merged = compact()
        pg2, wall2 = _proc_cpu(backend), time.perf_counter()
        result["compact_postgres_cpu_s"] = round((pg2 - pg1) * scale, 3)
        result["compact_wall_s"] = round((wall2 - wall1) * scale, 3)
        result["compact_merged"] = merged
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_cost", description=__doc__)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--metrics", type=int, default=5)
    parser.add_argument("--batch", type=int, default=2400, help="messages per batch")
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    result = measure(
        devices=args.devices, metrics=args.metrics, batch=args.batch, batches=args.batches
    )
    for name, value in result.items():
        print(f"{name:<24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
