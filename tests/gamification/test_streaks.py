"""Streaks count consecutive active days in the citizen's zone; freezes bridge missed days."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from gamification.models import Streak
from gamification.selectors import streak_for_user
from gamification.services import streak_advance

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 11, 1)


def _days(*offsets: int) -> list[datetime.date]:
    return [START + offset * DAY for offset in offsets]


def _run(days: list[datetime.date], freezes: int = 0) -> Streak:
    streak = Streak(freezes=freezes)
    for day in days:
        streak_advance(streak, day)
    return streak


def test_consecutive_days_grow_the_streak_and_the_same_day_counts_once():
    streak = _run(_days(0, 1, 1, 2))
    assert (streak.current, streak.longest) == (3, 3)


def test_a_missed_day_without_a_freeze_restarts_the_streak():
    streak = _run(_days(0, 1, 2, 4))
    assert (streak.current, streak.longest, streak.freezes) == (1, 3, 0)


def test_a_held_freeze_bridges_a_missed_day_and_is_used_up():
    streak = _run(_days(0, 1, 2, 4), freezes=1)
    assert (streak.current, streak.freezes) == (4, 0)


def test_two_freezes_bridge_two_missed_days_but_not_three():
    assert _run(_days(0, 3), freezes=2).current == 2
    assert _run(_days(0, 4), freezes=2).current == 1


def test_a_freeze_is_earned_every_seven_days_and_at_most_two_are_held():
    assert _run(_days(*range(7))).freezes == 1
    assert _run(_days(*range(14))).freezes == 2
    assert _run(_days(*range(21))).freezes == 2


def test_an_old_activity_scored_late_does_not_move_the_streak():
    streak = _run(_days(0, 1, 2))
    streak_advance(streak, START)
    assert (streak.current, streak.last_active_on) == (3, START + 2 * DAY)


@pytest.mark.django_db
def test_scoring_builds_the_streak_in_the_users_zone(alice, act, score):
    alice.time_zone = "Asia/Jayapura"
    alice.save()
    # 22:30 WIB on the 1st is 00:30 WIT on the 2nd: two WIT days in a row, not one WIB day.
    score(act(alice, "profile.updated", at=datetime.datetime(2026, 11, 1, 20, 0, tzinfo=WIB)))
    score(act(alice, "profile.updated", at=datetime.datetime(2026, 11, 1, 22, 30, tzinfo=WIB)))

    streak = Streak.objects.get(user=alice)
    assert (streak.current, streak.last_active_on) == (2, datetime.date(2026, 11, 2))


@pytest.mark.django_db
def test_the_page_shows_a_broken_streak_as_zero_unless_freezes_cover_the_gap(alice):
    Streak.objects.create(user=alice, current=5, longest=5, last_active_on=START, freezes=1)
    with time_machine.travel(datetime.datetime(2026, 11, 3, 9, 0, tzinfo=WIB), tick=False):
        assert streak_for_user(user=alice).current == 5  # one day missed, one freeze held
    with time_machine.travel(datetime.datetime(2026, 11, 4, 9, 0, tzinfo=WIB), tick=False):
        assert streak_for_user(user=alice).current == 0
