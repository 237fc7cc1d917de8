from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leave.services import day_statuses_close


class Command(BaseCommand):
    help = "Set the day status (libur / dinas luar / tanpa keterangan) of everyone without one for a past day."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, date: str, **options):
        today = timezone.localdate()
        try:
            day = datetime.date.fromisoformat(date) if date else today - datetime.timedelta(days=1)
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
        if day >= today:
            raise CommandError("Only a day that has ended can be closed.")
        counts = day_statuses_close(day=day)
        self.stdout.write(f"{day}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
