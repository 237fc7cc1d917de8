from __future__ import annotations

from django.core.management.base import BaseCommand

from gamification import services


class Command(BaseCommand):
    help = "Rebuild every user's badge counts and levels from scored activities and completed missions."

    def handle(self, *args, **options):
        fixed = services.badges_recompute()
        self.stdout.write(f"badges recomputed: {fixed} user badge rows changed")
