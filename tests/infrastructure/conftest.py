"""Fixtures of the infrastructure tests: a bridge sensor with two metrics, clean caches."""

from __future__ import annotations

import time

import pytest

from infrastructure.ingest import partitions
from infrastructure.ingest.directory import directory
from tests.infrastructure.factories import DeviceFactory, MetricFactory
from tests.infrastructure.project_factories import UnitFactory, official


@pytest.fixture(autouse=True)
def _fresh_ingest_caches():
    """The device directory and known partitions are per process: tests must not share them."""
    directory.clear()
    partitions.forget_known_partitions()
    yield
    directory.clear()
    partitions.forget_known_partitions()


@pytest.fixture
def sensor(db):
    """A bridge sensor `dev-pasupati-1` measuring strain and deck temperature."""
    device = DeviceFactory(key="dev-pasupati-1", name="Sensor Pasupati")
    MetricFactory(device=device, name="strain", unit="µε")
    MetricFactory(device=device, name="deck_temp", unit="°C")
    return device


@pytest.fixture
def now_ms() -> int:
    return int(time.time() * 1000)


def topic(key: str) -> str:
    return f"portal/v1/devices/{key}/telemetry"


@pytest.fixture
def empty_readings(transactional_db):
    """Transactional tests flush managed tables only; the readings table is unmanaged."""
    from django.db import connection

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM infrastructure_reading")
            if connection.vendor == "postgresql":
                cursor.execute("DELETE FROM infrastructure_rollupdelta")

    empty()
    yield
    empty()


@pytest.fixture
def pupr(db):
    """The public-works unit (Dinas PUPR)."""
    return UnitFactory(code="PUPR", name="Dinas PUPR")


@pytest.fixture
def pejabat(pupr):
    """A public-works official of PUPR (the pejabat role, MFA set up)."""
    return official(pupr)
