"""Reads of the gamification app; pages call these, each a bounded number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from gamification import conf
from gamification.models import (
    Badge,
    LeaderboardOptIn,
    Mission,
    MissionProgress,
    PointsAccount,
    PointsEntry,
    Redemption,
    Reward,
    Streak,
    UserBadge,
)
from gamification.periods import period_key, today_for
from portal.models import User


def points_balance(*, user_id: int) -> int:
    """The balance *is* the sum of the ledger."""
    return PointsEntry.objects.filter(user_id=user_id).aggregate(total=Sum("points"))["total"] or 0


def points_entries_for_user(*, user: User) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(user=user).order_by("-id")


@dataclass(frozen=True)
class MissionToday:
    mission: Mission
    count: int
    completed: bool

    @property
    def shown_count(self) -> int:
        return min(self.count, self.mission.goal)


def missions_for_user(*, user: User, day: datetime.date | None = None) -> list[MissionToday]:
    """The missions open to the user on their local `day` (today by default), with progress."""
    day = day or today_for(user.time_zone)
    missions = [
        mission
        for mission in Mission.objects.filter(is_active=True)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=day))
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=day))
        .select_related("badge")
        if not mission.audience_role or user.has_role(mission.audience_role)
    ]
    keys = {period_key(mission.period, day) for mission in missions}
    progress = {
        (row.mission_id, row.period_key): row
        for row in MissionProgress.objects.filter(
            user=user, mission__in=missions, period_key__in=keys
        )
    }
    shown = []
    for mission in missions:
        row = progress.get((mission.id, period_key(mission.period, day)))
        shown.append(
            MissionToday(
                mission, row.count if row else 0, bool(row and row.completed_at is not None)
            )
        )
    return shown


@dataclass(frozen=True)
class StreakView:
    current: int
    longest: int
    freezes: int
    active_today: bool


def streak_for_user(*, user: User) -> StreakView:
    """The streak as of the user's today: broken if the days missed exceed the freezes held."""
    streak = Streak.objects.filter(user=user).first()
    if streak is None or streak.last_active_on is None:
        return StreakView(0, 0, 0, False)
    today = today_for(user.time_zone)
    missed = (today - streak.last_active_on).days - 1
    alive = missed <= streak.freezes
    return StreakView(
        streak.current if alive else 0,
        streak.longest,
        streak.freezes,
        streak.last_active_on >= today,
    )


@dataclass(frozen=True)
class BadgeView:
    badge: Badge
    count: int
    level: int
    next_threshold: int | None


def badge_cabinet_for_user(*, user: User) -> list[BadgeView]:
    held = {row.badge_id: row for row in UserBadge.objects.filter(user=user)}
    cabinet = []
    for badge in Badge.objects.all():
        row = held.get(badge.id)
        count = row.count if row else 0
        cabinet.append(
            BadgeView(badge, count, row.level if row else 0, badge.next_threshold(count))
        )
    return cabinet


def rewards_available() -> QuerySet[Reward]:
    return Reward.objects.filter(is_active=True).order_by("price", "name")


def redemptions_for_user(*, user: User, limit: int = 20) -> QuerySet[Redemption]:
    return Redemption.objects.filter(user=user).select_related("reward").order_by("-id")[:limit]


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    display_name: str
    points: int
    kelurahan: str
    is_me: bool


def leaderboard(
    *, kelurahan_id: int | None = None, limit: int | None = None, me: User | None = None
) -> list[LeaderRow]:
    """Top opted-in citizens, overall or in one kelurahan: display names only, never NIK or full name."""
    rows = LeaderboardOptIn.objects.all()
    if kelurahan_id is not None:
        rows = rows.filter(kelurahan_id=kelurahan_id)
    top = rows.order_by("-points", "user_id").values_list(
        "user_id", "display_name", "points", "kelurahan__name"
    )[: limit or conf.leaderboard_size()]
    me_id = me.pk if me is not None else None
    return [
        LeaderRow(rank, name, points, kelurahan or "", user_id == me_id)
        for rank, (user_id, name, points, kelurahan) in enumerate(top, start=1)
    ]


def leaderboard_rank(*, user: User, kelurahan_id: int | None = None) -> int | None:
    """The user's rank (1 = top; equal points share a rank), or None if not opted in."""
    mine = LeaderboardOptIn.objects.filter(user=user).values_list("points", flat=True).first()
    if mine is None:
        return None
    rows = LeaderboardOptIn.objects.all()
    if kelurahan_id is not None:
        rows = rows.filter(kelurahan_id=kelurahan_id)
    # One range on the points index: an index-only count, even at the bottom of 100,000.
    return rows.filter(points__gt=mine).count() + 1


# --- consistency -----------------------------------------------------------------------------


def ledger_mismatches(*, limit: int = 100) -> list[str]:
    """Every account whose cached balance/earned differs from its ledger, and stale leaderboard rows."""
    problems: list[str] = []
    sums = {
        row["user_id"]: row
        for row in PointsEntry.objects.values("user_id").annotate(
            balance=Sum("points"), earned=Sum("points", filter=Q(points__gt=0))
        )
    }
    accounts = {
        row["user_id"]: row for row in PointsAccount.objects.values("user_id", "balance", "earned")
    }
    for user_id in sorted(set(sums) | set(accounts)):
        ledger = sums.get(user_id, {"balance": 0, "earned": 0})
        cached = accounts.get(user_id, {"balance": 0, "earned": 0})
        ledger_balance, ledger_earned = ledger["balance"] or 0, ledger["earned"] or 0
        if (ledger_balance, ledger_earned) != (cached["balance"], cached["earned"]):
            problems.append(
                f"user {user_id}: ledger balance {ledger_balance} earned {ledger_earned}, "
                f"account balance {cached['balance']} earned {cached['earned']}"
            )
    for user_id, points in LeaderboardOptIn.objects.values_list("user_id", "points"):
        earned = accounts.get(user_id, {"earned": 0})["earned"]
        if points != earned:
            problems.append(f"user {user_id}: leaderboard shows {points}, account earned {earned}")
    return problems[:limit] if limit else problems


def dashboard_summary(*, user: User) -> dict:
    missions = missions_for_user(user=user)
    return {
        "balance": points_balance(user_id=user.pk),
        "missions_total": len(missions),
        "missions_done": sum(1 for item in missions if item.completed),
        "streak": streak_for_user(user=user),
    }
