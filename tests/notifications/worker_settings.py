"""Settings of the Celery worker that test_worker_crash.py starts (and kills)."""

from __future__ import annotations

import os

from portal.settings import *  # noqa: F403

# A message left "sending" by the killed worker may be claimed again after 2 s.
NOTIFICATIONS_SENDING_LEASE_S = 2
NOTIFICATIONS_DELIVER_BATCH = 20
NOTIFICATIONS_QUEUE = os.environ["NOTIF_TEST_QUEUE"]
NOTIFICATIONS_BULK_QUEUE = os.environ["NOTIF_TEST_QUEUE"]
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "127.0.0.1",
            "port": int(os.environ["NOTIF_TEST_SMTP_PORT"]),
            "use_tls": False,
            "timeout": 5,
        },
    }
}
