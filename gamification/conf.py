"""Settings of the gamification app, with their defaults."""

from __future__ import annotations

from django.conf import settings


def score_batch_size() -> int:
    return getattr(settings, "GAMIFICATION_SCORE_BATCH_SIZE", 2000)


def sweep_safety_seconds() -> int:
    """How long an activity may stay uncommitted before the sweep's cursor passes it."""
    return getattr(settings, "GAMIFICATION_SWEEP_SAFETY_SECONDS", 600)


def freeze_every_days() -> int:
    """A streak freeze is earned every this many consecutive days (at most 2 are held)."""
    return getattr(settings, "GAMIFICATION_FREEZE_EVERY_DAYS", 7)


def max_freezes() -> int:
    return 2


def leaderboard_size() -> int:
    return getattr(settings, "GAMIFICATION_LEADERBOARD_SIZE", 20)
