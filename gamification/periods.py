"""Periods in the citizen's own zone: a daily mission resets at *their* local midnight."""

from __future__ import annotations

import datetime
import functools
import zoneinfo

from django.utils import timezone

DEFAULT_ZONE = "Asia/Jakarta"


@functools.cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)


def local_date(moment: datetime.datetime, zone_name: str) -> datetime.date:
    return moment.astimezone(zone(zone_name)).date()


def today_for(zone_name: str) -> datetime.date:
    return local_date(timezone.now(), zone_name)


def period_key(period: str, day: datetime.date) -> str:
    """ "2026-11-28" for daily, "2026-W48" (ISO week) for weekly, "once" for one-off missions."""
    if period == "daily":
        return day.isoformat()
    if period == "weekly":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return "once"
