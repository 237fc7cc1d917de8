from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.reminders import reminders_send_due


class Command(BaseCommand):
    help = (
        "Record today's reminders (SIM, STNK, paspor, KTP-el WNA, PBB, SPT, turning 17) "
        "from the active reminder rules and queue their delivery. Safe to run again: "
        "each (rule, document, offset) is sent at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Run as if every citizen's local date were YYYY-MM-DD (default: today, per time zone).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; write and send nothing."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        on_date = None
        if date:
            try:
                on_date = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from error

        def progress(rule, found):
            self.stdout.write(f"  {rule.name}: {found} due")

        report = reminders_send_due(on_date=on_date, dry_run=dry_run, progress=progress)
        if dry_run:
            self.stdout.write(
                f"Dry run: {report.candidates} reminders due from {report.rules} rules; nothing written."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.recorded} new messages recorded for {report.candidates} due reminders "
                    f"from {report.rules} rules."
                )
            )
