from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gamification import selectors, services
from gamification.models import UserBadge


class Command(BaseCommand):
    help = (
        "Compare the points ledger with the cached balances and leaderboard points, and the "
        "badge levels with a recomputation from the data. Exits 1 on any mismatch."
    )

    def handle(self, *args, **options):
        problems = selectors.ledger_mismatches(limit=0)
        for problem in problems:
            self.stderr.write(problem)
        expected = services.badge_counts_from_data()
        held = {(r.user_id, r.badge_id): r.count for r in UserBadge.objects.all()}
        badge_problems = [
            f"user {key[0]} badge {key[1]}: held {held.get(key, 0)}, data says {expected.get(key, 0)}"
            for key in sorted(set(expected) | set(held))
            if held.get(key, 0) != expected.get(key, 0)
        ]
        for problem in badge_problems:
            self.stderr.write(problem)
        total = len(problems) + len(badge_problems)
        if total:
            raise CommandError(
                f"{total} mismatches (ledger: {len(problems)}, badges: {len(badge_problems)})"
            )
        self.stdout.write("ledger, balances, leaderboard and badges agree")
