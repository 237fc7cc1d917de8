"""manage.py simulate_sensors: live telemetry for the demo devices."""

from __future__ import annotations

import random
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError

from infrastructure import conf, services, simulator
from infrastructure.ingest.mqtt import parse_mqtt_url
from infrastructure.ingest.wire import LeanPublisher
from infrastructure.models import Device


class Command(BaseCommand):
    help = (
        "Simulate the sensors of the demo assets (bridge strain, vibration and deck "
        "temperature; culvert water level; street-light power) with occasional anomalies. "
        "Publishes over MQTT (QoS 1) when MQTT_URL is set; otherwise, or with --inline, feeds "
        "the same parse-and-write path directly. Run `manage.py seed_demo` first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--rate",
            type=float,
            default=5.0,
            help="Messages per second over all devices (default %(default)s); each message "
            "carries every metric of its device.",
        )
        parser.add_argument(
            "--duration", type=float, default=0, help="Stop after this many seconds (0: never)."
        )
        parser.add_argument(
            "--devices", type=int, default=0, help="Simulate only the first K devices (0: all)."
        )
        parser.add_argument(
            "--inline", action="store_true", help="Write directly, even when MQTT_URL is set."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable runs).")

    def handle(self, *args, **options) -> None:
        if options["rate"] <= 0:
            raise CommandError("--rate must be positive.")
        devices = list(
            Device.objects.filter(enabled=True).order_by("key").prefetch_related("metrics")
        )
        if options["devices"]:
            devices = devices[: options["devices"]]
        devices = [device for device in devices if device.metrics.all()]
        if not devices:
            raise CommandError("No enabled devices with metrics: run `manage.py seed_demo` first.")
        plan = [
            (f"portal/v1/devices/{d.key}/telemetry", [m.name for m in d.metrics.all()])
            for d in devices
        ]
        rng = random.Random(options["seed"])  # noqa: S311 - simulated signals, not secrets
        url = conf.mqtt_url()
        publisher = None
        if url and not options["inline"]:
            broker = parse_mqtt_url(url)
            try:
                publisher = LeanPublisher(
                    broker.host, broker.port, f"simulator-{rng.getrandbits(32):x}"
                )
            except OSError as error:
                raise CommandError(f"Cannot reach the MQTT broker at {url}: {error}") from error
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        mode = f"publishing to {url}" if publisher else "writing directly"
        self.stdout.write(
            f"simulate_sensors: {len(plan)} devices, {options['rate']:g} msg/s, {mode}"
        )
        self.stdout.flush()

        tick = 0.2
        started = time.monotonic()
        sent = readings = stored = 0
        index = 0
        last_ts: dict[str, int] = {}
        next_report = started + 10
        while not stop.is_set():
            elapsed = time.monotonic() - started
            if options["duration"] and elapsed >= options["duration"]:
                break
            due = int(elapsed * options["rate"]) + 1 - sent
            now_ms = int(time.time() * 1000)
            batch = []
            for position in range(max(0, due)):
                topic, metrics = plan[index % len(plan)]
                index += 1
                # Spread the tick's messages over the tick; a device's timestamps never repeat
                # (a repeated one would be absorbed as a duplicate).
                ts = now_ms - int((due - 1 - position) * 1000 / options["rate"])
                ts = max(ts, last_ts.get(topic, 0) + 1)
                last_ts[topic] = ts
                batch.append((topic, simulator.telemetry_payload(metrics, ts, rng), now_ms))
                readings += len(metrics)
            if publisher:
                for topic, payload, _received in batch:
                    publisher.publish(topic, payload)
                publisher.wait_acked()
            elif batch:
                stored += services.readings_ingest(messages=batch, now_ms=now_ms).inserted
            sent += len(batch)
            if time.monotonic() >= next_report:
                self.stdout.write(f"simulate_sensors: {sent} messages, {readings} readings")
                self.stdout.flush()
                next_report += 10
            stop.wait(tick)
        if publisher:
            publisher.close()
        summary = f"simulate_sensors: done, {sent} messages ({readings} readings) in {time.monotonic() - started:.1f} s"
        if not publisher:
            summary += f", {stored} stored"
        self.stdout.write(summary)
