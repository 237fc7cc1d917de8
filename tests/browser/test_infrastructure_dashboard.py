"""A citizen watches a sensor reading published over MQTT appear on the public dashboard."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from infrastructure.ingest.wire import LeanPublisher
from tests.infrastructure.factories import AssetFactory, DeviceFactory, MetricFactory
from tests.infrastructure.processes import MOSQUITTO, IngesterProcess, mosquitto

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(MOSQUITTO), reason="mosquitto is not installed"),
]


@pytest.fixture
def empty_readings(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM infrastructure_reading")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM infrastructure_reading")


def test_a_reading_published_over_mqtt_appears_on_the_public_dashboard(
    page: Page, live_server, empty_readings, tmp_path, console_log
):
    if connection.vendor != "postgresql":
        pytest.skip("the ingester subprocess needs a shared database (PostgreSQL)")
    asset = AssetFactory(name="Jembatan Pasupati")
    device = DeviceFactory(asset=asset, key="dev-browser-1", name="Sensor bentang utama")
    strain = MetricFactory(device=device, name="strain", label="Regangan", unit="µε")

    with mosquitto(tmp_path) as port:
        ingester = IngesterProcess(port, tmp_path / "ingest.log")
        try:
            ingester.wait_connected()
            page.goto(f"{live_server.url}/infrastruktur/")
            reading = page.locator(f'[data-metric="{strain.pk}"]')
            expect(reading).to_contain_text("belum ada data")

            publisher = LeanPublisher("127.0.0.1", port, "browser-test")
            payload = {"ts": int(time.time() * 1000), "values": {"strain": 271.5}}
            publisher.publish(
                "portal/v1/devices/dev-browser-1/telemetry", json.dumps(payload).encode()
            )
            publisher.close()

            # Ingest (≤ 0.2 s batching) plus one htmx poll (2 s), without reloading the page.
            expect(reading.locator(".infra-value")).to_have_attribute(
                "value", "271.5", timeout=8000
            )
            expect(page.locator(".infra-online").first).to_be_visible()
        finally:
            assert ingester.stop() == 0
    assert console_log.csp_violations() == []
