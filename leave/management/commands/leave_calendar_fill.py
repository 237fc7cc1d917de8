from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from leave.calendar import calendar_fill


class Command(BaseCommand):
    help = (
        "Fill the holiday calendar from the holidays package (Indonesia) and the known cuti "
        "bersama decrees, e.g. --years 2025-2028. Dates already present (admin edits) are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", default="", help="a year or a range like 2025-2028")

    def handle(self, *args, years: str, **options):
        from django.utils import timezone

        try:
            if years:
                first, _sep, last = years.partition("-")
                span = range(int(first), int(last or first) + 1)
            else:
                now = timezone.localdate().year
                span = range(now - 1, now + 3)
        except ValueError as error:
            raise CommandError(
                f"--years must look like 2026 or 2025-2028, not {years!r}"
            ) from error
        if not span or len(span) > 50:
            raise CommandError("--years: give between 1 and 50 years, first year first.")
        created, kept = calendar_fill(years=span)
        self.stdout.write(
            f"Calendar {span.start}-{span.stop - 1}: {created} days added, {kept} already present."
        )
