"""/healthz reports each service the portal depends on; any one down makes it a 503."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: bound by us, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_services(settings):
    """The suite runs against PostgreSQL, Redis and Mosquitto; these checks need all three."""
    if (
        not (settings.REDIS_URL and settings.MQTT_URL)
        or "sqlite" in settings.DATABASES["default"]["ENGINE"]
    ):
        pytest.fail("run with DATABASE_URL, REDIS_URL and MQTT_URL set (see README)")
    return settings


def _statuses(response) -> dict[str, str]:
    return {name: service["status"] for name, service in response.json()["services"].items()}


def test_healthz_is_ok_when_every_service_is_up(client, real_services):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"
    assert _statuses(response) == {"database": "ok", "redis": "ok", "mqtt": "ok"}


def test_healthz_is_never_cached(client, real_services):
    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_with_redis_down(client, real_services, closed_port):
    real_services.REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert _statuses(response) == {"database": "ok", "redis": "down", "mqtt": "ok"}


def test_healthz_is_503_with_the_mqtt_broker_down(client, real_services, closed_port):
    real_services.MQTT_URL = f"mqtt://127.0.0.1:{closed_port}"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert _statuses(response) == {"database": "ok", "redis": "ok", "mqtt": "down"}


def test_a_port_that_accepts_but_never_answers_mqtt_counts_as_down(client, real_services):
    """A wedged broker still accepts sockets: only a CONNACK counts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        real_services.MQTT_URL = f"mqtt://127.0.0.1:{silent.getsockname()[1]}"

        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["services"]["mqtt"] == {
        "status": "down",
        "error": "TimeoutError",
        "ms": pytest.approx(2000, abs=1000),
    }


def test_healthz_in_the_embedded_mode_reports_redis_and_mqtt_as_not_configured(client, settings):
    settings.REDIS_URL = ""
    settings.MQTT_URL = ""

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert _statuses(response) == {
        "database": "ok",
        "redis": "not_configured",
        "mqtt": "not_configured",
    }


def test_healthz_does_not_need_a_signed_in_user_even_for_staff_without_mfa(client, pegawai_user):
    client.force_login(pegawai_user)

    assert client.get(reverse("healthz")).status_code == 200
