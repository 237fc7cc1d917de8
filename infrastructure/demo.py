"""Demo data: monitored public assets of Kota Bandung with their sensors and a day of history.

Idempotent: assets, devices and metrics are found by their codes and keys; history is
only back-filled for a device that has no readings yet.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from infrastructure import services, simulator
from infrastructure.models import Asset, Device, Metric, Reading
from portal.models import Region

BRIDGE_METRICS = [
    {
        "name": "strain",
        "label": "Regangan gelagar",
        "unit": "µε",
        "expected_min": 0,
        "expected_max": 350,
    },
    {"name": "vibration", "label": "Getaran", "unit": "mm/s", "expected_min": 0, "expected_max": 6},
    {
        "name": "deck_temp",
        "label": "Suhu lantai jembatan",
        "unit": "°C",
        "expected_min": 10,
        "expected_max": 50,
    },
]
WATER_METRICS = [
    {
        "name": "water_level",
        "label": "Tinggi muka air",
        "unit": "cm",
        "expected_min": 0,
        "expected_max": 180,
    },
]
LIGHT_METRICS = [
    {"name": "power", "label": "Daya lampu", "unit": "W", "expected_min": 0, "expected_max": 200},
]

# (code, kind, name, kelurahan, lat, lon, description, [(device key, device name, metrics)])
ASSETS = [
    (
        "jembatan-pasupati",
        Asset.Kind.BRIDGE,
        "Jembatan Pasupati",
        "Tamansari",
        "-6.899300",
        "107.608900",
        "Jembatan layang kabel (cable-stayed) sepanjang 2,8 km di atas lembah Cikapundung.",
        [("dev-pasupati-1", "Sensor bentang utama", BRIDGE_METRICS)],
    ),
    (
        "jembatan-cikapundung",
        Asset.Kind.BRIDGE,
        "Jembatan Cikapundung",
        "Braga",
        "-6.921400",
        "107.607500",
        "Jembatan Jalan Asia Afrika di atas Sungai Cikapundung.",
        [("dev-cikapundung-1", "Sensor gelagar", BRIDGE_METRICS)],
    ),
    (
        "gorong-gorong-babakan-ciamis",
        Asset.Kind.DRAINAGE,
        "Gorong-gorong Sungai Cikapundung, Babakan Ciamis",
        "Babakan Ciamis",
        "-6.913800",
        "107.606100",
        "Gorong-gorong dengan sensor tinggi muka air untuk peringatan banjir.",
        [("dev-culvert-cikapundung-1", "Sensor tinggi muka air", WATER_METRICS)],
    ),
    (
        "pju-jalan-braga",
        Asset.Kind.STREET_LIGHT,
        "Penerangan Jalan Umum Jalan Braga",
        "Braga",
        "-6.917500",
        "107.609500",
        "Dua panel lampu jalan di sepanjang Jalan Braga.",
        [
            ("dev-pju-braga-1", "Panel PJU Braga utara", LIGHT_METRICS),
            ("dev-pju-braga-2", "Panel PJU Braga selatan", LIGHT_METRICS),
        ],
    ),
    (
        "gedung-sate",
        Asset.Kind.BUILDING,
        "Gedung Sate",
        "Citarum",
        "-6.902500",
        "107.618800",
        "Gedung pemerintahan bersejarah (tanpa sensor).",
        [],
    ),
]

HISTORY_HOURS = 24
HISTORY_STEP_MS = 5 * 60 * 1000


def seed(*, stdout, rng: random.Random) -> None:
    regions = {
        region.name: region
        for region in Region.objects.filter(
            level=Region.Level.KELURAHAN, name__in={spec[3] for spec in ASSETS}
        )
    }
    new_devices = []
    for code, kind, name, kelurahan, lat, lon, description, devices in ASSETS:
        asset, _ = Asset.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "kelurahan": regions.get(kelurahan),
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "description": description,
            },
        )
        for key, device_name, metrics in devices:
            device = Device.objects.filter(key=key).first()
            if device is None:
                device, _secret = services.device_create(
                    asset=asset, name=device_name, key=key, metrics=metrics
                )
            else:
                for fields in metrics:
                    Metric.objects.get_or_create(
                        device=device, name=fields["name"], defaults=fields
                    )
            if not Reading.objects.filter(metric__device=device).exists():
                new_devices.append(device)
    if new_devices:
        _backfill(new_devices, rng)
    stdout.write(
        f"infrastructure: {Asset.objects.count()} assets, {Device.objects.count()} devices, "
        f"history back-filled for {len(new_devices)}"
    )


def _backfill(devices: list[Device], rng: random.Random) -> None:
    """A day of readings every five minutes, through the ingestion path itself."""
    now_ms = int(time.time() * 1000)
    start = now_ms - HISTORY_HOURS * 3_600_000
    messages = []
    for device in devices:
        names = list(device.metrics.values_list("name", flat=True))
        topic = f"portal/v1/devices/{device.key}/telemetry"
        for ts in range(start - start % HISTORY_STEP_MS, now_ms, HISTORY_STEP_MS):
            messages.append((topic, simulator.telemetry_payload(names, ts, rng), now_ms))
    services.readings_ingest(messages=messages, now_ms=now_ms)
