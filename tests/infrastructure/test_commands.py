"""Operator commands: the demo seeder and the sensor simulator in the embedded mode."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import CommandError, call_command

from infrastructure import demo
from infrastructure.models import Asset, DeadLetter, Device, LatestValue, Reading


def test_demo_seed_is_idempotent_and_backfills_a_day_of_history(db):
    demo.seed(stdout=io.StringIO(), rng=random.Random(1))
    counts = Asset.objects.count(), Device.objects.count(), Reading.objects.count()
    demo.seed(stdout=io.StringIO(), rng=random.Random(1))
    assert (Asset.objects.count(), Device.objects.count(), Reading.objects.count()) == counts
    assert Asset.objects.filter(name="Jembatan Pasupati").exists()
    assert counts[2] > 2000
    assert LatestValue.objects.count() == 9  # every metric of the five devices
    assert not DeadLetter.objects.exists()


def test_simulate_sensors_feeds_the_ingestion_path_directly(db, settings):
    settings.MQTT_URL = ""
    demo.seed(stdout=io.StringIO(), rng=random.Random(1))
    before = Reading.objects.count()
    out = io.StringIO()
    call_command("simulate_sensors", rate=50, duration=0.5, seed=3, stdout=out)
    assert Reading.objects.count() > before
    assert "stored" in out.getvalue()


def test_simulate_sensors_refuses_to_run_without_devices(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("simulate_sensors", duration=0.1, inline=True)
