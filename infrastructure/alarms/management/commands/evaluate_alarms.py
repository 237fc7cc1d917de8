from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from infrastructure.alarms import rules


class Command(BaseCommand):
    help = (
        "Evaluate every enabled alarm rule once against the latest readings: raise, "
        "escalate, de-escalate and clear alarms and notify the responsible officials. "
        "Beat runs the same evaluation every few seconds (infrastructure.alarms_evaluate); "
        "this command is for operators and for --loop runs without Celery."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            default=0,
            help="Keep evaluating every SECONDS seconds until interrupted.",
        )

    def handle(self, *args, loop: float = 0, **options) -> None:
        try:
            while True:
                started = time.monotonic()
                outcome = rules.alarms_evaluate()
                self.stdout.write(
                    "Evaluated {rules} rule(s): {raised} raised, {escalated} escalated, "
                    "{deescalated} de-escalated, {cleared} cleared, {updated} updated "
                    "in {ms:.0f} ms.".format(
                        ms=(time.monotonic() - started) * 1000, **outcome.as_dict()
                    )
                )
                if loop <= 0:
                    return
                time.sleep(max(0.0, loop - (time.monotonic() - started)))
        except DatabaseError as error:
            raise CommandError(f"Alarm evaluation failed: {error}") from error
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
