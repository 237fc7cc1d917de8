"""Device authentication at the broker: the generated password/ACL files on a real Mosquitto."""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.core.management import CommandError, call_command

from infrastructure import services
from infrastructure.mqtt_auth import mosquitto_password_hash
from tests.infrastructure.factories import AssetFactory
from tests.infrastructure.processes import MOSQUITTO, free_port

pytestmark = pytest.mark.django_db

INGEST_USER, INGEST_PASSWORD = "ingest", "sandi-ingester-uji"


def test_hash_matches_the_mosquitto_format():
    salt = bytes(range(12))
    value = mosquitto_password_hash("rahasia", salt=salt)
    kind, iterations, salt_b64, derived_b64 = value.split("$")[1:]
    assert (kind, iterations) == ("7", "101")
    assert base64.b64decode(salt_b64) == salt
    assert base64.b64decode(derived_b64) == hashlib.pbkdf2_hmac("sha512", b"rahasia", salt, 101)
    assert mosquitto_password_hash("rahasia") != mosquitto_password_hash("rahasia")  # salted


def test_command_needs_the_ingester_credentials(settings, tmp_path):
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    with pytest.raises(CommandError, match="pengguna dan kata sandi"):
        call_command(
            "mqtt_auth_files",
            password_file=tmp_path / "passwd",
            acl_file=tmp_path / "acl",
        )
    assert not (tmp_path / "passwd").exists()


def _broker(tmp_path: Path, port: int) -> subprocess.Popen:
    config = tmp_path / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        f"password_file {tmp_path / 'passwd'}\n"
        f"acl_file {tmp_path / 'acl'}\n"
        "persistence false\n"
        # Run as root (CI), Mosquitto would switch to its own user, which cannot read
        # pytest's private tmp dir; as another user this line changes nothing.
        "user root\n"
    )
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.terminate()
    pytest.fail("the test broker did not start")


def _connect(port: int, user: str, password: str) -> tuple[mqtt.Client, object]:
    connected = threading.Event()
    outcome: dict[str, object] = {}

    def on_connect(client, userdata, flags, reason_code, properties):
        outcome["reason"] = reason_code
        connected.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(user, password)
    client.on_connect = on_connect
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert connected.wait(5), "no CONNACK"
    return client, outcome["reason"]


def test_devices_publish_only_their_own_topic(settings, tmp_path):
    settings.MQTT_URL = f"mqtt://{INGEST_USER}:{INGEST_PASSWORD}@127.0.0.1:1883"
    asset = AssetFactory()
    mine, my_secret = services.device_create(asset=asset, name="Sensor A", metrics=[])
    other, other_secret = services.device_create(asset=asset, name="Sensor B", metrics=[])
    rotated_secret = services.device_secret_rotate(device=other)
    call_command("mqtt_auth_files", password_file=tmp_path / "passwd", acl_file=tmp_path / "acl")
    port = free_port()
    broker = _broker(tmp_path, port)
    try:
        received: list[str] = []
        reader, reason = _connect(port, INGEST_USER, INGEST_PASSWORD)
        assert not reason.is_failure
        reader.on_message = lambda client, userdata, message: received.append(message.topic)
        reader.subscribe("$share/ingest/portal/v1/devices/+/telemetry", qos=1)
        time.sleep(0.3)

        _client, reason = _connect(port, mine.key, "salah")
        assert reason.is_failure  # wrong secret: refused at CONNECT
        _client.loop_stop()
        _client, reason = _connect(port, other.key, other_secret)
        assert reason.is_failure  # the secret before rotation no longer works
        _client.loop_stop()

        device, reason = _connect(port, mine.key, my_secret)
        assert not reason.is_failure
        device.publish(
            f"portal/v1/devices/{mine.key}/telemetry", b'{"x": 1}', qos=1
        ).wait_for_publish(5)
        # Forging another device's readings: the broker drops it (ACL).
        device.publish(
            f"portal/v1/devices/{other.key}/telemetry", b'{"x": 2}', qos=1
        ).wait_for_publish(5)
        rotated, reason = _connect(port, other.key, rotated_secret)
        assert not reason.is_failure
        rotated.publish(
            f"portal/v1/devices/{other.key}/telemetry", b'{"x": 3}', qos=1
        ).wait_for_publish(5)
        deadline = time.monotonic() + 5
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert sorted(received) == sorted(
            [f"portal/v1/devices/{mine.key}/telemetry", f"portal/v1/devices/{other.key}/telemetry"]
        )
        for client in (reader, device, rotated):
            client.disconnect()
            client.loop_stop()
    finally:
        broker.terminate()
        broker.wait(timeout=5)
