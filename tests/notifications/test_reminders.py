"""Reminder rules: due at the citizen's local date, once per (rule, document, offset), ever."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from notifications.models import Message, ReminderRule
from notifications.reminders import reminders_send_due, windows
from tests.factories import CitizenDocumentFactory, CitizenProfileFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _citizen(tz: str = "Asia/Jakarta", **profile):
    return CitizenProfileFactory(user__time_zone=tz, **profile).user


def _inbox(user) -> list[Message]:
    return list(Message.objects.filter(recipient=user, channel="inbox").order_by("pk"))


def _at(local: str, tz: str):
    """A frozen clock at a wall-clock time in a time zone."""
    naive = datetime.datetime.fromisoformat(local)
    return time_machine.travel(naive.replace(tzinfo=zoneinfo.ZoneInfo(tz)), tick=False)


def test_the_windows_make_up_missed_days_but_never_overtake_a_closer_reminder():
    today = D(2026, 3, 1)

    assert list(windows([30, 7, 1], today, catchup=2)) == [
        (30, D(2026, 3, 29), D(2026, 3, 31)),
        (7, D(2026, 3, 6), D(2026, 3, 8)),
        (1, D(2026, 3, 1), D(2026, 3, 2)),  # a missed day-before notice comes on the day
    ]
    assert list(windows([1], today, catchup=0)) == [(1, D(2026, 3, 2), D(2026, 3, 2))]


@pytest.mark.parametrize(
    ("tz", "before_midnight", "after_midnight"),
    [
        ("Asia/Jakarta", "2026-03-01 23:59", "2026-03-02 00:00"),  # WIB, UTC+7
        ("Asia/Makassar", "2026-03-01 23:59", "2026-03-02 00:00"),  # WITA, UTC+8
        ("Asia/Jayapura", "2026-03-01 23:59", "2026-03-02 00:00"),  # WIT, UTC+9
    ],
)
def test_a_reminder_is_due_from_the_citizens_local_midnight(
    tz, before_midnight, after_midnight, settings
):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    citizen = _citizen(tz)
    CitizenDocumentFactory(
        owner=citizen, kind="sim", expires_on=D(2026, 3, 9)
    )  # 7 days after 2 March

    with _at(before_midnight, tz):
        reminders_send_due()
    assert _inbox(citizen) == []

    with _at(after_midnight, tz):
        reminders_send_due()
    [message] = _inbox(citizen)
    assert message.subject.startswith("SIM") and "7 hari" in message.subject
    assert (
        message.idempotency_key.startswith("reminder:")
        and ":7:2026-03-09" in message.idempotency_key
    )


def test_the_same_utc_instant_is_a_different_day_in_wib_and_wit(settings):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    in_jakarta, in_jayapura = _citizen("Asia/Jakarta"), _citizen("Asia/Jayapura")
    for owner in (in_jakarta, in_jayapura):
        CitizenDocumentFactory(
            owner=owner, kind="stnk", expires_on=D(2026, 3, 31)
        )  # 30 days after 1 March

    # 15:30 UTC on 28 Feb: 22:30 on 28 Feb in Jakarta, 00:30 on 1 March in Jayapura.
    with time_machine.travel(
        datetime.datetime(2026, 2, 28, 15, 30, tzinfo=datetime.UTC), tick=False
    ):
        reminders_send_due()

    assert _inbox(in_jakarta) == []
    assert len(_inbox(in_jayapura)) == 1


def test_each_offset_reminds_once_and_a_second_run_adds_nothing(settings):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    citizen = _citizen()
    CitizenDocumentFactory(owner=citizen, kind="paspor", expires_on=D(2026, 5, 31))

    for day in (D(2026, 5, 1), D(2026, 5, 24), D(2026, 5, 30)):
        first = reminders_send_due(on_date=day)
        second = reminders_send_due(on_date=day)
        assert first.recorded == 3 and second.recorded == 0  # inbox, email, sms

    assert [m.body_text.count("hari lagi") for m in _inbox(citizen)] == [1, 1, 1]
    assert ["30 hari" in _inbox(citizen)[0].subject, "7 hari" in _inbox(citizen)[1].subject] == [
        True,
        True,
    ]
    assert Message.objects.filter(recipient=citizen).count() == 9


def test_a_missed_day_is_made_up_within_the_catch_up_window(settings):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 2
    citizen = _citizen()
    CitizenDocumentFactory(owner=citizen, kind="pbb", expires_on=D(2026, 8, 31))

    reminders_send_due(on_date=D(2026, 8, 2))  # the 30-day reminder was due on 1 August

    [message] = _inbox(citizen)
    assert "29 hari" in message.subject and ":30:" in message.idempotency_key


def test_a_citizen_turning_17_is_reminded_to_record_a_ktp(settings):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    teen = _citizen(birth_date=D(2009, 7, 1))
    _citizen(birth_date=D(2008, 7, 1))  # turns 18: nothing

    report = reminders_send_due(on_date=D(2026, 6, 1))

    [message] = _inbox(teen)
    assert (
        "KTP-el" in message.subject and "1 July 2026" in message.body_text
    ) or "1 Juli 2026" in message.body_text
    assert report.per_rule["Rekam KTP-el di usia 17"] == 1


def test_inactive_rules_and_other_kinds_are_ignored(settings):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    citizen = _citizen()
    CitizenDocumentFactory(owner=citizen, kind="spt", expires_on=D(2026, 3, 31))
    ReminderRule.objects.filter(subject="spt").update(active=False)

    reminders_send_due(on_date=D(2026, 3, 1))

    assert _inbox(citizen) == []


def test_the_scan_takes_a_fixed_number_of_queries(settings, django_assert_max_num_queries):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    for _ in range(20):
        CitizenDocumentFactory(owner=_citizen(), kind="sim", expires_on=D(2026, 3, 8))

    # 7 rules x 3 zones x 3 offsets window queries, plus a fixed few per batch recorded.
    with django_assert_max_num_queries(90):
        report = reminders_send_due(on_date=D(2026, 3, 1))

    assert report.recorded == 60


def test_the_command_runs_twice_without_duplicates_and_dry_run_writes_nothing(settings):
    settings.NOTIFICATIONS_REMINDER_CATCHUP_DAYS = 0
    citizen = _citizen()
    CitizenDocumentFactory(owner=citizen, kind="ktp_wna", expires_on=D(2026, 4, 2))
    out = io.StringIO()

    call_command("send_due_notices", "--date", "2026-04-01", "--dry-run", stdout=out)
    assert Message.objects.count() == 0
    assert "Dry run: 1 reminders due" in out.getvalue()

    call_command("send_due_notices", "--date", "2026-04-01", stdout=out)
    call_command("send_due_notices", "--date", "2026-04-01", stdout=out)

    assert Message.objects.filter(recipient=citizen).count() == 3
    assert "0 new messages recorded" in out.getvalue().splitlines()[-1]


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_due_notices", "--date", "01-04-2026")
