"""Rate and daily limits per channel: campaigns wait or are deferred to the next day (never
dropped, visible in their progress); transactional notices are counted but never held."""

from __future__ import annotations

import datetime
import time
import uuid

import pytest
import time_machine

from notifications import delivery, limits
from notifications.campaigns import campaign_progress
from notifications.models import Campaign, Message
from notifications.services import Item, notify, notify_items
from tests.factories import CitizenProfileFactory
from tests.notifications.factories import template_key

pytestmark = pytest.mark.django_db

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _own_counters(monkeypatch):
    # Counters of this test only (the cache outlives a test's database transaction).
    monkeypatch.setattr(limits, "_PREFIX", f"test-limit:{uuid.uuid4().hex}")


def _campaign_messages(count: int) -> tuple[Campaign, list[int]]:
    campaign = Campaign.objects.create(
        name="Uji batas",
        template_key=template_key("announcement.generic"),
        channels=["email"],
        status=Campaign.Status.SENDING,
    )
    users = [profile.user for profile in CitizenProfileFactory.create_batch(count)]
    messages = notify_items(
        items=[
            Item(user=u, context={"title": "T", "body": "B"}, idempotency_key="c") for u in users
        ],
        template_key="announcement.generic",
        category="announcements",
        channels=["email"],
        campaign_id=campaign.pk,
    )
    return campaign, sorted(m.pk for m in messages)


def test_a_campaign_past_the_daily_limit_waits_for_the_next_day(settings, smtp_sink):
    settings.NOTIFICATIONS_RATE_LIMITS = {"email": {"per_day": 3}}
    smtp_sink.start()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0, tzinfo=JAKARTA), tick=True):
        campaign, ids = _campaign_messages(5)

        report = delivery.messages_deliver(message_ids=ids)

        assert report.delivered == ids[:3] and report.next_day == ids[3:]
        held = Message.objects.filter(pk__in=ids[3:])
        assert {(m.status, m.attempts) for m in held} == {("created", 0)}
        assert {m.next_attempt_at for m in held} == {
            datetime.datetime(2026, 6, 2, 0, 0, tzinfo=JAKARTA)
        }
        assert "batas harian" in held[0].last_error
        assert campaign_progress(campaign=campaign) == {"delivered": 3, "deferred": 2}
        # Nothing picks them up again the same day.
        assert delivery.messages_due_for_retry() == ([], [])
        assert delivery.messages_deliver(message_ids=ids[3:]).skipped == ids[3:]

    with time_machine.travel(datetime.datetime(2026, 6, 2, 0, 5, tzinfo=JAKARTA), tick=True):
        bulk, _other = delivery.messages_due_for_retry()
        assert bulk == ids[3:]
        assert delivery.messages_deliver(message_ids=bulk).delivered == ids[3:]

    assert len(smtp_sink.handler.envelopes) == 5
    assert Message.objects.filter(pk__in=ids, status="delivered").count() == 5


def test_transactional_notices_are_never_held_but_count_in_the_day(settings, smtp_sink, alice):
    settings.NOTIFICATIONS_RATE_LIMITS = {"email": {"per_day": 2}}
    smtp_sink.start()
    _campaign, ids = _campaign_messages(2)
    assert delivery.messages_deliver(message_ids=ids).delivered == ids

    notices = notify(
        recipients=[alice],
        template_key="announcement.generic",
        context={"title": "Login baru", "body": "Ada login baru."},
        category="security",
        channels=["email"],
    )
    report = delivery.messages_deliver(message_ids=[m.pk for m in notices])

    assert report.delivered == [notices[0].pk]
    assert limits.day_used("email") == 3


def test_a_campaign_keeps_to_the_rate_per_second(settings, smtp_sink):
    settings.NOTIFICATIONS_RATE_LIMITS = {"email": {"per_second": 2}}
    smtp_sink.start()
    _campaign, ids = _campaign_messages(5)

    started = time.monotonic()
    report = delivery.messages_deliver(message_ids=ids)

    assert report.delivered == ids and len(smtp_sink.handler.envelopes) == 5
    # Five at two a second span at least three one-second windows.
    assert time.monotonic() - started >= 1.0


def test_a_delivery_out_of_time_hands_the_rest_back_unsent(smtp_sink):
    smtp_sink.start()
    _campaign, ids = _campaign_messages(5)

    report = delivery.messages_deliver(message_ids=ids, budget_s=0)

    assert report.delivered == ids[:1] and report.later == ids[1:]
    assert len(smtp_sink.handler.envelopes) == 1
    assert set(Message.objects.filter(pk__in=ids[1:]).values_list("status", "attempts")) == {
        ("created", 0)
    }
    # The next task sends them, once.
    assert delivery.messages_deliver(message_ids=report.later).delivered == ids[1:]
    assert len(smtp_sink.handler.envelopes) == 5


def test_no_limit_configured_sends_everything_at_once(smtp_sink):
    smtp_sink.start()
    _campaign, ids = _campaign_messages(3)

    assert ids and delivery.messages_deliver(message_ids=ids).delivered == ids
