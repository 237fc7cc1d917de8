"""Health of the services the portal depends on, for load balancers and operators."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import redis
from django.conf import settings
from django.db import connection

TIMEOUT_S = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()


def _check_mqtt() -> None:
    """A full MQTT CONNECT/CONNACK, not only a TCP connect: a wedged broker still accepts sockets."""
    url = urlsplit(settings.MQTT_URL)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="", protocol=mqtt.MQTTv5)
    if url.username:
        client.username_pw_set(url.username, url.password)
    connected: list[bool] = []
    client.on_connect = lambda c, u, flags, reason, props: connected.append(not reason.is_failure)
    client.connect(url.hostname or "127.0.0.1", url.port or 1883, keepalive=10)
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while not connected and time.monotonic() < deadline:
            client.loop(timeout=0.1)
    finally:
        client.disconnect()
    if not connected:
        raise TimeoutError("no CONNACK from the MQTT broker")
    if not connected[0]:
        raise ConnectionError("the MQTT broker refused the connection")


def check_all() -> dict:
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    if settings.MQTT_URL:
        checks["mqtt"] = _check_mqtt
    services: dict[str, dict] = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # any failure of a dependency means it is down
            services[name] = {"status": "down", "error": type(error).__name__}
        else:
            services[name] = {"status": "ok"}
        services[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    for name in ("redis", "mqtt"):
        services.setdefault(name, {"status": "not_configured"})
    status = "ok" if all(s["status"] != "down" for s in services.values()) else "down"
    return {"status": status, "services": services}
