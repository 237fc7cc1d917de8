"""Demo data: public assets of Kota Bandung with their sensors, a day of history,
inspections with conditions, and public works projects with monthly progress reports.

Idempotent: assets, devices, metrics and projects are found by their codes and keys;
history, inspections and reports are only added where there are none yet. Project
dates are relative to today, so the S-curves always show a project under way.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from infrastructure import services, simulator
from infrastructure.models import Asset, Device, Inspection, Metric, Project, Reading
from portal.models import OrgUnit, Region, User

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
    (
        "jalan-ir-h-juanda",
        Asset.Kind.ROAD,
        "Jalan Ir. H. Juanda (Dago), ruas Simpang Dago-Terminal Dago",
        "Dago",
        "-6.885000",
        "107.613500",
        "Jalan kota 2,3 km, perkerasan aspal, lalu lintas padat terutama akhir pekan.",
        [],
    ),
    (
        "jalan-bkr",
        Asset.Kind.ROAD,
        "Jalan BKR, ruas Jalan Moh. Toha-Jalan Buahbatu",
        "Lingkar Selatan",
        "-6.940500",
        "107.617000",
        "Jalan kota 1,8 km dengan saluran drainase di kedua sisi.",
        [],
    ),
]

# code: (criticality, traffic weight, [(days ago, condition, findings)] oldest first)
CONDITIONS = {
    "jembatan-pasupati": (
        5,
        5,
        [
            (400, 1, "Retak rambut pada lapisan aus; kabel dan angkur baik."),
            (60, 2, "Korosi ringan pada sambungan siar muai sisi timur; perlu pemantauan."),
        ],
    ),
    "jembatan-cikapundung": (
        4,
        4,
        [
            (380, 2, "Rembesan air pada kepala jembatan barat."),
            (45, 3, "Gerusan pada pilar tengah setelah banjir; perlu perbaikan."),
        ],
    ),
    "gorong-gorong-babakan-ciamis": (
        4,
        2,
        [
            (200, 3, "Sedimentasi sekitar 30% penampang."),
            (30, 4, "Sedimentasi 60% penampang, dinding retak di dua titik."),
        ],
    ),
    "pju-jalan-braga": (2, 4, [(90, 2, "Dua tiang berkarat di pangkal; lampu menyala semua.")]),
    "gedung-sate": (3, 3, [(150, 2, "Talang atap sayap utara bocor ringan.")]),
    "jalan-ir-h-juanda": (
        4,
        5,
        [
            (420, 62, "Retak buaya setempat dekat Simpang Dago."),
            (20, 38, "Lubang 14 titik dan alur roda sepanjang 300 m; perlu pemeliharaan berkala."),
        ],
    ),
    "jalan-bkr": (3, 4, [(75, 55, "Tambalan tidak rata dan retak memanjang di tepi saluran.")]),
}

# (code, title, kind, status, kelurahan, lat, lon, asset code, budget, contract,
#  start offset in months from this month, duration in months, pace, contractor, description)
PROJECTS = [
    (
        "peningkatan-jalan-juanda-2026",
        "Peningkatan Jalan Ir. H. Juanda (Dago)",
        Project.Type.REHABILITATION,
        Project.Status.IMPLEMENTATION,
        "Dago",
        "-6.885000",
        "107.613500",
        "jalan-ir-h-juanda",
        18_750_000_000,
        17_412_500_000,
        -7,
        10,
        0.72,
        "PT Karya Priangan Utama",
        "Pelapisan ulang aspal, perbaikan drainase dan trotoar sepanjang 2,3 km.",
    ),
    (
        "rehabilitasi-jembatan-cikapundung",
        "Rehabilitasi Jembatan Cikapundung Jalan Asia Afrika",
        Project.Type.REHABILITATION,
        Project.Status.IMPLEMENTATION,
        "Braga",
        "-6.921400",
        "107.607500",
        "jembatan-cikapundung",
        6_400_000_000,
        5_985_000_000,
        -4,
        8,
        0.97,
        "CV Citarum Konstruksi",
        "Perkuatan pilar tengah, penggantian siar muai dan pengecatan ulang rangka.",
    ),
    (
        "kolam-retensi-cigadung",
        "Pembangunan Kolam Retensi Cigadung",
        Project.Type.CONSTRUCTION,
        Project.Status.COMPLETED,
        "Cigadung",
        "-6.874300",
        "107.625800",
        None,
        9_200_000_000,
        8_830_000_000,
        -16,
        9,
        1.0,
        "PT Tirta Parahyangan",
        "Kolam retensi 4.500 m³ untuk mengurangi genangan di Jalan Cigadung Raya.",
    ),
    (
        "pju-led-ciumbuleuit",
        "Penggantian Lampu PJU ke LED Kawasan Ciumbuleuit",
        Project.Type.REPLACEMENT,
        Project.Status.IMPLEMENTATION,
        "Ciumbuleuit",
        "-6.878000",
        "107.604000",
        None,
        2_150_000_000,
        1_998_000_000,
        -3,
        5,
        1.08,
        "PT Terang Nusantara",
        "Penggantian 640 lampu jalan sodium dengan LED dan panel surya di 12 ruas.",
    ),
    (
        "revitalisasi-trotoar-bkr",
        "Revitalisasi Trotoar dan Drainase Jalan BKR",
        Project.Type.REHABILITATION,
        Project.Status.PREPARATION,
        "Lingkar Selatan",
        "-6.940500",
        "107.617000",
        "jalan-bkr",
        11_300_000_000,
        None,
        1,
        8,
        0.0,
        "",
        "Trotoar ramah difabel dan saluran tertutup sepanjang 1,8 km (tahap perencanaan).",
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
    agency = OrgUnit.objects.filter(code="PUPR").first() or OrgUnit.objects.create(
        code="PUPR", name="Dinas PUPR", address="Jl. Wastukencana No. 2, Bandung"
    )
    Asset.objects.filter(agency__isnull=True).update(agency=agency)
    inspections = _inspections()
    projects = _projects(agency)
    stdout.write(
        f"infrastructure: {Asset.objects.count()} assets, {Device.objects.count()} devices, "
        f"history back-filled for {len(new_devices)}, {inspections} inspections, "
        f"{projects} projects"
    )


def _official() -> User:
    official = User.objects.filter(email__startswith="pejabat.pupr@").first()
    return official or User.objects.filter(is_superuser=True).first()


def _inspections() -> int:
    inspector = _official()
    if inspector is None:
        return 0
    today = timezone.localdate()
    added = 0
    for code, (criticality, traffic, visits) in CONDITIONS.items():
        asset = Asset.objects.filter(code=code).first()
        if asset is None:
            continue
        Asset.objects.filter(pk=asset.pk).update(criticality=criticality, traffic_weight=traffic)
        if Inspection.objects.filter(asset=asset).exists():
            continue
        for days_ago, value, findings in visits:
            services.inspection_record(
                asset=asset,
                inspector=inspector,
                inspected_on=today - datetime.timedelta(days=days_ago),
                findings=findings,
                condition=value,
            )
            added += 1
    return added


def _s_curve(fraction: float) -> float:
    """Cumulative progress of a typical works contract: slow start, fast middle, slow end."""
    return 100 / (1 + math.exp(-10 * (fraction - 0.5)))


def _projects(agency: OrgUnit) -> int:
    official = _official()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    names = {spec[4] for spec in PROJECTS}
    regions = {
        r.name: r for r in Region.objects.filter(level=Region.Level.KELURAHAN, name__in=names)
    }
    for (
        code,
        title,
        kind,
        status,
        kelurahan,
        lat,
        lon,
        asset_code,
        budget,
        contract,
        offset,
        months,
        pace,
        contractor,
        description,
    ) in PROJECTS:
        start = this_month + relativedelta(months=offset)
        end = start + relativedelta(months=months) - datetime.timedelta(days=1)
        begun = status in (Project.Status.IMPLEMENTATION, Project.Status.COMPLETED)
        finished = status == Project.Status.COMPLETED
        project, _created = Project.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "project_type": kind,
                "status": status,
                "agency": agency,
                "asset": Asset.objects.filter(code=asset_code).first() if asset_code else None,
                "contractor": contractor,
                "kelurahan": regions.get(kelurahan),
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "budget": budget,
                "contract_value": contract,
                "planned_start": start,
                "planned_end": end,
                "actual_start": start + datetime.timedelta(days=6) if begun else None,
                "actual_end": end + datetime.timedelta(days=12) if finished else None,
                "description": description,
            },
        )
        if official is None or project.reports.exists():
            continue
        for month in range(1, months + 1):
            period_end = start + relativedelta(months=month) - datetime.timedelta(days=1)
            planned = _s_curve(month / months) if month < months else 100.0
            actual = None
            if begun and period_end <= today:
                actual = min(100.0, planned * pace) if not finished else planned
            services.progress_report_add(
                project=project,
                actor=official,
                period_end=period_end,
                planned_physical=Decimal(f"{planned:.2f}"),
                planned_financial=Decimal(f"{planned * 0.9:.2f}"),
                actual_physical=None if actual is None else Decimal(f"{actual:.2f}"),
                actual_financial=None if actual is None else Decimal(f"{actual * 0.85:.2f}"),
            )
    return Project.objects.count()


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
