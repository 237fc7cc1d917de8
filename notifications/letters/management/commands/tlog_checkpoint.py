from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from notifications.letters import log


class Command(BaseCommand):
    help = (
        "Sign a checkpoint (origin, size, root hash) of the e-Surat transparency log if it grew "
        "since the last one. Celery beat runs the same every minute (letters.tlog_checkpoint)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="print the latest checkpoint even if unchanged"
        )

    def handle(self, *args, force: bool = False, **options):
        try:
            checkpoint = log.checkpoint_create(force=force)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        if checkpoint is None:
            latest = log.checkpoint_latest()
            self.stdout.write(f"No new leaves since checkpoint {latest.size if latest else 0}.")
            return
        self.stdout.write(checkpoint.note, ending="")
        self.stdout.write(self.style.SUCCESS(f"Checkpoint at size {checkpoint.size}."))
