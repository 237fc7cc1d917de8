"""Demo notices: a welcome in every demo citizen's inbox and today's due reminders.

Idempotent: the welcome has an idempotency key per citizen, and reminders have theirs.
"""

from __future__ import annotations

import random

from django.contrib.auth.models import Group

from notifications.reminders import reminders_send_due
from notifications.services import notify


def seed(*, stdout, rng: random.Random) -> None:
    group = Group.objects.filter(name="warga").first()
    citizens = list(group.user_set.values_list("pk", flat=True)) if group else []
    if citizens:
        notify(
            recipients=citizens,
            template_key="announcement.generic",
            context={
                "title": "Selamat datang di Portal Layanan Publik",
                "body": "Tambahkan SIM, STNK, paspor, PBB atau SPT Anda di profil: "
                "kami akan mengingatkan sebelum masa berlakunya habis.",
            },
            category="announcements",
            channels=["inbox"],
            idempotency_key="demo:welcome",
        )
    report = reminders_send_due()
    stdout.write(
        f"notifications: welcome for {len(citizens)} citizens, {report.recorded} reminders recorded"
    )
