"""Writes of the infrastructure app: devices and their secrets, ingestion, partitions."""

from __future__ import annotations

import datetime
import secrets
import time
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from infrastructure import conf
from infrastructure.ingest import partitions
from infrastructure.ingest.directory import directory
from infrastructure.ingest.parse import Limits, device_key_from_topic, parse_messages
from infrastructure.ingest.writer import WriteSummary, batch_write
from infrastructure.models import Asset, Device, Metric, hash_secret
from portal.models import User
from portal.services import activity_record

# One raw MQTT message as handed from the ingester to the writer: (topic, payload, received ms).
RawMessage = tuple[str, bytes | str, int]


def _limits(now_ms: int) -> Limits:
    return Limits(
        now_ms=now_ms,
        max_skew_ms=conf.ts_max_skew_seconds() * 1000,
        max_age_ms=conf.ts_max_age_seconds() * 1000,
        max_payload_bytes=conf.max_payload_bytes(),
    )


def readings_ingest(*, messages: Sequence[RawMessage], now_ms: int | None = None) -> WriteSummary:
    """Parse and store a batch of raw telemetry messages (idempotent, one transaction)."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    directory.prime(
        key for key in (device_key_from_topic(topic) for topic, _p, _r in messages) if key
    )
    result = parse_messages(messages, lookup=directory.lookup, limits=_limits(now_ms))
    return batch_write(result)


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def device_create(
    *,
    asset: Asset,
    name: str,
    key: str | None = None,
    metrics: Iterable[dict] = (),
    actor: User | None = None,
) -> tuple[Device, str]:
    """Create a device with its metrics; returns the device and its secret (shown once)."""
    secret = _new_secret()
    device = Device(asset=asset, name=name, secret_hash=hash_secret(secret))
    device.secret_rotated_at = timezone.now()
    if key:
        device.key = key
    device.full_clean()
    device.save()
    Metric.objects.bulk_create([Metric(device=device, **fields) for fields in metrics])
    if actor is not None:
        activity_record(actor=actor, verb="infrastructure.device_created", target=device)
    return device, secret


@transaction.atomic
def device_secret_rotate(*, device: Device, actor: User | None = None) -> str:
    """Replace a device's secret; the new one is returned once and never stored in clear."""
    secret = _new_secret()
    device.secret_hash = hash_secret(secret)
    device.secret_rotated_at = timezone.now()
    device.save(update_fields=["secret_hash", "secret_rotated_at"])
    if actor is not None:
        activity_record(actor=actor, verb="infrastructure.device_secret_rotated", target=device)
    return secret


def partitions_maintain(*, today: datetime.date | None = None) -> dict[str, list[str]]:
    """Create the readings partitions ahead and drop those past retention (PostgreSQL)."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    created = partitions.partitions_ensure_ahead(
        today=today, ahead_days=conf.partitions_ahead_days()
    )
    cutoff = today - datetime.timedelta(days=conf.reading_retention_days())
    dropped = partitions.partitions_drop_before(cutoff)
    return {
        "created": [day.isoformat() for day in created],
        "dropped": [day.isoformat() for day in dropped],
    }
