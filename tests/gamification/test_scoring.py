"""Activities are scored once each: by the on-commit task, the sweep, or both at once."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from gamification import services
from gamification.models import (
    ActivityCursor,
    MissionProgress,
    PointsAccount,
    PointsEntry,
    ProcessedActivity,
)
from gamification.selectors import ledger_mismatches, missions_for_user, points_balance
from portal import services as portal_services
from tests.factories import CitizenProfileFactory, UserFactory
from tests.gamification.factories import MissionFactory, PointsRuleFactory

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
WIT = zoneinfo.ZoneInfo("Asia/Jayapura")


@pytest.mark.django_db
def test_scoring_the_same_activity_twice_pays_once(alice, act, score):
    mission = MissionFactory(verb="profile.updated", points=15)
    PointsRuleFactory(verb="profile.updated", points=2, daily_cap=3)
    activity = act(alice, "profile.updated")

    first = score(activity)
    second = score(activity)

    assert (first.scored, second.scored) == (1, 0)
    assert PointsEntry.objects.filter(user=alice).count() == 2  # the rule and the mission
    assert points_balance(user_id=alice.pk) == 17
    assert MissionProgress.objects.get(user=alice, mission=mission).count == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_scorings_of_one_activity_write_exactly_one_ledger_row():
    user = UserFactory(roles=["warga"])
    PointsRuleFactory(verb="letter.verified", points=5, daily_cap=10)
    with transaction.atomic():
        activity = portal_services.activity_record(actor=user, verb="letter.verified")
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            services.activities_score(activity_ids=[activity.pk])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert PointsEntry.objects.filter(user=user).count() == 1
    assert PointsAccount.objects.get(user=user).balance == 5
    assert ProcessedActivity.objects.filter(activity_id=activity.pk).count() == 1


@pytest.mark.django_db
def test_a_rule_pays_at_most_its_daily_cap_per_local_day(alice, act, score):
    PointsRuleFactory(verb="notification.read", points=1, daily_cap=3)
    reads = [act(alice, "notification.read") for _ in range(5)]
    score(*reads[:2])
    score(*reads[2:])

    assert PointsEntry.objects.filter(user=alice, kind="rule").count() == 3
    assert points_balance(user_id=alice.pk) == 3


@pytest.mark.django_db
def test_the_cap_counts_per_day_so_tomorrow_pays_again(alice, act, score):
    PointsRuleFactory(verb="notification.read", points=1, daily_cap=1)
    today = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=WIB)
    score(act(alice, "notification.read", at=today), act(alice, "notification.read", at=today))
    score(act(alice, "notification.read", at=today + datetime.timedelta(days=1)))

    assert points_balance(user_id=alice.pk) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "same_day"),
    [
        # 23:30 and 00:30 WIB are 01:30 and 02:30 WIT: one WIT day.
        ("Asia/Jayapura", True),
        # In WIB the same two moments fall on two days: the mission resets in between.
        ("Asia/Jakarta", False),
    ],
)
def test_a_daily_mission_resets_at_the_citizens_own_midnight(act, score, zone, same_day):
    user = UserFactory(roles=["warga"], time_zone=zone)
    mission = MissionFactory(verb="project.viewed", goal=2, points=10)
    before = datetime.datetime(2026, 11, 27, 23, 30, tzinfo=WIB)
    after = datetime.datetime(2026, 11, 28, 0, 30, tzinfo=WIB)

    with time_machine.travel(before, tick=False):
        score(act(user, "project.viewed"))
    with time_machine.travel(after, tick=False):
        score(act(user, "project.viewed"))
        shown = missions_for_user(user=user)

    progress = MissionProgress.objects.filter(user=user, mission=mission)
    today = next(item for item in shown if item.mission == mission)
    if same_day:
        assert [p.period_key for p in progress] == ["2026-11-28"]
        assert today.completed and today.count == 2
        assert points_balance(user_id=user.pk) == 10
    else:
        assert sorted(p.period_key for p in progress) == ["2026-11-27", "2026-11-28"]
        assert not today.completed and today.count == 1
        assert points_balance(user_id=user.pk) == 0


@pytest.mark.django_db
def test_a_daily_mission_pays_again_the_next_day_but_not_twice_the_same_day(alice, act, score):
    MissionFactory(verb="lesson.completed", points=25)
    monday = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
    score(act(alice, "lesson.completed", at=monday), act(alice, "lesson.completed", at=monday))
    score(act(alice, "lesson.completed", at=monday + datetime.timedelta(days=1)))

    assert points_balance(user_id=alice.pk) == 50


@pytest.mark.django_db
def test_weekly_and_one_off_missions_use_their_own_periods(alice, act, score):
    weekly = MissionFactory(verb="project.viewed", period="weekly", goal=2, points=30)
    once = MissionFactory(verb="project.viewed", period="once", goal=1, points=5)
    monday = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
    for offset in (0, 3, 8):
        score(act(alice, "project.viewed", at=monday + datetime.timedelta(days=offset)))

    assert set(
        MissionProgress.objects.filter(user=alice, mission=weekly).values_list(
            "period_key", "count"
        )
    ) == {("2026-W48", 2), ("2026-W49", 1)}
    assert MissionProgress.objects.get(user=alice, mission=once).period_key == "once"
    assert points_balance(user_id=alice.pk) == 35


@pytest.mark.django_db
def test_a_mission_counts_only_its_target_type_audience_and_active_dates(act, score):
    from django.contrib.contenttypes.models import ContentType

    from portal.models import CitizenDocument, CitizenProfile

    profile = CitizenProfileFactory()
    citizen = profile.user
    staff = UserFactory(roles=["pegawai"])
    doc_type = ContentType.objects.get_for_model(CitizenDocument)
    typed = MissionFactory(verb="profile.updated", target_type=doc_type, points=7)
    for_staff = MissionFactory(verb="profile.updated", audience_role="pegawai", points=3)
    expired = MissionFactory(
        verb="profile.updated", active_until=datetime.date(2020, 1, 1), points=100
    )
    score(act(citizen, "profile.updated", target=profile), act(staff, "profile.updated"))

    assert not MissionProgress.objects.filter(mission__in=[typed, expired]).exists()
    assert list(
        MissionProgress.objects.filter(mission=for_staff).values_list("user", flat=True)
    ) == [staff.pk]
    assert CitizenProfile.objects.filter(user=citizen).exists()


@pytest.mark.django_db
def test_the_sweep_scores_what_the_task_missed_and_moves_its_cursor(alice, bob, act):
    PointsRuleFactory(verb="notification.read", points=1, daily_cap=10)
    old = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=WIB)
    activities = [act(alice, "notification.read", at=old), act(bob, "notification.read", at=old)]
    services.activities_score(activity_ids=[activities[0].pk])  # the task did one of them

    assert services.activities_sweep() == 1
    assert services.activities_sweep() == 0
    assert points_balance(user_id=bob.pk) == 1
    assert ActivityCursor.objects.get(name=services.CURSOR_NAME).last_id == activities[1].pk


@pytest.mark.django_db
def test_the_sweep_cursor_stays_behind_recent_activities(alice, act):
    recent = act(alice, "notification.read")
    services.activities_sweep()

    assert ProcessedActivity.objects.filter(activity_id=recent.pk).exists()
    assert ActivityCursor.objects.get(name=services.CURSOR_NAME).last_id < recent.pk


@pytest.mark.django_db
def test_a_new_activity_is_scored_by_the_task_after_its_transaction_commits(
    eager_celery, django_capture_on_commit_callbacks
):
    user = UserFactory(roles=["warga"])
    MissionFactory(verb="document.added", points=15)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            portal_services.activity_record(actor=user, verb="document.added")
        assert not PointsEntry.objects.filter(user=user).exists()

    # One scoring callback (the dashboard's cache refresh registers its own as well).
    scoring = [cb for cb in callbacks if cb.__qualname__.startswith("activity_saved")]
    assert len(scoring) == 1
    assert points_balance(user_id=user.pk) == 15


@pytest.mark.django_db
def test_a_rolled_back_activity_is_never_scored(eager_celery, django_capture_on_commit_callbacks):
    user = UserFactory(roles=["warga"])
    MissionFactory(verb="document.added", points=15)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        portal_services.activity_record(actor=user, verb="document.added")
        raise RuntimeError("the change failed")

    services.activities_sweep()
    assert callbacks == []
    assert points_balance(user_id=user.pk) == 0


@pytest.mark.django_db
def test_the_nightly_check_reports_a_balance_that_drifted_from_the_ledger(alice, act, score):
    PointsRuleFactory(verb="notification.read", points=1, daily_cap=10)
    score(act(alice, "notification.read"))
    call_command("gamification_check")
    assert ledger_mismatches() == []

    PointsAccount.objects.filter(user=alice).update(balance=999)

    assert len(ledger_mismatches()) == 1
    with pytest.raises(Exception, match="1 mismatches"):
        call_command("gamification_check")
