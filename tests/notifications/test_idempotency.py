"""The same idempotency key never yields two messages: twice, concurrently, across task retries."""

from __future__ import annotations

import threading

import pytest
from celery import shared_task
from django.db import close_old_connections, connection

from notifications.models import Message
from notifications.services import notify
from portal.celery import app as celery_app
from tests.factories import CitizenProfileFactory

CONTEXT = {"document": "STNK", "number": "B 1**4", "expires_on": "2026-07-01", "days_left": 30}


def _send(user_id: int, key: str) -> list[Message]:
    return notify(
        recipients=[user_id],
        template_key="reminder.document",
        context=CONTEXT,
        category="reminders",
        channels=["inbox", "email", "sms"],
        idempotency_key=key,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_with_one_key_record_one_message_per_channel():
    user = CitizenProfileFactory().user
    barrier = threading.Barrier(8)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(sorted(m.pk for m in _send(user.pk, "concurrent")))
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Message.objects.filter(recipient=user).count() == 3
    # Every caller got the same three messages back, whoever inserted them.
    assert len(results) == 8 and len({tuple(r) for r in results}) == 1


_calls = {"count": 0}


@shared_task(bind=True, name="tests.notifications.flaky_caller", max_retries=3)
def flaky_caller(self, user_id: int) -> int:
    """A caller that notifies, then fails and is retried (as a real task would on a timeout)."""
    messages = _send(user_id, f"flaky:{user_id}")
    _calls["count"] += 1
    if _calls["count"] < 3:
        raise self.retry(countdown=0)
    return len(messages)


@pytest.mark.django_db
def test_a_retried_calling_task_records_the_notice_once(alice):
    # Eager retries re-run the task in place; propagating would stop at the first Retry.
    # (The autouse _eager_celery fixture restores the setting.)
    celery_app.conf.task_eager_propagates = False
    _calls["count"] = 0

    result = flaky_caller.apply(args=[alice.pk], throw=False)

    assert _calls["count"] == 3
    assert result.get() == 3
    assert Message.objects.filter(recipient=alice).count() == 3
