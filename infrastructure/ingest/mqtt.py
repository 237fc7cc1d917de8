"""The MQTT seam: broker URL parsing and the long-lived ingest consumer.

`Ingester` subscribes (MQTT v5, persistent session, shared subscription, QoS 1, manual
acknowledgement), queues raw messages from the network thread, and a flusher thread
hands them over in batches. A message is acknowledged to the broker only after its
batch was handed over (a Celery task published, or written and committed inline), so
a crash at any point loses nothing: the broker redelivers what was not acknowledged and
the unique readings key absorbs what was already stored. See ../shared/INGEST.md.

Two network clients behind the same rules: `lean` (lean.py, the default of
`manage.py ingest_mqtt`: bulk parsing, one queue lock per socket read, about a seventh
of paho's CPU per message) and `paho` (paho-mqtt 2; INGEST_CLIENT=paho).
"""

from __future__ import annotations

import logging
import queue
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from infrastructure.ingest.lean import LeanSubscriber

log = logging.getLogger("infrastructure.ingest")

_PUBACK = struct.Struct("!BBH")

SHARED_TOPIC = "$share/ingest/portal/v1/devices/+/telemetry"


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_mqtt_url(url: str) -> BrokerAddress:
    """mqtt://[user:password@]host[:port] (the port defaults to 1883)."""
    parts = urlsplit(url)
    if parts.scheme not in {"mqtt", "tcp"} or not parts.hostname:
        raise ValueError(f"MQTT_URL must look like mqtt://host:1883, not {url!r}")
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or 1883,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@dataclass(slots=True)
class Queued:
    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes
    received_ms: int


@dataclass
class Stats:
    received: int = 0
    batches: int = 0
    acked: int = 0
    stale: int = 0  # received on a connection that has since closed: redelivered, not acked
    handover_errors: int = 0
    inserted: int = 0
    duplicates: int = 0
    dead_letters: int = 0

    def line(self) -> str:
        return (
            f"received={self.received} batches={self.batches} acked={self.acked} "
            f"stored={self.inserted} duplicates={self.duplicates} "
            f"dead_letters={self.dead_letters} stale={self.stale} errors={self.handover_errors}"
        )


# A sink takes [(topic, payload, received_ms), ...] and returns a summary dict (or None)
# once the batch is safe: written and committed, or published to the Celery broker.
Sink = Callable[[Sequence[tuple[str, bytes, int]]], dict | None]


