"""Settings of the notifications app, each with a default (settings.py need not name them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

_DEFAULTS: dict[str, Any] = {
    # Backends for SMS and push: dotted path to a notifications.backends.BaseBackend subclass.
    "NOTIFICATIONS_SMS_BACKEND": "notifications.backends.ConsoleBackend",
    "NOTIFICATIONS_PUSH_BACKEND": "notifications.backends.ConsoleBackend",
    # The generic HTTP gateway (HttpGatewayBackend): URL, bearer token, timeout in seconds.
    "NOTIFICATIONS_SMS_GATEWAY_URL": "",
    "NOTIFICATIONS_SMS_GATEWAY_TOKEN": "",
    "NOTIFICATIONS_PUSH_GATEWAY_URL": "",
    "NOTIFICATIONS_PUSH_GATEWAY_TOKEN": "",
    "NOTIFICATIONS_GATEWAY_TIMEOUT_S": 10.0,
    # FileBackend writes one JSON line per message here (None: VAR_DIR/outbox/<channel>.jsonl).
    "NOTIFICATIONS_FILE_BACKEND_DIR": None,
    # MAILERS alias used for notices.
    "NOTIFICATIONS_MAILER": "default",
    "NOTIFICATIONS_FROM_EMAIL": None,  # None: DEFAULT_FROM_EMAIL
    # Delivery: messages per task, attempts before giving up, backoff base and cap.
    "NOTIFICATIONS_DELIVER_BATCH": 100,
    # Campaign messages per delivery task: one SMTP connection carries them all.
    "NOTIFICATIONS_BULK_DELIVER_BATCH": 500,
    "NOTIFICATIONS_MAX_ATTEMPTS": 8,
    "NOTIFICATIONS_RETRY_BASE_S": 30,
    "NOTIFICATIONS_RETRY_MAX_S": 3600,
    # A message left in "sending" this long (its worker died) may be claimed again.
    "NOTIFICATIONS_SENDING_LEASE_S": 600,
    # The sweep re-enqueues messages whose task should have run this long ago (lost task).
    "NOTIFICATIONS_SWEEP_AFTER_S": 300,
    # Celery queue of transactional delivery (None: the default queue).
    "NOTIFICATIONS_QUEUE": None,
    # Campaigns: their queue (workers take it with -Q …,notifications.bulk; a worker
    # of its own keeps bulk from ever delaying transactional notices), and an optional
    # pause between batches of recipients (per second; the channel limits below are
    # the usual way to slow a campaign).
    "NOTIFICATIONS_BULK_QUEUE": "notifications.bulk",
    "NOTIFICATIONS_CAMPAIGN_RATE_PER_S": 0,
    # Per channel: {"email": {"per_second": 200, "per_day": 1_000_000}, "sms": {...}};
    # campaigns keep to them (deferred to the next day, never dropped), transactional
    # notices are counted but never held back (notifications.limits).
    "NOTIFICATIONS_RATE_LIMITS": {},
    # A campaign CSV bigger than this is checked by a Celery task (progress shown every
    # so many rows) instead of in the admin's request.
    "NOTIFICATIONS_CSV_INLINE_MAX_BYTES": 256 * 1024,
    "NOTIFICATIONS_CSV_PROGRESS_EVERY": 10_000,
    # The unread badge polls this often (seconds).
    "NOTIFICATIONS_BADGE_POLL_S": 30,
    "NOTIFICATIONS_INBOX_PAGE_SIZE": 20,
    # Reminders missed on a day the job did not run are still sent this many days late,
    # but never once the next, closer reminder is due.
    "NOTIFICATIONS_REMINDER_CATCHUP_DAYS": 2,
}


def get(name: str) -> Any:
    return getattr(settings, name, _DEFAULTS[name])
