"""notify(): channels per preferences and addresses, rendering per language, idempotency."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Message, Preference
from notifications.services import NotifyError, notify
from tests.factories import CitizenProfileFactory, UserFactory
from tests.notifications.factories import category

pytestmark = pytest.mark.django_db

DOC_CONTEXT = {"document": "SIM", "number": "12***89", "expires_on": "2026-06-30", "days_left": 7}


def _notify(recipients, **overrides):
    arguments = {
        "recipients": recipients,
        "template_key": "reminder.document",
        "context": DOC_CONTEXT,
        "category": "reminders",
    } | overrides
    return notify(**arguments)


def test_a_citizen_gets_the_notice_in_the_inbox_by_email_and_by_sms(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        messages = _notify([alice], idempotency_key="k1")

    assert sorted(m.channel for m in messages) == ["email", "inbox", "sms"]
    inbox = next(m for m in messages if m.channel == "inbox")
    assert inbox.status == Message.Status.DELIVERED and inbox.read_at is None
    assert inbox.subject == "SIM Anda berakhir dalam 7 hari"
    assert "Yth. Alice Wulandari" in inbox.body_text
    assert {m.status for m in Message.objects.exclude(channel="inbox")} == {"delivered"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.id"]


def test_a_citizen_without_a_verified_email_still_gets_inbox_and_sms(
    sms_outbox, django_capture_on_commit_callbacks
):
    citizen = CitizenProfileFactory(user__verified_email=False, phone="081299998888").user

    with django_capture_on_commit_callbacks(execute=True):
        messages = _notify([citizen])

    assert sorted(m.channel for m in messages) == ["inbox", "sms"]
    assert mail.outbox == []
    assert [s["to"] for s in sms_outbox] == ["081299998888"]


def test_a_user_without_a_phone_gets_no_sms():
    user = UserFactory()

    messages = _notify([user])

    assert sorted(m.channel for m in messages) == ["email", "inbox"]


def test_the_same_idempotency_key_twice_records_one_message_per_channel(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as first_callbacks:
        first = _notify([alice], idempotency_key="once")
    with django_capture_on_commit_callbacks(execute=True) as second_callbacks:
        second = _notify([alice], idempotency_key="once", context=DOC_CONTEXT | {"days_left": 1})

    assert sorted(m.pk for m in first) == sorted(m.pk for m in second)
    assert Message.objects.filter(recipient=alice).count() == 3
    assert len(first_callbacks) == 1 and len(second_callbacks) == 0
    assert len(mail.outbox) == 1


def test_without_a_key_each_call_is_a_new_notice(alice):
    _notify([alice], channels=["inbox"])
    _notify([alice], channels=["inbox"])

    assert Message.objects.filter(recipient=alice).count() == 2


def test_a_switched_off_channel_is_respected(alice):
    Preference.objects.create(
        user=alice, category=category("reminders"), channel="email", enabled=False
    )
    Preference.objects.create(
        user=alice, category=category("reminders"), channel="sms", enabled=False
    )

    messages = _notify([alice])

    assert [m.channel for m in messages] == ["inbox"]


def test_transactional_notices_ignore_switched_off_channels(alice):
    security = category("security")
    Preference.objects.create(user=alice, category=security, channel="email", enabled=False)

    messages = _notify([alice], category="security", channels=["inbox", "email"])

    assert sorted(m.channel for m in messages) == ["email", "inbox"]


def test_a_channel_switched_on_beyond_the_defaults_is_used(alice):
    Preference.objects.create(
        user=alice, category=category("announcements"), channel="sms", enabled=True
    )

    messages = notify(
        recipients=[alice],
        template_key="reminder.turning_17",
        context={"birthday": "2026-07-01", "days_left": 3},
        category="announcements",
    )

    assert sorted(m.channel for m in messages) == ["email", "inbox", "sms"]


def test_the_notice_is_rendered_in_the_requested_language(alice):
    messages = _notify([alice], channels=["inbox"], language="en")

    assert messages[0].subject == "Your SIM ends in 7 days"
    assert messages[0].language == "en"


def test_a_personal_context_is_rendered_per_recipient(alice, bob):
    messages = _notify(
        [alice, bob],
        channels=["inbox"],
        context=lambda user: DOC_CONTEXT | {"days_left": 30 if user == alice else 1},
    )

    subjects = {m.recipient_id: m.subject for m in messages}
    assert subjects == {
        alice.pk: "SIM Anda berakhir dalam 30 hari",
        bob.pk: "SIM Anda berakhir dalam 1 hari",
    }


def test_an_unknown_template_key_or_category_is_a_clear_error(alice):
    with pytest.raises(NotifyError, match="nope"):
        _notify([alice], template_key="nope")
    with pytest.raises(NotifyError, match="nada"):
        _notify([alice], category="nada")


def test_recording_many_recipients_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    users = [CitizenProfileFactory().user for _ in range(30)]

    with django_assert_max_num_queries(12):
        messages = _notify(users, idempotency_key="bulk")

    assert len(messages) == 90
