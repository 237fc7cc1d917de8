from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leave.checks import ledger_check


class Command(BaseCommand):
    help = "Report every annual-leave balance that disagrees with its requests (exit 1 if any)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, default=None, help="year to check (default: this year)"
        )

    def handle(self, *args, year: int | None, **options):
        year = year or timezone.localdate().year
        problems = ledger_check(year=year)
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} leave balance problem(s) in {year}.")
        self.stdout.write(f"Leave ledger {year}: all balances agree.")
