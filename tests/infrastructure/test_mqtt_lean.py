"""The lean MQTT v5 subscriber's packet parser, and the client against a private Mosquitto."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from infrastructure.ingest import lean
from infrastructure.ingest.lean import ProtocolError, parse_packets, varint
from infrastructure.ingest.mqtt import BrokerAddress, Ingester


def publish(topic: str, payload: bytes, mid: int = 1, qos: int = 1, props: bytes = b"") -> bytes:
    body = len(topic).to_bytes(2, "big") + topic.encode()
    if qos:
        body += mid.to_bytes(2, "big")
    body += varint(len(props)) + props + payload
    return bytes([0x30 | qos << 1]) + varint(len(body)) + body


def test_several_packets_in_one_read_are_parsed_in_order():
    data = publish("a/b", b"one", 1) + b"\xd0\x00" + publish("a/c", b"two", 2)
    publishes, others, end = parse_packets(data)
    assert publishes == [(1, 1, "a/b", b"one"), (2, 1, "a/c", b"two")]
    assert others == [(0xD0, b"")] and end == len(data)


def test_a_packet_split_across_reads_is_completed_by_the_next_read():
    packet = publish("t", b"x" * 300, 7)  # a two-byte remaining length
    whole = publish("t", b"first", 6) + packet
    for cut in range(1, len(whole)):
        publishes, _, end = parse_packets(whole[:cut])
        rest, _, end2 = parse_packets(whole[end:cut] + whole[cut:])
        assert publishes + rest == [(6, 1, "t", b"first"), (7, 1, "t", b"x" * 300)]
        assert end + end2 == len(whole)


def test_publish_properties_are_skipped():
    props = b"\x01\x01" + b"\x23\x00\x05" + b"\x26" + b"\x00\x01k\x00\x01v"  # format, alias, user
    publishes, _, _ = parse_packets(publish("t/1", b'{"m":1}', 9, props=props))
    assert publishes == [(9, 1, "t/1", b'{"m":1}')]
    long_props = b"\x26" + b"\x00\x03key" + (200).to_bytes(2, "big") + b"v" * 200
    publishes, _, _ = parse_packets(publish("t/1", b"p", 10, props=long_props))
    assert publishes == [(10, 1, "t/1", b"p")]


def test_qos0_publish_has_no_packet_id():
    assert parse_packets(publish("t", b"p", qos=0))[0] == [(0, 0, "t", b"p")]


@pytest.mark.parametrize(
    "data",
    [
        b"\x32\x01\x00",  # PUBLISH shorter than its topic length
        b"\x32\x04\x00\x09ab",  # topic runs past the packet
        b"\x32\x05\x00\x01t\x00\x00",  # packet id 0 at QoS 1, no properties
        b"\x36\x06\x00\x01t\x00\x01\x00",  # QoS 3
        b"\x32\x06\x00\x01t\x00\x01\x05",  # properties run past the packet
        b"\x32\xff\xff\xff\xff\x01",  # remaining length of five bytes
        b"\x32\x06\x00\x01\xff\x00\x01\x00",  # topic not UTF-8
    ],
)
def test_malformed_packets_raise_a_protocol_error(data):
    with pytest.raises(ProtocolError):
        parse_packets(data)


def test_connect_and_disconnect_packets():
    packet = lean.connect_packet("c1", keepalive=30, session_expiry=3600, receive_maximum=10000)
    assert packet[:1] == b"\x10" and b"MQTT\x05\x00" in packet  # v5, clean_start=False
    assert b"\x11\x00\x00\x0e\x10\x21\x27\x10" in packet
    assert lean.disconnect_packet(leave_group=True) == b"\xe0\x07\x00\x05\x11\x00\x00\x00\x00"
    assert lean.puback_packets([1, 65535]) == b"\x40\x02\x00\x01\x40\x02\xff\xff"


class FakeBroker:
    """One connection at a time; the test scripts what the broker sends."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections: list[socket.socket] = []

    def accept(self, session_present: bool = False, then: bytes = b"") -> socket.socket:
        self.server.settimeout(10)
        conn, _ = self.server.accept()
        conn.settimeout(5)
        self.connections.append(conn)
        assert conn.recv(1)[0] == 0x10
        time.sleep(0.05)
        conn.recv(65536)
        conn.sendall(b"\x20\x03" + bytes([int(session_present)]) + b"\x00\x00" + then)
        return conn

    def read_until(self, conn: socket.socket, needle: bytes, timeout: float = 5) -> bytes:
        data = b""
        deadline = time.monotonic() + timeout
        while needle not in data and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                data += conn.recv(65536)
        return data


def _lean_ingester(port: int, handed: list) -> Ingester:
    return Ingester(
        broker=BrokerAddress("127.0.0.1", port),
        client_id="lean-unit",
        sink=lambda batch: handed.append(list(batch)),
        flush_seconds=0.05,
        client="lean",
    )


def test_a_malformed_packet_resets_the_connection_and_old_ids_are_never_acked():
    broker = FakeBroker()
    handed: list = []
    ingester = _lean_ingester(broker.port, handed)
    ingester.lean.min_delay = 0.1
    release = threading.Event()

    def held_sink(batch):
        release.wait(5)
        handed.append(list(batch))

    ingester.sink = held_sink
    ingester.start()
    try:
        first = broker.accept()
        assert broker.read_until(first, b"\x82")  # SUBSCRIBE
        first.sendall(publish("portal/v1/devices/d/telemetry", b"{}", 5))
        time.sleep(0.3)  # queued, its handover held back
        first.sendall(b"\x32\x03\x00\x09a")  # malformed: the client resets, does not crash
        second = broker.accept(session_present=True)
        release.set()
        second.sendall(publish("portal/v1/devices/d/telemetry", b"{}", 6))
        acks = broker.read_until(second, b"\x40\x02\x00\x06")
        assert b"\x40\x02\x00\x06" in acks and b"\x40\x02\x00\x05" not in acks
        assert ingester.stats.stale == 1
    finally:
        release.set()
        ingester.stop(leave_group=True)
    tail = broker.read_until(second, b"\xe0\x07", timeout=2)
    assert tail.endswith(lean.disconnect_packet(leave_group=True))


def test_pubacks_of_a_batch_go_out_as_one_write_after_the_handover():
    broker = FakeBroker()
    handed: list = []
    ingester = _lean_ingester(broker.port, handed)
    ingester.start()
    try:
        conn = broker.accept()
        broker.read_until(conn, b"\x82")
        conn.sendall(b"".join(publish("t/x", b"p%d" % mid, mid) for mid in range(1, 101)))
        acks = broker.read_until(conn, b"\x40\x02\x00\x64")
        assert acks.count(b"\x40\x02") == 100
        assert [len(batch) for batch in handed] == [100] or sum(map(len, handed)) == 100
        assert handed[0][0][:2] == ("t/x", b"p1")
    finally:
        ingester.stop()


def test_publishes_arriving_with_the_connack_are_not_lost():
    """A resumed session's messages may come in the same read as the CONNACK."""
    broker = FakeBroker()
    handed: list = []
    ingester = _lean_ingester(broker.port, handed)
    ingester.start()
    try:
        conn = broker.accept(True, then=publish("t/x", b"a", 3) + publish("t/x", b"b", 4))
        acks = broker.read_until(conn, b"\x40\x02\x00\x04")
        assert b"\x40\x02\x00\x03" in acks and b"\x40\x02\x00\x04" in acks
        assert [m[1] for batch in handed for m in batch] == [b"a", b"b"]
    finally:
        ingester.stop()
