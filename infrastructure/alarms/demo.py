"""Demo alarm rules for the demo assets (infrastructure/demo.py), found by name: idempotent.

Thresholds sit above the simulator's normal signals, so alarms come from its anomalies
and rain events; the duration keeps one-reading spikes from raising strain alarms.
"""

from __future__ import annotations

import random

from django.contrib.auth.models import Group

from infrastructure.alarms import rules
from infrastructure.alarms.models import AlarmRule, Severity
from infrastructure.models import Asset

RULES = [
    {
        "name": "Regangan gelagar jembatan tinggi",
        "description": "Regangan di atas 300 µε selama 2 menit; kritis di atas 400 µε.",
        "kind": AlarmRule.Kind.ABOVE,
        "asset_kind": Asset.Kind.BRIDGE,
        "metric_name": "strain",
        "severity": Severity.MAJOR,
        "threshold": 300,
        "duration_minutes": 2,
        "clear_threshold": 260,
        "escalated_severity": Severity.CRITICAL,
        "escalated_threshold": 400,
    },
    {
        "name": "Getaran jembatan berlebih",
        "description": "Getaran di atas 6 mm/s; pulih di bawah 4 mm/s.",
        "kind": AlarmRule.Kind.ABOVE,
        "asset_kind": Asset.Kind.BRIDGE,
        "metric_name": "vibration",
        "severity": Severity.MINOR,
        "threshold": 6,
        "duration_minutes": 0,
        "clear_threshold": 4,
    },
    {
        "name": "Tinggi muka air gorong-gorong",
        "description": "Muka air di atas 150 cm selama 2 menit; kritis di atas 170 cm.",
        "kind": AlarmRule.Kind.ABOVE,
        "asset_kind": Asset.Kind.DRAINAGE,
        "metric_name": "water_level",
        "severity": Severity.MAJOR,
        "threshold": 150,
        "duration_minutes": 2,
        "clear_threshold": 140,
        "escalated_severity": Severity.CRITICAL,
        "escalated_threshold": 170,
    },
    {
        "name": "Muka air naik cepat",
        "description": "Muka air berubah lebih dari 3 cm per menit dalam 10 menit terakhir.",
        "kind": AlarmRule.Kind.RATE,
        "asset_kind": Asset.Kind.DRAINAGE,
        "metric_name": "water_level",
        "severity": Severity.WARNING,
        "threshold": 3,
        "duration_minutes": 10,
        "clear_threshold": 1,
    },
    *(
        {
            "name": f"Sensor {label} luring",
            "description": "Perangkat tidak mengirim data melewati batas luringnya.",
            "kind": AlarmRule.Kind.OFFLINE,
            "asset_kind": kind,
            "severity": Severity.WARNING,
        }
        for kind, label in [
            (Asset.Kind.BRIDGE, "jembatan"),
            (Asset.Kind.DRAINAGE, "gorong-gorong"),
            (Asset.Kind.STREET_LIGHT, "PJU"),
        ]
    ),
]


def seed(*, stdout, rng: random.Random) -> None:
    officials, _created = Group.objects.get_or_create(name="pejabat")
    created = 0
    for fields in RULES:
        rule, was_created = AlarmRule.objects.get_or_create(
            name=fields["name"], defaults={key: v for key, v in fields.items() if key != "name"}
        )
        if was_created:
            rule.full_clean()
            created += 1
            rule.responsible_groups.add(officials)
    outcome = rules.alarms_evaluate()
    stdout.write(
        f"alarms: {AlarmRule.objects.count()} rules ({created} new), "
        f"{outcome.raised} alarm(s) raised on the demo history"
    )
