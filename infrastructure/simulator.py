"""Plausible sensor signals for the demo assets, with occasional anomalies.

Each metric name has a signal model: bridge strain and vibration follow the city's
traffic (rush hours), deck temperature follows the sun, the culvert's water level
follows rain events, street-light power follows the night. About one reading in 500 is
an anomaly (a spike, a surge, a failed lamp) so alarms and charts have something to show.
"""

from __future__ import annotations

import datetime
import json
import math
import random
import zoneinfo

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
ANOMALY_RATE = 0.002


def _local_hour(ts_ms: int) -> float:
    local = datetime.datetime.fromtimestamp(ts_ms / 1000, JAKARTA)
    return local.hour + local.minute / 60 + local.second / 3600


def _traffic(hour: float) -> float:
    """0..1: rush hours around 07:30 and 17:30, quiet at night."""
    morning = math.exp(-(((hour - 7.5) / 1.5) ** 2))
    evening = math.exp(-(((hour - 17.5) / 2.0) ** 2))
    day = 0.35 if 6 <= hour <= 22 else 0.05
    return min(1.0, day + 0.65 * max(morning, evening))


def value(metric: str, ts_ms: int, rng: random.Random) -> float:
    hour = _local_hour(ts_ms)
    anomaly = rng.random() < ANOMALY_RATE
    if metric == "strain":  # µε
        base = 80 + 140 * _traffic(hour) + rng.gauss(0, 12)
        return round(base * (3 if anomaly else 1), 2)
    if metric == "vibration":  # mm/s
        base = 0.4 + 2.2 * _traffic(hour) * rng.random() + abs(rng.gauss(0, 0.2))
        return round(base + (9 if anomaly else 0), 3)
    if metric == "deck_temp":  # °C
        return round(25 + 9 * math.sin((hour - 7) / 24 * 2 * math.pi) + rng.gauss(0, 0.4), 2)
    if metric == "water_level":  # cm
        rain = max(0.0, math.sin(ts_ms / 3_600_000 / 5)) ** 4  # a rain event every ~30 h
        return round(55 + 110 * rain + rng.gauss(0, 2) + (120 if anomaly else 0), 1)
    if metric == "power":  # W
        night = hour >= 18 or hour < 6
        if not night:
            return round(max(0.0, rng.gauss(1.5, 0.3)), 1)
        return 0.0 if anomaly else round(rng.gauss(148, 4), 1)
    return round(rng.gauss(0, 1), 3)


def telemetry_payload(metrics: list[str], ts_ms: int, rng: random.Random) -> bytes:
    values = {name: value(name, ts_ms, rng) for name in metrics}
    return json.dumps({"ts": ts_ms, "values": values}, separators=(",", ":")).encode()
