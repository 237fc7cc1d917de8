"""Badges level up at their thresholds, and a recomputation from data equals the incremental result."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from gamification.models import UserBadge
from gamification.services import badges_recompute
from tests.factories import UserFactory
from tests.gamification.factories import BadgeFactory, MissionFactory

pytestmark = pytest.mark.django_db


def test_a_badge_levels_up_at_each_threshold(alice, act, score):
    badge = BadgeFactory(verb="letter.verified", thresholds=[1, 5, 10])
    levels = []
    for _ in range(10):
        score(act(alice, "letter.verified"))
        levels.append(UserBadge.objects.get(user=alice, badge=badge).level)

    assert levels == [1, 1, 1, 1, 2, 2, 2, 2, 2, 3]


def test_a_mission_badge_counts_completed_missions(alice, act, score):
    badge = BadgeFactory(slug="tertib", metric="mission", verb="", thresholds=[1, 2])
    MissionFactory(verb="profile.updated", badge=badge)
    MissionFactory(verb="document.added", badge=badge)
    score(act(alice, "profile.updated"), act(alice, "profile.updated"))

    assert UserBadge.objects.get(user=alice, badge=badge).level == 1
    score(act(alice, "document.added"))
    assert UserBadge.objects.get(user=alice, badge=badge).level == 2


def test_recomputed_badge_levels_equal_the_incremental_ones(act, score):
    rng = random.Random(8)
    users = [UserFactory(roles=["warga"]) for _ in range(4)]
    verified = BadgeFactory(verb="letter.verified", thresholds=[1, 5, 10, 30, 60])
    learned = BadgeFactory(verb="lesson.completed", thresholds=[1, 3])
    tertib = BadgeFactory(slug="tertib", metric="mission", verb="", thresholds=[1, 5])
    MissionFactory(verb="profile.updated", badge=tertib)
    verbs = ["letter.verified", "lesson.completed", "profile.updated", "notification.read"]
    activities = [act(rng.choice(users), rng.choice(verbs)) for _ in range(120)]
    for start in range(0, len(activities), 7):  # many small batches, as tasks would
        score(*activities[start : start + 7])
    incremental = set(UserBadge.objects.values_list("user_id", "badge_id", "count", "level"))

    assert badges_recompute() == 0
    UserBadge.objects.all().delete()
    badges_recompute()
    recomputed = set(UserBadge.objects.values_list("user_id", "badge_id", "count", "level"))

    assert recomputed == incremental
    assert {row[1] for row in incremental} >= {verified.pk, learned.pk}
    call_command("gamification_check")


def test_a_mission_completed_then_exceeded_within_one_call_counts_its_badge_once(
    alice, act, score, settings
):
    settings.GAMIFICATION_SCORE_BATCH_SIZE = 1  # every activity its own chunk
    badge = BadgeFactory(slug="tertib", metric="mission", verb="", thresholds=[1, 2])
    MissionFactory(verb="profile.updated", badge=badge, goal=1)

    score(*(act(alice, "profile.updated") for _ in range(3)))

    assert UserBadge.objects.get(user=alice, badge=badge).count == 1
    assert badges_recompute() == 0
