"""Celery tasks: thin, taking ids; each is safe to run twice (messages are claimed)."""

from __future__ import annotations

import datetime

from celery import shared_task

from notifications import delivery


@shared_task(
    name="notifications.deliver",
    bind=True,
    acks_late=True,
    max_retries=None,  # the message's own attempt count decides when to give up
    soft_time_limit=120,
    time_limit=150,
)
def deliver(self, message_ids: list[int]) -> dict[str, int]:
    report = delivery.messages_deliver(message_ids=message_ids)
    if report.later:
        # Held by a channel's rate: the same queue takes them again in a second.
        queue = (self.request.delivery_info or {}).get("routing_key")
        self.apply_async(args=[report.later], countdown=1, **({"queue": queue} if queue else {}))
    if report.temporary:
        raise self.retry(args=[report.temporary], countdown=report.retry_countdown)
    return {
        "delivered": len(report.delivered),
        "permanent": len(report.permanent),
        "deferred_to_next_day": len(report.next_day),
    }


@shared_task(name="notifications.sweep", time_limit=300)
def sweep() -> int:
    """Re-enqueue messages whose delivery task was lost; claiming keeps this from double-sending."""
    from notifications import conf
    from notifications.services import enqueue_delivery

    bulk, other = delivery.messages_due_for_retry()
    # Campaign messages (e.g. deferred by a daily limit) go back to the bulk queue.
    enqueue_delivery(
        bulk,
        queue=conf.get("NOTIFICATIONS_BULK_QUEUE"),
        batch=int(conf.get("NOTIFICATIONS_BULK_DELIVER_BATCH")),
    )
    enqueue_delivery(other)
    return len(bulk) + len(other)


@shared_task(name="notifications.send_due_notices", time_limit=1800, soft_time_limit=1700)
def send_due_notices(on_date: str | None = None) -> dict[str, int]:
    from notifications.reminders import reminders_send_due

    day = datetime.date.fromisoformat(on_date) if on_date else None
    return reminders_send_due(on_date=day).as_dict()


@shared_task(name="notifications.campaigns_start_due", time_limit=60)
def campaigns_start_due() -> list[int]:
    from notifications import conf
    from notifications.campaigns import campaigns_start_due as start_due

    queue = conf.get("NOTIFICATIONS_BULK_QUEUE")
    started = start_due()
    for campaign_id in started:
        campaign_send.apply_async(args=[campaign_id], **({"queue": queue} if queue else {}))
    return started


@shared_task(name="notifications.campaign_send", acks_late=True, time_limit=6 * 3600)
def campaign_send(campaign_id: int) -> str:
    from notifications.campaigns import campaign_send as send

    return send(campaign_id=campaign_id).status


@shared_task(name="notifications.campaign_validate", acks_late=True, time_limit=2 * 3600)
def campaign_validate(campaign_id: int) -> str:
    from notifications.campaigns import campaign_validate_pending

    return campaign_validate_pending(campaign_id=campaign_id).status
