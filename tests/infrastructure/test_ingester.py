"""The ingester's batching and acknowledgement rules, with the MQTT client faked at its seam."""

from __future__ import annotations

import threading
import time

import pytest

from infrastructure.ingest.mqtt import BrokerAddress, Ingester, parse_mqtt_url


class FakeClient:
    def __init__(self) -> None:
        self.acked: list[int] = []

    def ack(self, mid: int, qos: int) -> None:
        self.acked.append(mid)


class Message:
    def __init__(self, mid: int, qos: int = 1) -> None:
        self.mid, self.qos = mid, qos
        self.topic = "portal/v1/devices/dev-x/telemetry"
        self.payload = b'{"strain": 1}'


def _ingester(sink, **options) -> Ingester:
    ingester = Ingester(
        broker=BrokerAddress("127.0.0.1", 1), client_id="unit", sink=sink, **options
    )
    ingester.client = FakeClient()
    ingester._connected = True
    return ingester


def test_messages_are_acked_only_after_their_batch_is_handed_over():
    handed: list[int] = []
    ingester = _ingester(lambda batch: handed.append(len(batch)), flush_seconds=0.05)
    for mid in range(1, 6):
        ingester._on_message(None, None, Message(mid))
    batch = ingester._collect()
    assert ingester.client.acked == []
    ingester._flush(batch)
    assert handed == [5] and ingester.client.acked == [1, 2, 3, 4, 5]


def test_a_batch_is_acknowledged_with_one_write_of_all_its_pubacks():
    queued: list[tuple[int, bytes]] = []

    class PahoLike(FakeClient):
        def _packet_queue(self, command, packet, mid, qos):
            queued.append((command, bytes(packet)))

    ingester = _ingester(lambda batch: None, flush_seconds=0.05)
    ingester.client = PahoLike()
    for mid in (1, 300, 65535):
        ingester._on_message(None, None, Message(mid))
    ingester._flush(ingester._collect())
    assert queued == [(0x40, b"\x40\x02\x00\x01\x40\x02\x01\x2c\x40\x02\xff\xff")]
    assert ingester.client.acked == [] and ingester.stats.acked == 3


def test_messages_of_an_old_connection_are_never_acked():
    ingester = _ingester(lambda batch: None, flush_seconds=0.05)
    ingester._on_message(None, None, Message(1))
    ingester._on_disconnect(None, None, None, "lost", None)
    ingester._connected = (
        True  # reconnected: a new generation, where mid 1 may mean another message
    )
    ingester._generation += 1
    ingester._on_message(None, None, Message(2))
    ingester._flush(ingester._collect())
    assert ingester.client.acked == [2]
    assert ingester.stats.stale == 1


def test_a_failed_handover_is_retried_before_anything_is_acked():
    calls = []

    def flaky(batch):
        calls.append(len(batch))
        if len(calls) < 3:
            raise ConnectionError("database away")

    ingester = _ingester(flaky, flush_seconds=0.05)
    ingester._on_message(None, None, Message(7))
    started = time.monotonic()
    ingester._flush(ingester._collect())
    assert calls == [1, 1, 1] and ingester.client.acked == [7]
    assert ingester.stats.handover_errors == 2
    assert time.monotonic() - started < 5


def test_a_backlog_is_taken_in_bigger_batches():
    ingester = _ingester(lambda batch: None, batch_size=10, batch_max=100, flush_seconds=0.05)
    for mid in range(1, 251):
        ingester._on_message(None, None, Message(mid))
    assert [len(ingester._collect()) for _ in range(3)] == [100, 100, 50]


def test_a_full_queue_blocks_the_network_thread():
    ingester = _ingester(lambda batch: None, queue_max=2)
    ingester._on_message(None, None, Message(1))
    ingester._on_message(None, None, Message(2))
    blocked = threading.Thread(target=ingester._on_message, args=(None, None, Message(3)))
    blocked.start()
    blocked.join(0.3)
    assert blocked.is_alive()
    ingester._queue.get()
    blocked.join(2)
    assert not blocked.is_alive() and ingester.stats.received == 3


def test_broker_urls_are_parsed():
    assert parse_mqtt_url("mqtt://u:p%40ss@broker:1884") == BrokerAddress(
        "broker", 1884, "u", "p@ss"
    )
    assert parse_mqtt_url("mqtt://127.0.0.1").port == 1883
    with pytest.raises(ValueError):
        parse_mqtt_url("http://x")
