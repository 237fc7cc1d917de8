from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from notifications.letters.audit import audit


class Command(BaseCommand):
    help = (
        "Recompute every leaf of the e-Surat transparency log from its stored record, compare the "
        "records with the letters (PDF hash, number, issuer, status), the stored tree nodes and "
        "the latest signed checkpoint; report any row changed behind the log's back (exit 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--files", action="store_true", help="also re-hash every stored PDF file"
        )

    def handle(self, *args, files: bool = False, **options):
        report = audit(check_files=files, progress=self.stdout.write)
        for problem in report.problems:
            self.stderr.write(f"PROBLEM: {problem}")
        summary = (
            f"{report.leaves} leaves, {report.letters} letters, checkpoint size "
            f"{report.checkpoint_size}: {len(report.problems)} problem(s)."
        )
        if report.problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
