"""A lean MQTT v5 subscriber over a plain socket, for the ingester.

paho-mqtt's MQTT 5 receive path costs the ingester most of its CPU: a Properties object
built per message, several system calls per message and a lock per message. This client
does only what the ingester needs and does it in bulk: CONNECT (clean_start=False,
SessionExpiryInterval, ReceiveMaximum), SUBSCRIBE at QoS 1, PUBLISH packets parsed many
at a time out of one large `recv` (their properties skipped, not parsed), the PUBACKs of
a batch sent as one write, PINGREQ keepalive, DISCONNECT (with SessionExpiryInterval=0
to leave a shared group), and reconnecting with a back-off.

It calls the same three callbacks as the paho path of `mqtt.Ingester`: `on_connect`
(after CONNACK, before any PUBLISH of the new connection is read), `on_disconnect`
(before a new connection is opened: acknowledgements of the old one are never sent on
the new one) and `on_messages` with every PUBLISH of one read as
[(packet id, qos, topic, payload), ...].

A packet this client does not expect, or one that does not parse, resets the connection
(the broker redelivers what was not acknowledged); it never stops the ingester.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from collections.abc import Callable

from infrastructure.ingest.wire import utf8_string, varint

log = logging.getLogger("infrastructure.ingest")

_RECV_SIZE = 1 << 20  # one read takes hundreds of messages at full rate
_MAX_PACKET = 16 << 20  # larger than any payload we accept (INFRA_MAX_PAYLOAD_BYTES)


class ProtocolError(Exception):
    """The broker sent something we cannot parse or do not expect: reset the connection."""


def connect_packet(
    client_id: str,
    *,
    keepalive: int,
    session_expiry: int,
    receive_maximum: int,
    username: str | None = None,
    password: str | None = None,
) -> bytes:
    """CONNECT, MQTT 5, clean_start=False: a restarted ingester resumes its session."""
    flags = 0x00
    payload = utf8_string(client_id)
    if username is not None:
        flags |= 0x80
        payload += utf8_string(username)
    if password is not None:
        flags |= 0x40
        payload += utf8_string(password)
    properties = (
        b"\x11" + session_expiry.to_bytes(4, "big") + b"\x21" + receive_maximum.to_bytes(2, "big")
    )
    body = (
        utf8_string("MQTT")
        + bytes([5, flags])
        + keepalive.to_bytes(2, "big")
        + varint(len(properties))
        + properties
        + payload
    )
    return b"\x10" + varint(len(body)) + body


def subscribe_packet(packet_id: int, topic: str, qos: int = 1) -> bytes:
    body = packet_id.to_bytes(2, "big") + b"\x00" + utf8_string(topic) + bytes([qos])
    return b"\x82" + varint(len(body)) + body


def disconnect_packet(*, leave_group: bool = False) -> bytes:
    if leave_group:
        # Reason 0 (normal) with SessionExpiryInterval=0: the broker ends the session,
        # so the shared group stops queueing a share for this member.
        return b"\xe0\x07\x00\x05\x11\x00\x00\x00\x00"
    return b"\xe0\x00"


def puback_packets(mids: list[int]) -> bytes:
    # A PUBACK is 4 bytes: MQTT 5 allows leaving out the success reason code.
    return b"".join([b"\x40\x02" + mid.to_bytes(2, "big") for mid in mids])


def parse_packets(
    data: bytes, start: int = 0, limit: int = 0
) -> tuple[list[tuple[int, int, str, bytes]], list[tuple[int, bytes]], int]:
    """Parse every complete packet of `data` from `start`.

    Returns (publishes, others, end): publishes as (packet id, qos, topic, payload),
    other packets as (first byte, body), and the offset of the first incomplete packet
    (keep data[end:] for the next read). With `limit`, stops after that many packets.
    Raises ProtocolError on a malformed packet.
    """
    publishes: list[tuple[int, int, str, bytes]] = []
    others: list[tuple[int, bytes]] = []
    append = publishes.append
    size = len(data)
    pos = start
    topics: dict[bytes, str] = {}
    while pos + 2 <= size:
        if limit and len(publishes) + len(others) >= limit:
            break
        first = data[pos]
        # Remaining length: a variable byte integer of at most 4 bytes.
        length = data[pos + 1]
        header = 2
        if length & 0x80:
            length &= 0x7F
            shift = 7
            while True:
                if pos + header >= size:
                    return publishes, others, pos  # the length itself is incomplete
                byte = data[pos + header]
                header += 1
                length |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    break
                shift += 7
                if header > 5:
                    raise ProtocolError("remaining length longer than 4 bytes")
            if length > _MAX_PACKET:
                raise ProtocolError(f"packet of {length} bytes")
        body = pos + header
        end = body + length
        if end > size:
            return publishes, others, pos
        if first >> 4 == 3:
            qos = (first >> 1) & 3
            if qos == 3 or length < 2:
                raise ProtocolError("malformed PUBLISH")
            topic_end = body + 2 + ((data[body] << 8) | data[body + 1])
            cursor = topic_end
            if qos:
                mid = (data[cursor] << 8) | data[cursor + 1] if cursor + 2 <= end else -1
                cursor += 2
            else:
                mid = 0
            # Properties: skip them (the ingester needs none; the broker sends no
            # topic aliases since CONNECT allows none).
            if cursor >= end:
                raise ProtocolError("PUBLISH without its properties length")
            plen = data[cursor]
            cursor += 1
            if plen & 0x80:
                plen &= 0x7F
                shift = 7
                while True:
                    if cursor >= end:
                        raise ProtocolError("PUBLISH properties length truncated")
                    byte = data[cursor]
                    cursor += 1
                    plen |= (byte & 0x7F) << shift
                    if not byte & 0x80:
                        break
                    shift += 7
            cursor += plen
            if cursor > end or mid == -1 or (qos and mid == 0):
                raise ProtocolError("malformed PUBLISH")
            raw_topic = data[body + 2 : topic_end]
            topic = topics.get(raw_topic)
            if topic is None:
                try:
                    topic = topics[raw_topic] = raw_topic.decode()
                except UnicodeDecodeError as error:
                    raise ProtocolError("topic is not UTF-8") from error
            append((mid, qos, topic, data[cursor:end]))
        else:
            others.append((first, data[body:end]))
        pos = end
    return publishes, others, pos


class LeanSubscriber:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        topic: str,
        on_connect: Callable[[bool], None],
        on_disconnect: Callable[[str], None],
        on_messages: Callable[[list[tuple[int, int, str, bytes]]], None],
        username: str | None = None,
        password: str | None = None,
        keepalive: int = 30,
        session_expiry: int = 7 * 24 * 3600,
        receive_maximum: int = 10000,
        min_delay: float = 0.5,
        max_delay: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self.client_id = client_id
        self.topic = topic
        self.on_connect = on_connect
        self.on_disconnect = on_disconnect
        self.on_messages = on_messages
        self.username, self.password = username, password
        self.keepalive = keepalive
        self.session_expiry = session_expiry
        self.receive_maximum = receive_maximum
        self.min_delay, self.max_delay = min_delay, max_delay
        self.sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._last_send = 0.0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-mqtt", daemon=True)

    # --- sending (any thread) --------------------------------------------------------

    def send(self, data: bytes) -> bool:
        """Write on the current connection; a failed write resets it (False)."""
        with self._send_lock:
            sock = self.sock
            if sock is None:
                return False
            try:
                sock.sendall(data)
            except OSError as error:
                log.warning("MQTT write failed (%s); reconnecting", error)
                self._shutdown(sock)
                return False
            self._last_send = time.monotonic()
            return True

    def send_pubacks(self, mids: list[int]) -> bool:
        return self.send(puback_packets(mids)) if mids else True

    # The seam the ingester's flusher acknowledges through (paho's names).
    def _packet_queue(self, command: int, packet: bytes, mid: int, qos: int) -> None:
        self.send(bytes(packet))

    def ack(self, mid: int, qos: int) -> None:
        if qos == 1:
            self.send_pubacks([mid])
        # QoS 2 is never subscribed to (SUBSCRIBE asks for QoS 1).

    def ping_if_due(self) -> None:
        if time.monotonic() - self._last_send >= self.keepalive / 2:
            self.send(b"\xc0\x00")

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    # --- the network thread ------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, leave_group: bool = False, timeout: float = 10) -> None:
        """DISCONNECT (ending the session with `leave_group`), then end the thread."""
        self._stopping.set()
        self.send(disconnect_packet(leave_group=leave_group))
        with self._send_lock:
            if self.sock is not None:
                self._shutdown(self.sock)
        self._thread.join(timeout)

    def _open(self) -> tuple[socket.socket, bytes]:
        sock = socket.create_connection((self.host, self.port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(
            connect_packet(
                self.client_id,
                keepalive=self.keepalive,
                session_expiry=self.session_expiry,
                receive_maximum=self.receive_maximum,
                username=self.username,
                password=self.password,
            )
        )
        data = b""
        while True:
            chunk = sock.recv(_RECV_SIZE)
            if not chunk:
                raise ConnectionError("the broker closed the connection during CONNECT")
            data += chunk
            # Only the CONNACK: PUBLISH packets of the session may follow in the same
            # read and are served (queued, acknowledged) once the connection is set up.
            _, others, end = parse_packets(data, limit=1)
            if others:
                break
        first, body = others[0]
        if first != 0x20 or len(body) < 2:
            raise ProtocolError(f"expected CONNACK, got {first:#x}")
        if body[1] >= 0x80:
            raise ConnectionRefusedError(f"the broker refused the connection: reason {body[1]:#x}")
        session_present = bool(body[0] & 1)
        sock.settimeout(None)
        with self._send_lock:
            self.sock = sock
            self._last_send = time.monotonic()
        # Called before anything of the new connection is read: a new generation starts.
        self.on_connect(session_present)
        # The persistent session keeps the subscription; subscribing again is harmless.
        self.send(subscribe_packet(1, self.topic))
        return sock, data[end:]

    def _run(self) -> None:
        delay = self.min_delay
        while not self._stopping.is_set():
            sock = None
            reason = "closed"
            try:
                sock, pending = self._open()
                delay = self.min_delay
                self._serve(sock, pending)
            except (OSError, ProtocolError, ConnectionError) as error:
                reason = str(error) or type(error).__name__
            finally:
                if sock is not None:
                    with self._send_lock:
                        self.sock = None
                    sock.close()
                    # Before a new connection opens: nothing of this one is acked later.
                    self.on_disconnect(reason)
            if self._stopping.is_set():
                return
            log.warning("MQTT connection lost (%s); reconnecting in %.1f s", reason, delay)
            self._stopping.wait(delay)
            delay = min(delay * 2, self.max_delay)

    def _serve(self, sock: socket.socket, pending: bytes) -> None:
        last_read = time.monotonic()
        data = pending
        while not self._stopping.is_set():
            if data:
                publishes, others, end = parse_packets(data)
                data = data[end:]
                for first, body in others:
                    self._control(first, body)
                if publishes:
                    self.on_messages(publishes)
            ready = select.select([sock], [], [], self.keepalive / 4)[0]
            now = time.monotonic()
            if now - self._last_send >= self.keepalive / 2:
                self.send(b"\xc0\x00")
            if not ready:
                if now - last_read > self.keepalive * 1.5:
                    raise ConnectionError("no PINGRESP from the broker")
                continue
            chunk = sock.recv(_RECV_SIZE)
            if not chunk:
                if self._stopping.is_set():
                    return
                raise ConnectionError("the broker closed the connection")
            last_read = now
            data = data + chunk if data else chunk

    def _control(self, first: int, body: bytes) -> None:
        kind = first >> 4
        if kind == 13:  # PINGRESP
            return
        if kind == 9:  # SUBACK: packet id, properties, one reason code per filter
            if body and body[-1] >= 0x80:
                log.error("the broker refused the subscription: reason %#x", body[-1])
            return
        if kind == 14:  # DISCONNECT from the broker
            reason = body[0] if body else 0
            raise ConnectionError(f"the broker disconnected us: reason {reason:#x}")
        raise ProtocolError(f"unexpected packet {first:#x} from the broker")
