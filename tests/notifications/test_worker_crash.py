"""A worker killed with SIGKILL in the middle of a campaign: after a restart, everyone has
received exactly one email at the SMTP sink (notify() in batches of 20, and a 10,000-
recipient segment campaign delivered in chunks of 500 over one SMTP connection each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.db import connection

from notifications.campaigns import campaign_schedule, campaigns_start_due
from notifications.models import Campaign, Message
from notifications.services import notify
from notifications.tasks import campaign_send, sweep
from portal.celery import app as celery_app
from portal.models import CitizenProfile, User
from tests.notifications.factories import template_key

RECIPIENTS = 300
REPO = Path(__file__).resolve().parents[2]


def _worker(port: int, queue: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "NOTIF_TEST_SMTP_PORT": str(port),
        "NOTIF_TEST_QUEUE": queue,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "-l",
            "ERROR",
            "-n",
            f"notif-crash-{uuid.uuid4().hex[:8]}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_campaign_then_restart_delivers_each_email_exactly_once(smtp_sink, settings):
    settings.NOTIFICATIONS_SWEEP_AFTER_S = 0
    settings.NOTIFICATIONS_SENDING_LEASE_S = 2
    celery_app.conf.task_always_eager = False  # a real worker, through the Redis broker
    # A queue of this test's own: nothing else on the broker takes its tasks.
    queue = settings.NOTIFICATIONS_QUEUE = f"notif-crash-{uuid.uuid4().hex[:8]}"
    smtp_sink.start()
    users = User.objects.bulk_create(
        [User(email=f"kampanye{i}@example.id", password="!") for i in range(RECIPIENTS)]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    received = lambda: len(smtp_sink.handler.envelopes)  # noqa: E731

    worker = _worker(smtp_sink.port, queue)
    try:
        notify(
            recipients=users,
            template_key="announcement.generic",
            context={"title": "Uji", "body": "Isi"},
            category="announcements",
            channels=["email"],
            idempotency_key="crash-test",
        )
        _wait(lambda: received() >= RECIPIENTS // 4, 120, "the first emails")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert received() < RECIPIENTS, "the campaign finished before the kill"

        worker = _worker(smtp_sink.port, queue)
        time.sleep(2.5)  # the killed worker's claims run out (lease 2 s)
        sweep.apply()  # what beat does every minute: re-enqueue what the dead worker held
        _wait(
            lambda: Message.objects.filter(status="delivered").count() == RECIPIENTS,
            180,
            "every message delivered",
        )
    finally:
        worker.kill()
        worker.wait(timeout=10)

    ids = _received_ids(smtp_sink)
    assert len(ids) == RECIPIENTS
    assert len(set(ids)) == RECIPIENTS


def _received_ids(smtp_sink) -> list[bytes]:
    return [
        line.split(b":", 1)[1].strip()
        for envelope in smtp_sink.handler.envelopes
        for line in envelope.original_content.split(b"\r\n")
        if line.lower().startswith(b"x-portal-message:")
    ]


CAMPAIGN_RECIPIENTS = 10_000


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_chunked_campaign_of_10000_then_restart_sends_each_email_once(
    smtp_sink, settings
):
    settings.NOTIFICATIONS_SWEEP_AFTER_S = 0
    settings.NOTIFICATIONS_SENDING_LEASE_S = 2
    celery_app.conf.task_always_eager = False
    queue = f"notif-crash-{uuid.uuid4().hex[:8]}"
    settings.NOTIFICATIONS_QUEUE = settings.NOTIFICATIONS_BULK_QUEUE = queue
    smtp_sink.start()
    users = User.objects.bulk_create(
        [
            User(email=f"warga{i}@example.id", password="!", display_name=f"Warga {i}")
            for i in range(CAMPAIGN_RECIPIENTS)
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    CitizenProfile.objects.bulk_create(
        [CitizenProfile(user=u, full_name=u.display_name, nik="-") for u in users]
    )
    campaign = Campaign.objects.create(
        name="Uji SIGKILL",
        template_key=template_key("announcement.generic"),
        channels=["email"],
        context={"title": "Uji", "body": "Isi"},
    )
    received = lambda: len(smtp_sink.handler.envelopes)  # noqa: E731

    worker = _worker(smtp_sink.port, queue)
    try:
        assert campaign_schedule(campaign=campaign)
        assert campaigns_start_due() == [campaign.pk]
        campaign_send.apply_async(args=[campaign.pk], queue=queue)
        _wait(lambda: received() >= CAMPAIGN_RECIPIENTS // 4, 300, "the first emails")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        assert received() < CAMPAIGN_RECIPIENTS, "the campaign finished before the kill"

        worker = _worker(smtp_sink.port, queue)
        time.sleep(2.5)  # the killed worker's claims run out (lease 2 s)
        sweep.apply()
        _wait(
            lambda: (
                Message.objects.filter(campaign=campaign, status="delivered").count()
                == CAMPAIGN_RECIPIENTS
            ),
            300,
            "every campaign message delivered",
        )
    finally:
        worker.kill()
        worker.wait(timeout=10)

    ids = _received_ids(smtp_sink)
    assert len(ids) == CAMPAIGN_RECIPIENTS
    assert len(set(ids)) == CAMPAIGN_RECIPIENTS
