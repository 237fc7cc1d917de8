"""Device secrets: shown once, stored only as a hash, rotatable; online state."""

from __future__ import annotations

import datetime

from django.utils import timezone

from infrastructure.models import HourlyRollup, LatestValue, Metric, Reading
from infrastructure.services import device_create, device_secret_rotate, readings_ingest
from portal.models import Activity
from tests.infrastructure.conftest import topic
from tests.infrastructure.factories import AssetFactory, DeviceFactory


def test_a_new_device_gets_a_secret_that_is_stored_only_as_a_hash(db, pegawai_with_mfa):
    device, secret = device_create(
        asset=AssetFactory(),
        name="Sensor baru",
        key="dev-baru-1",
        metrics=[{"name": "strain", "unit": "µε"}],
        actor=pegawai_with_mfa,
    )
    assert len(secret) >= 40
    assert secret not in device.secret_hash
    assert device.check_secret(secret)
    assert not device.check_secret("tebakan")
    assert list(Metric.objects.filter(device=device).values_list("name", flat=True)) == ["strain"]
    assert Activity.objects.filter(verb="infrastructure.device_created").count() == 1


def test_rotating_the_secret_invalidates_the_old_one(db, pegawai_with_mfa):
    device, old = device_create(asset=AssetFactory(), name="Sensor", key="dev-rotasi-1")
    new = device_secret_rotate(device=device, actor=pegawai_with_mfa)
    device.refresh_from_db()
    assert new != old
    assert device.check_secret(new) and not device.check_secret(old)
    assert Activity.objects.filter(verb="infrastructure.device_secret_rotated").exists()


def test_a_device_goes_offline_after_its_silence_limit(db):
    device = DeviceFactory(offline_after=60)
    assert not device.is_online()
    now = timezone.now()
    device.last_seen = now - datetime.timedelta(seconds=59)
    assert device.is_online(now)
    device.last_seen = now - datetime.timedelta(seconds=61)
    assert not device.is_online(now)


def test_deleting_a_device_deletes_its_readings_and_rollups(sensor, now_ms):
    other = DeviceFactory(key="dev-lain-1")
    Metric.objects.create(device=other, name="strain")
    readings_ingest(
        messages=[
            (topic("dev-pasupati-1"), b'{"strain": 1, "deck_temp": 2}', now_ms),
            (topic("dev-lain-1"), b'{"strain": 3}', now_ms),
        ],
        now_ms=now_ms,
    )
    sensor.delete()
    assert list(Reading.objects.values_list("value", flat=True)) == [3.0]
    assert HourlyRollup.objects.count() == 1 and LatestValue.objects.count() == 1
