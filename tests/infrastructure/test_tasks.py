"""The Celery task that takes one batch from the ingester."""

from __future__ import annotations

import json

from infrastructure.ingest.handover import split_by_device, task_payload
from infrastructure.models import DeadLetter, Reading
from infrastructure.tasks import ingest_batch
from tests.infrastructure.conftest import topic


def test_ingest_batch_task_stores_a_batch_once_even_when_redelivered(sensor, now_ms):
    messages = [
        (
            topic("dev-pasupati-1"),
            json.dumps({"ts": now_ms - i, "values": {"strain": i}}).encode(),
            now_ms,
        )
        for i in range(10)
    ]
    payload = json.loads(json.dumps(task_payload(messages)))  # as the broker carries it
    first = ingest_batch.apply(args=[payload]).get()
    again = ingest_batch.apply(args=[payload]).get()
    assert first["inserted"] == 10 and again == {**first, "inserted": 0, "duplicates": 10}
    assert Reading.objects.count() == 10


def test_invalid_utf8_survives_the_trip_to_the_worker_as_bad_json(sensor, now_ms):
    payload = json.loads(
        json.dumps(task_payload([(topic("dev-pasupati-1"), b'{"strain": "\xff"}', now_ms)]))
    )
    ingest_batch.apply(args=[payload]).get()
    assert DeadLetter.objects.get().reason == "bad_json"


def test_a_flush_splits_by_device_keeping_every_message_and_each_devices_order():
    messages = [(topic(f"dev-{n % 7}"), f'{{"v": {n}}}'.encode(), n) for n in range(100)]
    parts = split_by_device(messages, 2)
    assert 1 <= len(parts) <= 2
    assert sorted(m for part in parts for m in part) == sorted(messages)
    for part in parts:
        devices = {t for t, _p, _r in part}
        assert not any(devices & {t for t, _p, _r in other} for other in parts if other is not part)
        for device in devices:
            mine = [r for t, _p, r in part if t == device]
            assert mine == sorted(mine)
    assert split_by_device(messages, 1) == [messages]
    assert split_by_device(messages[:3], 2) == [messages[:3]]  # too small to be worth it
