"""manage.py ingest_mqtt: the long-lived MQTT → database ingester (run one or more)."""

from __future__ import annotations

import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infrastructure import conf
from infrastructure.ingest.handover import celery_sink, inline_sink
from infrastructure.ingest.mqtt import SHARED_TOPIC, Ingester, parse_mqtt_url


class Command(BaseCommand):
    help = (
        "Consume device telemetry from the MQTT broker (MQTT_URL) and store it. "
        f"Subscribes to {SHARED_TOPIC} with QoS 1 and a persistent session, so several "
        "ingesters split the stream and the broker keeps messages while one is down. "
        "Batches go to Celery workers (task infrastructure.ingest_batch) when REDIS_URL is "
        "set, else they are written here (--inline). Messages are acknowledged only after "
        "their batch is handed over. Stop with SIGTERM or Ctrl-C (flushes, then disconnects)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--client-id",
            default=os.environ.get("INGEST_CLIENT_ID", "portal-ingest-1"),
            help="Fixed MQTT client id of this ingester slot (env INGEST_CLIENT_ID; "
            "default portal-ingest-1). Restart a slot with the same id to resume its session.",
        )
        parser.add_argument(
            "--url", default=None, help="Broker URL, mqtt://host:port (default: MQTT_URL)."
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Write batches in this process instead of handing them to Celery workers.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=conf.ingest_batch_size(),
            help="Messages per batch in normal flow (default %(default)s).",
        )
        parser.add_argument(
            "--batch-max",
            type=int,
            default=conf.ingest_batch_max(),
            help="Largest batch when backlogged (default %(default)s).",
        )
        parser.add_argument(
            "--flush-ms",
            type=int,
            default=int(conf.ingest_flush_seconds() * 1000),
            help="Longest wait before a partial batch is flushed (default %(default)s ms).",
        )
        parser.add_argument(
            "--stats-every",
            type=float,
            default=10.0,
            help="Seconds between progress lines (default %(default)s).",
        )
        parser.add_argument(
            "--client",
            choices=["lean", "paho"],
            default=os.environ.get("INGEST_CLIENT") or getattr(settings, "INGEST_CLIENT", "lean"),
            help="MQTT client: 'lean' (our bulk MQTT 5 subscriber, infrastructure/ingest/"
            "lean.py) or 'paho' (env INGEST_CLIENT or setting INGEST_CLIENT; "
            "default %(default)s).",
        )
        parser.add_argument(
            "--leave-group",
            action="store_true",
            help="On exit, end the session so the shared group stops sending to this slot.",
        )

    def _say(self, message: str) -> None:
        self.stdout.write(f"ingest_mqtt: {message}")
        self.stdout.flush()

    def handle(self, *args, **options) -> None:
        url = options["url"] or conf.mqtt_url()
        if not url:
            raise CommandError("No broker configured: set MQTT_URL (e.g. mqtt://127.0.0.1:1883).")
        try:
            broker = parse_mqtt_url(url)
        except ValueError as error:
            raise CommandError(str(error)) from error
        inline = options["inline"] or not getattr(settings, "REDIS_URL", "")
        ingester = Ingester(
            broker=broker,
            client_id=options["client_id"],
            sink=inline_sink if inline else celery_sink,
            batch_size=options["batch_size"],
            batch_max=options["batch_max"],
            flush_seconds=options["flush_ms"] / 1000,
            queue_max=conf.ingest_queue_max(),
            session_expiry=conf.ingest_session_expiry_seconds(),
            receive_maximum=conf.ingest_receive_maximum(),
            on_connected=self._say,
            client=options["client"],
        )
        stop = threading.Event()

        def request_stop(signum, frame) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(
            f"ingest_mqtt: {broker.host}:{broker.port} as {options['client_id']} "
            f"({options['client']} client), "
            f"{'writing inline' if inline else 'handing batches to Celery'}",
        )
        self.stdout.flush()
        ingester.start()
        started = time.monotonic()
        while not stop.wait(options["stats_every"]):
            self.stdout.write(f"ingest_mqtt: {ingester.stats.line()}")
            self.stdout.flush()
        self.stdout.write("ingest_mqtt: stopping (flushing queued messages)")
        ingester.stop(leave_group=options["leave_group"])
        self.stdout.write(
            f"ingest_mqtt: stopped after {time.monotonic() - started:.0f} s: {ingester.stats.line()}"
        )
