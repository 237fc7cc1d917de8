"""Helpers of the alarm tests: readings at chosen times, through the real ingest writer."""

from __future__ import annotations

import datetime
import json

from django.utils import timezone

from infrastructure.alarms.models import AlarmRule, Severity
from infrastructure.services import readings_ingest
from tests.infrastructure.conftest import topic


def epoch_ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def base_time() -> datetime.datetime:
    """Half an hour ago, on a whole second: tests replay the next minutes from there."""
    return (timezone.now() - datetime.timedelta(minutes=30)).replace(microsecond=0)


def feed(
    device_key: str,
    metric: str,
    points: list[tuple[datetime.datetime, float]],
    *,
    received: datetime.datetime | None = None,
) -> None:
    """Store (time, value) readings of one metric as if the device had sent them."""
    received_ms = epoch_ms(received or max(moment for moment, _value in points))
    messages = [
        (
            topic(device_key),
            json.dumps({"ts": epoch_ms(moment), "values": {metric: value}}).encode(),
            received_ms,
        )
        for moment, value in points
    ]
    summary = readings_ingest(messages=messages, now_ms=received_ms)
    assert summary.dead_letters == 0, summary


def every(
    start: datetime.datetime, end: datetime.datetime, seconds: int, value
) -> list[tuple[datetime.datetime, float]]:
    """Readings from start to end inclusive; `value` is a number or a function of the time."""
    points = []
    moment = start
    while moment <= end:
        points.append((moment, value(moment) if callable(value) else value))
        moment += datetime.timedelta(seconds=seconds)
    return points


def rule(**fields) -> AlarmRule:
    defaults = {
        "name": "Regangan tinggi",
        "kind": AlarmRule.Kind.ABOVE,
        "severity": Severity.MAJOR,
        "threshold": 300.0,
        "duration_minutes": 0,
    }
    defaults.update(fields)
    made = AlarmRule(**defaults)
    made.full_clean()
    made.save()
    return made


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)
