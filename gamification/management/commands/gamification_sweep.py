from __future__ import annotations

from django.core.management.base import BaseCommand

from gamification import services


class Command(BaseCommand):
    help = "Score every activity not scored yet (what the periodic sweep task does)."

    def add_arguments(self, parser):
        parser.add_argument("--max-batches", type=int, default=1000)

    def handle(self, *args, **options):
        scored = services.activities_sweep(max_batches=options["max_batches"])
        self.stdout.write(f"activities scored: {scored}")
