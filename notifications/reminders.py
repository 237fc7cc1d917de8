"""Reminder rules: find what is due today, at each citizen's own local date, and notify once.

The scan is set-based: per rule, time zone and offset one indexed query over a small
date window ((kind, expires_on) on documents), read in chunks and recorded with bulk
inserts. Each (rule, document, offset, date) has one idempotency key, so a second run,
or a run after a crash half-way, records nothing twice.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from notifications import conf
from notifications.models import ReminderRule
from notifications.services import Item, notify_items
from portal.models import CitizenDocument, CitizenProfile, User

CHUNK = 1000
ADULT_AGE = 17


@dataclass
class ReminderReport:
    rules: int = 0
    candidates: int = 0
    recorded: int = 0
    dry_run: bool = False
    per_rule: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {"rules": self.rules, "candidates": self.candidates, "recorded": self.recorded}


def time_zones() -> list[str]:
    return [value for value, _label in User._meta.get_field("time_zone").choices]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        return day.replace(year=day.year + years, month=3, day=1)


def windows(
    offsets: list[int], today: datetime.date, catchup: int
) -> Iterator[tuple[int, datetime.date, datetime.date]]:
    """For each offset, the dates (inclusive) whose reminder is due today.

    A run missed for up to `catchup` days is made up, but never once the next,
    closer reminder is due (a 30-day notice is not sent a week before the date).
    """
    ordered = sorted(set(offsets), reverse=True)
    for index, offset in enumerate(ordered):
        closer = ordered[index + 1] if index + 1 < len(ordered) else -1
        low = max(offset - catchup, closer + 1)
        yield offset, today + datetime.timedelta(days=low), today + datetime.timedelta(days=offset)


def _document_items(
    rule: ReminderRule, tz: str, offset: int, low: datetime.date, high: datetime.date, today
) -> Iterator[Item]:
    documents = (
        CitizenDocument.objects.filter(
            kind=rule.subject,
            expires_on__range=(low, high),
            owner__time_zone=tz,
            owner__is_active=True,
        )
        .select_related("owner__citizen_profile")
        # The owner's NIK is never in a reminder; decrypting it per row would double the scan.
        .defer("owner__citizen_profile__nik")
        .order_by("pk")
    )
    for doc in documents.iterator(chunk_size=CHUNK):
        yield Item(
            user=doc.owner,
            context={
                "document": doc.get_kind_display(),
                "number": doc.number_masked,
                "expires_on": doc.expires_on,
                "days_left": (doc.expires_on - today).days,
            },
            idempotency_key=f"reminder:{rule.pk}:{doc.pk}:{offset}:{doc.expires_on.isoformat()}",
        )


def _turning_17_items(
    rule: ReminderRule, tz: str, offset: int, low: datetime.date, high: datetime.date, today
) -> Iterator[Item]:
    profiles = (
        CitizenProfile.objects.filter(
            birth_date__range=(_years_before(low, ADULT_AGE), _years_before(high, ADULT_AGE)),
            user__time_zone=tz,
            user__is_active=True,
        )
        .select_related("user__citizen_profile")
        .defer("nik", "user__citizen_profile__nik")
        .order_by("pk")
    )
    for profile in profiles.iterator(chunk_size=CHUNK):
        birthday = _years_after(profile.birth_date, ADULT_AGE)
        if not low <= birthday <= high:
            continue
        yield Item(
            user=profile.user,
            context={"birthday": birthday, "days_left": (birthday - today).days},
            idempotency_key=f"reminder:{rule.pk}:p{profile.pk}:{offset}:{birthday.isoformat()}",
        )


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def reminders_send_due(
    *,
    on_date: datetime.date | None = None,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
    progress=None,
) -> ReminderReport:
    """Record today's reminders. `on_date` replaces every citizen's local date (operators)."""
    report = ReminderReport(dry_run=dry_run)
    catchup = int(conf.get("NOTIFICATIONS_REMINDER_CATCHUP_DAYS"))
    now = now or timezone.now()
    rules = ReminderRule.objects.filter(active=True).select_related("template_key__category")
    for rule in rules:
        report.rules += 1
        found = 0
        for tz in time_zones():
            today = on_date or timezone.localdate(now, zoneinfo.ZoneInfo(tz))
            for offset, low, high in windows(rule.offsets, today, catchup):
                source = (
                    _turning_17_items
                    if rule.subject == ReminderRule.Subject.TURNING_17
                    else _document_items
                )
                for chunk in _chunks(source(rule, tz, offset, low, high, today)):
                    found += len(chunk)
                    if dry_run:
                        continue
                    # Each chunk commits on its own: a crash keeps what was recorded,
                    # and the rerun skips it by idempotency key.
                    messages = notify_items(
                        items=chunk,
                        template_key=rule.template_key.key,
                        category=rule.template_key.category,
                        channels=rule.channels or None,
                        only_new=True,
                    )
                    report.recorded += sum(1 for m in messages if m.is_new)
        report.candidates += found
        report.per_rule[rule.name] = found
        if progress:
            progress(rule, found)
    return report
