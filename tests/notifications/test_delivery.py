"""Delivery: real SMTP to a local sink, SMS through a fake HTTP gateway, retries, no double sends."""

from __future__ import annotations

import pytest

from notifications import delivery
from notifications.models import Message
from notifications.services import notify
from notifications.tasks import deliver
from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db

CONTEXT = {"document": "Paspor", "number": "C1***67", "expires_on": "2026-08-17", "days_left": 30}


def _record(user, *, channels, category="reminders", key="k") -> list[int]:
    """Record messages without delivering them (no on_commit callbacks run here)."""
    messages = notify(
        recipients=[user],
        template_key="reminder.document",
        context=CONTEXT,
        category=category,
        channels=channels,
        idempotency_key=key,
    )
    return [m.pk for m in messages if m.channel != "inbox"]


def test_the_sink_receives_html_and_text_with_one_click_unsubscribe_headers(alice, smtp_sink):
    smtp_sink.start()
    ids = _record(alice, channels=["email"])

    report = delivery.messages_deliver(message_ids=ids)

    assert report.delivered == ids
    [received] = smtp_sink.messages
    assert received["To"] == "alice@example.id"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        received["List-Unsubscribe"].startswith("<http")
        and "/notifikasi/berhenti/" in received["List-Unsubscribe"]
    )
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in received.walk()
        if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    assert (
        "Paspor Anda (C1***67)" in parts["text/plain"]
        and "/notifikasi/berhenti/" in parts["text/plain"]
    )
    assert (
        "<strong>Paspor</strong>" in parts["text/html"]
        and "/notifikasi/berhenti/" in parts["text/html"]
    )
    message = Message.objects.get(pk=ids[0])
    assert (message.status, message.attempts) == ("delivered", 1)


def test_a_transactional_email_carries_no_unsubscribe(alice, smtp_sink):
    smtp_sink.start()
    ids = _record(alice, channels=["email"], category="security")

    delivery.messages_deliver(message_ids=ids)

    [received] = smtp_sink.messages
    assert received["List-Unsubscribe"] is None
    assert "/notifikasi/berhenti/" not in received.as_string()


def test_sink_down_is_a_temporary_failure_then_delivered_once(alice, smtp_sink):
    ids = _record(alice, channels=["email"])

    first = delivery.messages_deliver(message_ids=ids)

    message = Message.objects.get(pk=ids[0])
    assert first.temporary == ids and first.retry_countdown == 1
    assert (message.status, message.attempts) == ("temporary_failure", 1)
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at is not None

    smtp_sink.start()
    second = delivery.messages_deliver(message_ids=ids)
    third = delivery.messages_deliver(message_ids=ids)  # a duplicate task changes nothing

    assert second.delivered == ids and third.skipped == ids
    assert len(smtp_sink.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("delivered", 2, "")


def test_the_delivery_task_retries_with_backoff_and_gives_up_at_the_limit(
    alice, smtp_sink, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    celery_app.conf.task_eager_propagates = False  # eager retries run in place
    ids = _record(alice, channels=["email"])

    deliver.apply(args=[ids], throw=False)

    message = Message.objects.get(pk=ids[0])
    assert (message.status, message.attempts) == ("permanent_failure", 3)
    assert message.last_error.startswith("gave up after 3 attempts")


def test_backoff_grows_exponentially_up_to_a_cap(settings):
    settings.NOTIFICATIONS_RETRY_BASE_S = 30
    settings.NOTIFICATIONS_RETRY_MAX_S = 600

    assert [delivery.backoff_seconds(n) for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 600]


def test_an_invalid_address_is_a_permanent_failure(alice, smtp_sink):
    smtp_sink.start()
    ids = _record(alice, channels=["email"])
    Message.objects.filter(pk__in=ids).update(address="bukan-email")

    report = delivery.messages_deliver(message_ids=ids)

    assert report.permanent == ids and smtp_sink.messages == []


def test_a_message_being_sent_by_another_worker_is_not_sent_again(alice, smtp_sink):
    smtp_sink.start()
    ids = _record(alice, channels=["email"])
    claimed = delivery.messages_claim(message_ids=ids)

    report = delivery.messages_deliver(message_ids=ids)

    assert [m.pk for m in claimed] == ids
    assert report.skipped == ids and smtp_sink.messages == []


def test_gateway_500_then_200_delivers_the_sms_once(alice, fake_gateway):
    fake_gateway.statuses = [500, 200]
    celery_app.conf.task_eager_propagates = False
    ids = _record(alice, channels=["sms"])

    deliver.apply(args=[ids], throw=False)

    message = Message.objects.get(pk=ids[0])
    assert (message.status, message.attempts) == ("delivered", 2)
    assert len(fake_gateway.requests) == 2
    request = fake_gateway.requests[-1]
    assert request["headers"]["Authorization"] == "Bearer rahasia-uji"
    assert request["body"]["to"] == "081234567890"
    assert request["body"]["reference"] == str(message.uid)
    assert "Paspor Anda (C1***67)" in request["body"]["body"]


def test_gateway_400_is_a_permanent_failure_not_retried(alice, fake_gateway):
    fake_gateway.statuses = [400]
    ids = _record(alice, channels=["sms"])

    deliver.apply(args=[ids])

    message = Message.objects.get(pk=ids[0])
    assert message.status == "permanent_failure" and message.attempts == 1
    assert "HTTP 400" in message.last_error
    assert len(fake_gateway.requests) == 1


def test_an_unreachable_gateway_is_a_temporary_failure(alice, settings):
    from tests.notifications.conftest import free_port

    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.HttpGatewayBackend"
    settings.NOTIFICATIONS_SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/send"
    ids = _record(alice, channels=["sms"])

    report = delivery.messages_deliver(message_ids=ids)

    assert report.temporary == ids


def test_the_file_backend_writes_one_json_line_per_message(alice, settings, tmp_path):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.backends.FileBackend"
    settings.NOTIFICATIONS_FILE_BACKEND_DIR = str(tmp_path)
    ids = _record(alice, channels=["sms"])

    delivery.messages_deliver(message_ids=ids)

    lines = (tmp_path / "sms.jsonl").read_text().splitlines()
    assert len(lines) == 1 and '"to": "081234567890"' in lines[0]


def test_the_sweep_finds_messages_whose_task_was_lost(alice):
    ids = _record(alice, channels=["email"])
    Message.objects.filter(pk__in=ids).update(created_at="2020-01-01T00:00:00Z")

    assert delivery.messages_due_for_retry() == ([], ids)
