from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from leave.services import leave_year_open


class Command(BaseCommand):
    help = "Allocate a year's annual leave and carry over last year's rest (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="year to open (default: this year)"
        )

    def handle(self, *args, year: int | None, **options):
        today = timezone.localdate()
        result = leave_year_open(year=year or today.year, today=today)
        self.stdout.write(
            f"{result['employees']} employees: {result['allocations']} allocations, "
            f"{result['carried_over']} carry-overs."
        )