class Ingester:
    def __init__(
        self,
        *,
        broker: BrokerAddress,
        client_id: str,
        sink: Sink,
        batch_size: int = 5000,
        batch_max: int = 25000,
        flush_seconds: float = 0.2,
        queue_max: int = 50000,
        session_expiry: int = 7 * 24 * 3600,
        receive_maximum: int = 10000,
        topic: str = SHARED_TOPIC,
        on_connected: Callable[[str], None] | None = None,
        client: str = "paho",
    ) -> None:
        self.broker = broker
        self.client_id = client_id
        self.sink = sink
        self.batch_size = batch_size
        self.batch_max = max(batch_max, batch_size)
        self.flush_seconds = flush_seconds
        self.session_expiry = session_expiry
        self.receive_maximum = receive_maximum
        self.topic = topic
        self.on_connected = on_connected
        self.stats = Stats()
        self._queue: queue.Queue[Queued] = queue.Queue(maxsize=queue_max)
        self._stopping = threading.Event()
        self._ack_lock = threading.Lock()
        self._generation = 0
        self._connected = False
        self.connected_once = threading.Event()
        self._flusher = threading.Thread(target=self._run_flusher, name="ingest-flusher")
        self.lean: LeanSubscriber | None = None
        if client == "lean":
            self.lean = LeanSubscriber(
                host=broker.host,
                port=broker.port,
                client_id=client_id,
                topic=topic,
                on_connect=self._lean_connected,
                on_disconnect=self._lean_disconnected,
                on_messages=self._on_messages,
                username=broker.username,
                password=broker.password,
                session_expiry=session_expiry,
                receive_maximum=receive_maximum,
            )
            # The flusher acknowledges through `client`: the lean subscriber has the same
            # `ack` / `_packet_queue` seam as paho.
            self.client = self.lean
            return
        if client != "paho":
            raise ValueError(f"INGEST_CLIENT must be 'lean' or 'paho', not {client!r}")
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if broker.username:
            self.client.username_pw_set(broker.username, broker.password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # --- network thread ----------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self._new_connection()
        # The persistent session keeps the subscription; subscribing again is harmless.
        client.subscribe(self.topic, qos=1)
        self._say_connected(flags.session_present)

    def _new_connection(self) -> None:
        with self._ack_lock:
            self._generation += 1
            self._connected = True

    def _say_connected(self, session_present: bool) -> None:
        message = (
            f"connected to {self.broker.host}:{self.broker.port} as {self.client_id} "
            f"(session present: {session_present})"
        )
        log.info(message)
        if self.on_connected:
            self.on_connected(message)
        self.connected_once.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        with self._ack_lock:
            self._generation += 1
            self._connected = False
        if not self._stopping.is_set():
            log.warning("MQTT connection lost (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        item = Queued(
            generation=self._generation,
            mid=message.mid,
            qos=message.qos,
            topic=message.topic,
            payload=message.payload,
            received_ms=int(time.time() * 1000),
        )
        # Blocking here is the backpressure: the broker stops sending once ReceiveMaximum
        # messages are unacknowledged. When stopping, a message that finds the queue full
        # is left unacknowledged and comes back on the next session.
        while True:
            try:
                self._queue.put(item, timeout=0.5)
                break
            except queue.Full:
                if self._stopping.is_set():
                    return
        self.stats.received += 1

    # --- the lean client's network thread (see lean.py) ------------------------------

    def _lean_connected(self, session_present: bool) -> None:
        self._new_connection()
        self._say_connected(session_present)

    def _lean_disconnected(self, reason: str) -> None:
        with self._ack_lock:
            self._generation += 1
            self._connected = False

    def _on_messages(self, publishes: list[tuple[int, int, str, bytes]]) -> None:
        """Queue every PUBLISH of one socket read at once (one lock, one wake-up)."""
        generation = self._generation
        received_ms = int(time.time() * 1000)
        items = [
            Queued(generation, mid, qos, topic, payload, received_ms)
            for mid, qos, topic, payload in publishes
        ]
        queued = self._put_many(items)
        self.stats.received += queued

    def _put_many(self, items: list[Queued]) -> int:
        """Bulk `Queue.put` under the queue's own lock; blocks while full (backpressure).

        The socket is not read meanwhile, so the broker stops at ReceiveMaximum
        unacknowledged messages. When stopping, what does not fit stays unacknowledged
        and comes back on the next session.
        """
        q = self._queue
        done = 0
        while done < len(items):
            with q.not_full:
                room = q.maxsize - len(q.queue) if q.maxsize > 0 else len(items)
                if room <= 0:
                    q.not_full.wait(0.5)
                    if self._stopping.is_set():
                        return done
                    if self.lean is not None:
                        self.lean.ping_if_due()
                    continue
                part = items[done : done + room]
                q.queue.extend(part)
                q.unfinished_tasks += len(part)
                q.not_empty.notify()
            done += len(part)
        return done

    def _take(self, batch: list[Queued], count: int) -> None:
        """Bulk `Queue.get_nowait` of up to `count` items into `batch` (one lock)."""
        q = self._queue
        with q.mutex:
            pending = q.queue
            count = min(count, len(pending))
            if not count:
                return
            popleft = pending.popleft
            batch.extend([popleft() for _ in range(count)])
            q.not_full.notify_all()

    # --- flusher thread --------------------------------------------------------------

    def _collect(self) -> list[Queued]:
        try:
            batch = [self._queue.get(timeout=self.flush_seconds)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.flush_seconds
        # Backlogged: take more than a normal batch so we can catch up.
        target = min(self.batch_max, max(self.batch_size, self._queue.qsize() + 1))
        while len(batch) < target:
            self._take(batch, target - len(batch))
            if len(batch) >= target:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._stopping.is_set():
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _handover(self, batch: list[Queued]) -> bool:
        messages = [(item.topic, item.payload, item.received_ms) for item in batch]
        delay = 0.5
        attempts = 0
        while True:
            attempts += 1
            try:
                summary = self.sink(messages)
                break
            except Exception:
                self.stats.handover_errors += 1
                log.exception("handing over a batch of %d messages failed", len(batch))
                if self._stopping.is_set() and attempts >= 3:
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 10)
        self.stats.batches += 1
        if summary:
            self.stats.inserted += summary.get("inserted", 0)
            self.stats.duplicates += summary.get("duplicates", 0)
            self.stats.dead_letters += summary.get("dead_letters", 0)
        return True

    def _ack(self, batch: list[Queued]) -> None:
        with self._ack_lock:
            mids = []
            for item in batch:
                if item.qos == 0:
                    continue
                if not self._connected or item.generation != self._generation:
                    # Its message id belongs to a closed connection; the broker redelivers it.
                    self.stats.stale += 1
                    continue
                if item.qos == 1:
                    mids.append(item.mid)
                else:
                    self.client.ack(item.mid, item.qos)
                self.stats.acked += 1
            self._send_pubacks(mids)

    def _send_pubacks(self, mids: list[int]) -> None:
        """All the PUBACKs of a batch as one write.

        `client.ack()` queues one packet per message and wakes the network thread for
        each: two system calls per message, about a third of the ingester's CPU at 12k
        msg/s. A PUBACK is 4 bytes (MQTT 5 allows leaving out a success reason code), so
        the batch's acknowledgements go out as one packet through paho's own queue (it
        keeps the write ordered with everything else paho sends); should a paho release
        drop that private method, we fall back to one `ack()` per message.
        """
        if not mids:
            return
        queue_packet = getattr(self.client, "_packet_queue", None)
        if queue_packet is None:
            for mid in mids:
                self.client.ack(mid, 1)
            return
        packet = b"".join([_PUBACK.pack(0x40, 2, mid) for mid in mids])
        queue_packet(0x40, packet, 0, 0)

    def _flush(self, batch: list[Queued]) -> None:
        if self._handover(batch):
            self._ack(batch)

    def _run_flusher(self) -> None:
        while not self._stopping.is_set():
            batch = self._collect()
            if batch:
                self._flush(batch)
        # Last flush of what was queued when we were told to stop.
        while True:
            batch = []
            self._take(batch, self.batch_max)
            if not batch:
                return
            self._flush(batch)

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        if self.lean is not None:
            self._flusher.start()
            self.lean.start()
            return
        connect = Properties(PacketTypes.CONNECT)
        connect.SessionExpiryInterval = self.session_expiry
        connect.ReceiveMaximum = self.receive_maximum
        # clean_start=False: a restarted ingester resumes its session and gets what the
        # broker queued meanwhile (paho's default would wipe it on the first connect).
        self.client.connect_async(
            self.broker.host,
            self.broker.port,
            keepalive=30,
            clean_start=False,
            properties=connect,
        )
        self._flusher.start()
        self.client.loop_start()

    def stop(self, *, leave_group: bool = False) -> None:
        """Flush and acknowledge what is queued, then DISCONNECT.

        With `leave_group`, the session expires at once, so the shared subscription no
        longer sends this member a share (scaling down for good).
        """
        self._stopping.set()
        self._flusher.join()
        if self.lean is not None:
            self.lean.stop(leave_group=leave_group)
            return
        properties = None
        if leave_group:
            properties = Properties(PacketTypes.DISCONNECT)
            properties.SessionExpiryInterval = 0
        self.client.disconnect(properties=properties)
        self.client.loop_stop()
