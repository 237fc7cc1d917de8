"""Writes of the gamification app: scoring activities, redeeming rewards, leaderboard opt-in.

Scoring is idempotent by activity id: a batch first *claims* its activities by
inserting their ids into ProcessedActivity (ON CONFLICT DO NOTHING RETURNING), in the
same transaction as every point, progress and badge it pays. A retry, a duplicate
task or a concurrent worker claims nothing and pays nothing; a crashed worker rolls
its claim back, and the sweep scores the activity again later. Each batch locks the
users' PointsAccount rows (in user id order, so batches never deadlock) before it
reads caps or balances, the same lock redemption takes.
"""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gamification import conf
from gamification.models import (
    ActivityCursor,
    Badge,
    LeaderboardOptIn,
    Mission,
    MissionProgress,
    PointsAccount,
    PointsEntry,
    PointsRule,
    ProcessedActivity,
    Redemption,
    Reward,
    Streak,
    UserBadge,
)
from gamification.periods import local_date, period_key
from portal.models import Activity, CitizenProfile, User
from portal.services import activity_record

CURSOR_NAME = "activities"
_CHUNK = 1000


# --- low-level bulk SQL ------------------------------------------------------------


def _insert_returning(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str],
    *,
    on_conflict: str = "DO NOTHING",
) -> list[tuple]:
    """INSERT … ON CONFLICT … RETURNING, in chunks: which rows this transaction wrote.

    Django's bulk_create cannot tell which rows were new (the claim and the ledger must
    know) and builds a model instance per row (too slow on the scoring hot path).
    PostgreSQL gets one array per column (unnest), which it parses far faster than
    thousands of placeholders; SQLite (>= 3.35) gets a VALUES list.
    `on_conflict` is SQL written in this module, never user input.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(name) for name in columns)
    returning_sql = ", ".join(quote(name) for name in returning)
    written: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [_column_type(model, name) for name in columns]
            arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
            for chunk in batched(rows, 5000):
                cursor.execute(
                    f"INSERT INTO {table} ({column_sql}) SELECT * FROM unnest({arrays}) "  # noqa: S608 - identifiers only
                    f"ON CONFLICT {on_conflict} RETURNING {returning_sql}",
                    [list(column) for column in zip(*chunk, strict=True)],
                )
                written.extend(cursor.fetchall())
            return written
        one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for chunk in batched(rows, 500):
            cursor.execute(
                f"INSERT INTO {table} ({column_sql}) VALUES "  # noqa: S608 - identifiers only
                + ", ".join([one_row] * len(chunk))
                + f" ON CONFLICT {on_conflict} RETURNING {returning_sql}",
                [value for row in chunk for value in row],
            )
            written.extend(cursor.fetchall())
    return written


@functools.cache
def _column_type(model: type[models.Model], column: str) -> str:
    field = next(f for f in model._meta.concrete_fields if f.column == column)
    db_type = field.db_type(connection)
    return "varchar" if db_type.startswith("varchar") else db_type


def _db_now(moment: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


# --- scoring ---------------------------------------------------------------------------


@dataclass
class ScoreResult:
    scored: int = 0
    points: int = 0
    entries: int = 0
    missions_completed: int = 0
    users: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Act:
    id: int
    user_id: int
    verb: str
    target_type_id: int | None
    day: datetime.date


def _claim(activity_ids: Sequence[int], now: datetime.datetime) -> set[int]:
    stamp = _db_now(now)
    rows = [(activity_id, stamp) for activity_id in activity_ids]
    claimed = _insert_returning(
        ProcessedActivity, ["activity_id", "processed_at"], rows, ["activity_id"]
    )
    return {row[0] for row in claimed}


def _lock_accounts(user_ids: Sequence[int]) -> None:
    """Create missing account rows, then lock them all in user id order (no deadlocks)."""
    stamp = _db_now(timezone.now())
    _insert_returning(
        PointsAccount,
        ["user_id", "balance", "earned", "updated_at"],
        [(user_id, 0, 0, stamp) for user_id in user_ids],
        ["user_id"],
    )
    list(
        PointsAccount.objects.select_for_update()
        .filter(user_id__in=user_ids)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _active_missions() -> list[Mission]:
    return list(Mission.objects.filter(is_active=True).select_related("badge"))


def _mission_applies(mission: Mission, act: _Act, roles: dict[int, set[str]]) -> bool:
    if mission.verb != act.verb:
        return False
    if mission.target_type_id and mission.target_type_id != act.target_type_id:
        return False
    if mission.active_from and act.day < mission.active_from:
        return False
    if mission.active_until and act.day > mission.active_until:
        return False
    return not mission.audience_role or mission.audience_role in roles.get(act.user_id, set())


@transaction.atomic
def activities_score(*, activity_ids: Iterable[int]) -> ScoreResult:
    """Score these activities once each; ids already scored (or unknown) are skipped."""
    result = ScoreResult()
    ids = sorted({int(activity_id) for activity_id in activity_ids})
    if not ids:
        return result
    for chunk in batched(ids, conf.score_batch_size()):
        # Each chunk its own time: progress completed by a chunk is recognised by it.
        _score_chunk(list(chunk), timezone.now(), result)
    return result


def _score_chunk(ids: list[int], now: datetime.datetime, result: ScoreResult) -> None:
    if connection.vendor == "postgresql":
        # Safe to lose on a crash: the claim is lost with the points, so the sweep
        # scores the batch again. Saves a WAL flush wait per batch.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
    claimed = _claim(ids, now)
    if not claimed:
        return
    rows = list(
        Activity.objects.filter(id__in=claimed)
        .order_by("id")
        .values_list("id", "actor_id", "verb", "target_type_id", "created_at")
    )
    if not rows:
        return
    user_ids = sorted({row[1] for row in rows})
    zones = dict(User.objects.filter(id__in=user_ids).values_list("id", "time_zone"))
    acts = [
        _Act(act_id, user_id, verb, target_type_id, local_date(created_at, zones.get(user_id, "")))
        for act_id, user_id, verb, target_type_id, created_at in rows
    ]
    result.scored += len(acts)
    result.users.update(user_ids)
    _lock_accounts(user_ids)

    # (user_id, kind, source_id, period, points, mission_id, rule_id, description)
    entries: list[tuple] = []
    badge_counts: Counter[tuple[int, int]] = Counter()

    # Per-activity points, capped per rule and local day.
    rules = {rule.verb: rule for rule in PointsRule.objects.filter(is_active=True)}
    rule_acts = [act for act in acts if act.verb in rules]
    if rule_acts:
        paid: Counter[tuple[int, int, str]] = Counter()
        for user_id, rule_id, period, count in _rule_counts(rule_acts, rules):
            paid[(user_id, rule_id, period)] = count
        for act in rule_acts:
            rule = rules[act.verb]
            key = (act.user_id, rule.id, act.day.isoformat())
            if paid[key] >= rule.daily_cap:
                continue
            paid[key] += 1
            entries.append(
                (
                    act.user_id,
                    PointsEntry.Kind.RULE,
                    str(act.id),
                    act.day.isoformat(),
                    rule.points,
                    None,
                    rule.id,
                    act.verb,
                )
            )

    # Mission progress.
    missions = _active_missions()
    mission_verbs = {mission.verb for mission in missions}
    mission_acts = [act for act in acts if act.verb in mission_verbs]
    if mission_acts:
        roles = _roles_of(user_ids, {m.audience_role for m in missions if m.audience_role})
        increments: Counter[tuple[int, int, str]] = Counter()
        by_id = {mission.id: mission for mission in missions}
        for act in mission_acts:
            for mission in missions:
                if _mission_applies(mission, act, roles):
                    increments[(act.user_id, mission.id, period_key(mission.period, act.day))] += 1
        if increments:
            completed = _progress_apply(increments, by_id, now)
            for user_id, mission_id, key in completed:
                mission = by_id[mission_id]
                result.missions_completed += 1
                entries.append(
                    (
                        user_id,
                        PointsEntry.Kind.MISSION,
                        str(mission_id),
                        key,
                        mission.points,
                        mission_id,
                        None,
                        mission.title[:200],
                    )
                )

    # Ledger, then the account caches from what was actually written.
    stamp = _db_now(now)
    written = _insert_returning(
        PointsEntry,
        [
            "user_id",
            "kind",
            "source_id",
            "period",
            "points",
            "mission_id",
            "rule_id",
            "description",
            "created_at",
        ],
        [(*entry, stamp) for entry in entries],
        ["user_id", "points", "mission_id"],
    )
    deltas: Counter[int] = Counter()
    badge_of_mission = {mission.id: mission.badge_id for mission in missions}
    for user_id, points, mission_id in written:
        deltas[user_id] += points
        # A mission badge counts a completion only if its ledger row was new.
        if mission_id and badge_of_mission.get(mission_id):
            badge_counts[(user_id, badge_of_mission[mission_id])] += 1
    result.entries += len(written)
    result.points += sum(deltas.values())
    if deltas:
        _accounts_add(deltas, now)
        LeaderboardOptIn.objects.filter(user_id__in=list(deltas)).update(
            points=Subquery(
                PointsAccount.objects.filter(user=OuterRef("user")).values("earned")[:1]
            )
        )

    # Activity badges.
    activity_badges = list(Badge.objects.filter(metric=Badge.Metric.ACTIVITY))
    badge_by_verb: dict[str, list[Badge]] = defaultdict(list)
    for badge in activity_badges:
        badge_by_verb[badge.verb].append(badge)
    for act in acts:
        for badge in badge_by_verb.get(act.verb, ()):
            badge_counts[(act.user_id, badge.id)] += 1
    if badge_counts:
        _badges_add(badge_counts, now)

    _streaks_apply(acts, now)

    # A citizen who moved shows up on their new kelurahan's leaderboard.
    movers = {act.user_id for act in acts if act.verb == "profile.updated"}
    if movers:
        LeaderboardOptIn.objects.filter(user_id__in=movers).update(
            kelurahan_id=Subquery(
                CitizenProfile.objects.filter(user=OuterRef("user")).values("kelurahan_id")[:1]
            )
        )


def _accounts_add(deltas: Counter[int], now: datetime.datetime) -> None:
    """Add each user's new ledger points to their (locked) cached account."""
    if connection.vendor != "postgresql":
        for user_id, delta in deltas.items():
            PointsAccount.objects.filter(user_id=user_id).update(
                balance=F("balance") + delta, earned=F("earned") + max(delta, 0), updated_at=now
            )
        return
    # Django's bulk_update builds a CASE per row: far too slow for thousands of users.
    table = connection.ops.quote_name(PointsAccount._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in batched(sorted(deltas.items()), _CHUNK):
            values = ", ".join(["(%s::bigint, %s::integer)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS a SET balance = a.balance + v.delta, "  # noqa: S608 - identifiers only
                f"earned = a.earned + GREATEST(v.delta, 0), updated_at = %s "
                f"FROM (VALUES {values}) AS v(user_id, delta) WHERE a.user_id = v.user_id",
                [now, *(value for pair in chunk for value in pair)],
            )


def _rule_counts(acts: list[_Act], rules: dict[str, PointsRule]):
    return (
        PointsEntry.objects.filter(
            kind=PointsEntry.Kind.RULE,
            user_id__in={act.user_id for act in acts},
            rule_id__in={rule.id for rule in rules.values()},
            period__in={act.day.isoformat() for act in acts},
        )
        .values("user_id", "rule_id", "period")
        .annotate(n=Count("id"))
        .values_list("user_id", "rule_id", "period", "n")
    )


def _roles_of(user_ids: Sequence[int], role_names: set[str]) -> dict[int, set[str]]:
    if not role_names:
        return {}
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, name in User.groups.through.objects.filter(
        user_id__in=user_ids, group__name__in=role_names
    ).values_list("user_id", "group__name"):
        roles[user_id].add(name)
    return roles


def _progress_apply(
    increments: Counter[tuple[int, int, str]], missions: dict[int, Mission], now: datetime.datetime
) -> list[tuple[int, int, str]]:
    """Add to progress rows; return the (user, mission, period) this batch completed.

    One UPSERT adds the counts and stamps `completed_at` with this batch's time on the
    rows it takes past their goal; a row stamped with that time was completed here.
    """
    table = MissionProgress._meta.db_table
    stamp = _db_now(now)
    rows = [
        (
            user_id,
            mission_id,
            period,
            added,
            missions[mission_id].goal,
            stamp if added >= missions[mission_id].goal else None,
            stamp,
        )
        for (user_id, mission_id, period), added in sorted(increments.items())
    ]
    totals = _insert_returning(
        MissionProgress,
        ["user_id", "mission_id", "period_key", "count", "goal", "completed_at", "updated_at"],
        rows,
        ["user_id", "mission_id", "period_key", "completed_at"],
        on_conflict=(
            "(user_id, mission_id, period_key) DO UPDATE SET "
            f"count = {table}.count + excluded.count, "
            f"completed_at = COALESCE({table}.completed_at, CASE WHEN "
            f"{table}.count + excluded.count >= {table}.goal THEN excluded.updated_at END), "
            "updated_at = excluded.updated_at"
        ),
    )
    return [
        (user_id, mission_id, period)
        for user_id, mission_id, period, completed_at in totals
        if completed_at is not None and _same_moment(completed_at, now)
    ]


def _same_moment(value: Any, now: datetime.datetime) -> bool:
    if isinstance(value, str):  # SQLite returns text from a raw cursor
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value == now


def _badges_add(counts: Counter[tuple[int, int]], now: datetime.datetime) -> None:
    badges = {badge.id: badge for badge in Badge.objects.filter(id__in={k[1] for k in counts})}
    table = UserBadge._meta.db_table
    stamp = _db_now(now)
    totals = _insert_returning(
        UserBadge,
        ["user_id", "badge_id", "count", "level", "updated_at"],
        [
            (user_id, badge_id, added, 0, stamp)
            for (user_id, badge_id), added in sorted(counts.items())
        ],
        ["id", "badge_id", "count", "level"],
        on_conflict=(
            "(user_id, badge_id) DO UPDATE SET "
            f"count = {table}.count + excluded.count, updated_at = excluded.updated_at"
        ),
    )
    by_level: dict[int, list[int]] = defaultdict(list)
    for row_id, badge_id, count, level in totals:
        new_level = badges[badge_id].level_for(count)
        if new_level != level:
            by_level[new_level].append(row_id)
    for level, row_ids in by_level.items():
        UserBadge.objects.filter(id__in=row_ids).update(level=level)


def streak_advance(streak: Streak | _StreakState, day: datetime.date) -> None:
    """Count one more active local day; a gap is bridged by held freezes, else the streak restarts."""
    last = streak.last_active_on
    if last is not None and day <= last:
        return  # same day, or an old activity scored late
    if last is None:
        streak.current = 1
    else:
        missed = (day - last).days - 1
        if missed == 0:
            streak.current += 1
        elif missed <= streak.freezes:
            streak.freezes -= missed
            streak.current += 1
        else:
            streak.current = 1
    streak.last_active_on = day
    streak.longest = max(streak.longest, streak.current)
    if streak.current % conf.freeze_every_days() == 0:
        streak.freezes = min(conf.max_freezes(), streak.freezes + 1)


@dataclass(slots=True)
class _StreakState:
    """What streak_advance() reads and writes, without a model instance per user."""

    current: int = 0
    longest: int = 0
    last_active_on: datetime.date | None = None
    freezes: int = 0


def _streaks_apply(acts: list[_Act], now: datetime.datetime) -> None:
    days: dict[int, set[datetime.date]] = defaultdict(set)
    for act in acts:
        days[act.user_id].add(act.day)
    fields = ["user_id", "current", "longest", "last_active_on", "freezes"]
    existing = {
        row[0]: _StreakState(*row[1:])
        for row in Streak.objects.filter(user_id__in=list(days)).values_list(*fields)
    }
    stamp = _db_now(now)
    rows = []
    for user_id in sorted(days):
        streak = existing.get(user_id) or _StreakState()
        for day in sorted(days[user_id]):
            streak_advance(streak, day)
        rows.append(
            (
                user_id,
                streak.current,
                streak.longest,
                connection.ops.adapt_datefield_value(streak.last_active_on),
                streak.freezes,
                stamp,
            )
        )
    _insert_returning(
        Streak,
        [*fields, "updated_at"],
        rows,
        ["user_id"],
        on_conflict=(
            "(user_id) DO UPDATE SET current = excluded.current, longest = excluded.longest, "
            "last_active_on = excluded.last_active_on, freezes = excluded.freezes, "
            "updated_at = excluded.updated_at"
        ),
    )


def activities_sweep(*, batch_size: int | None = None, max_batches: int = 50) -> int:
    """Score every activity not scored yet; return how many were scored.

    Looks at ids above the cursor that are not in the processed set. The cursor only
    moves past activities older than the safety window, so one whose transaction
    committed late (a lower id appearing after higher ones) is still seen.
    """
    size = batch_size or conf.score_batch_size()
    ActivityCursor.objects.get_or_create(name=CURSOR_NAME)
    cursor_id = ActivityCursor.objects.get(name=CURSOR_NAME).last_id
    total = 0
    after = cursor_id
    for _batch in range(max_batches):
        pending = list(
            Activity.objects.filter(id__gt=after)
            .exclude(
                id__in=ProcessedActivity.objects.filter(activity_id__gt=after).values("activity_id")
            )
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        if not pending:
            break
        total += activities_score(activity_ids=pending).scored
        after = pending[-1]
    horizon = timezone.now() - datetime.timedelta(seconds=conf.sweep_safety_seconds())
    settled = (
        Activity.objects.filter(id__gt=cursor_id, created_at__lt=horizon)
        .exclude(
            id__in=ProcessedActivity.objects.filter(activity_id__gt=cursor_id).values("activity_id")
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    # Everything below the first unprocessed settled activity (or all settled ones) is done.
    newest_settled = (
        Activity.objects.filter(id__gt=cursor_id, created_at__lt=horizon)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    new_cursor = (settled - 1) if settled is not None else (newest_settled or cursor_id)
    if new_cursor > cursor_id:
        ActivityCursor.objects.filter(name=CURSOR_NAME, last_id__lt=new_cursor).update(
            last_id=new_cursor, updated_at=timezone.now()
        )
    return total


# --- rewards -----------------------------------------------------------------------------


class RedemptionError(Exception):
    """A redemption refused for a reason the citizen can act on; str() is the message."""


class NotEnoughPoints(RedemptionError):
    pass


class OutOfStock(RedemptionError):
    pass


def _ledger_balance(user_id: int) -> int:
    from gamification.selectors import points_balance

    return points_balance(user_id=user_id)


@transaction.atomic
def reward_redeem(*, user: User, reward_id: int) -> Redemption:
    """Spend points on a reward: the user's account row is locked, stock taken conditionally."""
    PointsAccount.objects.get_or_create(user=user)
    account = PointsAccount.objects.select_for_update().get(user=user)
    reward = Reward.objects.filter(pk=reward_id, is_active=True).first()
    if reward is None:
        raise RedemptionError(_("Hadiah ini tidak tersedia."))
    balance = _ledger_balance(user.pk)
    if balance < reward.price:
        raise NotEnoughPoints(
            _("Poin Anda belum cukup: perlu %(price)s poin, saldo Anda %(balance)s poin.")
            % {"price": reward.price, "balance": balance}
        )
    taken = Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1)
    if not taken:
        raise OutOfStock(_("Maaf, stok hadiah ini sudah habis."))
    redemption = Redemption.objects.create(
        user=user, reward=reward, points=reward.price, code=_voucher_code()
    )
    PointsEntry.objects.create(
        user=user,
        kind=PointsEntry.Kind.REDEMPTION,
        source_id=str(redemption.pk),
        period="",
        points=-reward.price,
        description=reward.name[:200],
    )
    account.balance = balance - reward.price
    account.save(update_fields=["balance", "updated_at"])
    activity_record(actor=user, verb="reward.redeemed", target=redemption)
    return redemption


def _voucher_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


# --- leaderboard ---------------------------------------------------------------------------

_DIGITS = re.compile(r"\d{5,}")


def _validate_display_name(user: User, name: str) -> str:
    name = " ".join(name.split())
    if not 3 <= len(name) <= 30:
        raise ValidationError(_("Nama tampilan harus 3 sampai 30 karakter."))
    if _DIGITS.search(name):
        raise ValidationError(_("Nama tampilan tidak boleh berisi deretan angka (mis. NIK)."))
    full_name = (
        CitizenProfile.objects.filter(user=user).values_list("full_name", flat=True).first() or ""
    )
    if full_name and name.casefold() == " ".join(full_name.split()).casefold():
        raise ValidationError(
            _("Demi privasi, pakai nama panggilan atau julukan, bukan nama lengkap Anda.")
        )
    if "@" in name:
        raise ValidationError(_("Nama tampilan tidak boleh berupa alamat email."))
    return name


@transaction.atomic
def leaderboard_opt_in(*, user: User, display_name: str) -> LeaderboardOptIn:
    name = _validate_display_name(user, display_name)
    kelurahan_id = (
        CitizenProfile.objects.filter(user=user).values_list("kelurahan_id", flat=True).first()
    )
    earned = PointsAccount.objects.filter(user=user).values_list("earned", flat=True).first() or 0
    optin, _created = LeaderboardOptIn.objects.update_or_create(
        user=user, defaults={"display_name": name, "kelurahan_id": kelurahan_id, "points": earned}
    )
    return optin


@transaction.atomic
def leaderboard_opt_out(*, user: User) -> None:
    LeaderboardOptIn.objects.filter(user=user).delete()


# --- recompute and repair ---------------------------------------------------------------------


def badge_counts_from_data(*, user_ids: Iterable[int] | None = None) -> dict[tuple[int, int], int]:
    """(user, badge) -> count, from scored activities and completed missions alone."""
    counts: dict[tuple[int, int], int] = {}
    processed = ProcessedActivity.objects.values("activity_id")
    for badge in Badge.objects.all():
        if badge.metric == Badge.Metric.ACTIVITY:
            rows = Activity.objects.filter(verb=badge.verb, id__in=processed)
            if user_ids is not None:
                rows = rows.filter(actor_id__in=user_ids)
            grouped = rows.values("actor_id").annotate(n=Count("id")).values_list("actor_id", "n")
        else:
            rows = MissionProgress.objects.filter(mission__badge=badge, completed_at__isnull=False)
            if user_ids is not None:
                rows = rows.filter(user_id__in=user_ids)
            grouped = rows.values("user_id").annotate(n=Count("id")).values_list("user_id", "n")
        for user_id, n in grouped:
            counts[(user_id, badge.id)] = n
    return counts


@transaction.atomic
def badges_recompute(*, user_ids: Iterable[int] | None = None) -> int:
    """Rebuild UserBadge from the data; return how many rows were wrong (now fixed)."""
    counts = badge_counts_from_data(user_ids=user_ids)
    badges = {badge.id: badge for badge in Badge.objects.all()}
    current = UserBadge.objects.all()
    if user_ids is not None:
        current = current.filter(user_id__in=user_ids)
    existing = {(row.user_id, row.badge_id): row for row in current}
    fixed = 0
    now = timezone.now()
    for key in set(existing) | set(counts):
        count = counts.get(key, 0)
        level = badges[key[1]].level_for(count)
        row = existing.get(key)
        if row is not None and row.count == count and row.level == level:
            continue
        fixed += 1
        UserBadge.objects.update_or_create(
            user_id=key[0],
            badge_id=key[1],
            defaults={"count": count, "level": level, "updated_at": now},
        )
    return fixed
