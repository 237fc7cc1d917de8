"""A lean MQTT 3.1.1 QoS 1 publisher over a plain socket, for load and simulation.

paho-mqtt spends about 0.75 of a core to publish 6k msg/s; this pipelined publisher
needs a fraction of that (see ../shared/INGEST.md), so load generators and the sensor
simulator do not starve the pipeline they feed. It only publishes: CONNECT, PUBLISH
(QoS 1) with a window of unacknowledged messages, PUBACK, DISCONNECT.

`python -m infrastructure.ingest.wire --port 1883 --rate 2000 < lines` publishes lines
"topic<TAB>payload" read from stdin.
"""

from __future__ import annotations

import argparse
import select
import socket
import sys
import time
from collections.abc import Iterable

_SEND_CHUNK = 64 * 1024


def varint(length: int) -> bytes:
    """MQTT's variable-length integer (remaining length, property lengths)."""
    out = bytearray()
    while True:
        byte, length = length % 128, length // 128
        out.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(out)


def utf8_string(text: str | bytes) -> bytes:
    """MQTT's length-prefixed string (or binary data)."""
    data = text.encode() if isinstance(text, str) else text
    return len(data).to_bytes(2, "big") + data


class LeanPublisher:
    def __init__(
        self, host: str, port: int, client_id: str, *, window: int = 2000, keepalive: int = 60
    ) -> None:
        self.window = window
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = utf8_string("MQTT") + bytes([4, 0x02]) + keepalive.to_bytes(2, "big")
        body += utf8_string(client_id)
        self.sock.sendall(b"\x10" + varint(len(body)) + body)
        connack = self._read_exact(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise ConnectionError(f"broker refused the connection: {connack!r}")
        self._next_id = 0
        self._inflight: set[int] = set()
        self._buffer = bytearray()
        self._pending = bytearray()
        self.published = 0
        self.acked = 0

    def _read_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("broker closed the connection")
            data += chunk
        return data

    def _read_acks(self, *, block: bool) -> None:
        ready = select.select([self.sock], [], [], 30 if block else 0)[0]
        if not ready:
            if block:
                raise TimeoutError("no PUBACK from the broker within 30 s")
            return
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("broker closed the connection")
        self._pending += chunk
        # PUBACK is always 4 bytes: 0x40 0x02 <packet id>.
        while len(self._pending) >= 4:
            if self._pending[0] != 0x40:
                raise ConnectionError(f"unexpected packet {self._pending[0]:#x} from the broker")
            self._inflight.discard(int.from_bytes(self._pending[2:4], "big"))
            self.acked += 1
            del self._pending[:4]

    def _flush(self) -> None:
        if self._buffer:
            self.sock.sendall(self._buffer)
            self._buffer.clear()

    def publish(self, topic: str, payload: bytes) -> None:
        while len(self._inflight) >= self.window:
            self._flush()
            self._read_acks(block=True)
        self._next_id = self._next_id % 65535 + 1
        while self._next_id in self._inflight:
            self._next_id = self._next_id % 65535 + 1
        body = utf8_string(topic) + self._next_id.to_bytes(2, "big") + payload
        self._buffer += b"\x32" + varint(len(body)) + body
        self._inflight.add(self._next_id)
        self.published += 1
        if len(self._buffer) >= _SEND_CHUNK:
            self._flush()
            self._read_acks(block=False)

    def publish_many(self, messages: Iterable[tuple[str, bytes]], *, rate: float = 0) -> None:
        """Publish at up to `rate` messages/s (0: as fast as the broker acknowledges)."""
        started = time.monotonic()
        for count, (topic, payload) in enumerate(messages, start=1):
            self.publish(topic, payload)
            if rate and count % 50 == 0:
                self._flush()
                self._read_acks(block=False)
                ahead = count / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)

    def wait_acked(self) -> None:
        self._flush()
        while self._inflight:
            self._read_acks(block=True)

    def close(self) -> None:
        try:
            self.wait_acked()
            self.sock.sendall(b"\xe0\x00")
        finally:
            self.sock.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publish 'topic<TAB>payload' lines, QoS 1.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--client-id", default="lean-publisher")
    parser.add_argument("--rate", type=float, default=0, help="messages per second (0: max)")
    args = parser.parse_args(argv)
    publisher = LeanPublisher(args.host, args.port, args.client_id)
    lines = (line.rstrip("\n").split("\t", 1) for line in sys.stdin if "\t" in line)
    publisher.publish_many(((topic, payload.encode()) for topic, payload in lines), rate=args.rate)
    publisher.close()
    print(f"published {publisher.published} acked {publisher.acked}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
