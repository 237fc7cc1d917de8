"""Alarm rules: duration, hysteresis, escalation, rate of change, offline, scope, notices."""

from __future__ import annotations

import datetime
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from infrastructure import demo as infrastructure_demo
from infrastructure.alarms import demo as alarms_demo
from infrastructure.alarms import notices, tasks
from infrastructure.alarms.models import Alarm, AlarmEvent, AlarmRule, Severity
from infrastructure.alarms.rules import alarms_evaluate
from infrastructure.models import Asset
from notifications.models import Message
from tests.factories import UserFactory
from tests.infrastructure.alarm_helpers import base_time, every, feed, minutes, rule
from tests.infrastructure.factories import AssetFactory, DeviceFactory, MetricFactory
from tests.leave.factories import EmployeeFactory, OrgUnitFactory

KEY = "dev-pasupati-1"


@pytest.fixture
def strain(sensor):
    return sensor.metrics.get(name="strain")


def _alarms(**filters):
    return list(Alarm.objects.filter(**filters))


# --- duration ----------------------------------------------------------------------


def test_breach_shorter_than_the_duration_raises_no_alarm(strain):
    t0 = base_time()
    watch = rule(metric=strain, duration_minutes=5)
    feed(KEY, "strain", every(t0, t0 + minutes(7), 30, 200.0))
    feed(KEY, "strain", every(t0 + minutes(7.5), t0 + minutes(10), 30, 350.0))

    outcome = alarms_evaluate(now=t0 + minutes(10))

    assert outcome.raised == 0
    assert not Alarm.objects.filter(rule=watch).exists()


def test_breach_longer_than_the_duration_raises_one_alarm(strain):
    t0 = base_time()
    watch = rule(metric=strain, duration_minutes=5)
    feed(KEY, "strain", every(t0, t0 + minutes(3), 30, 200.0))
    feed(KEY, "strain", every(t0 + minutes(3.5), t0 + minutes(10), 30, 350.0))

    first = alarms_evaluate(now=t0 + minutes(10))
    second = alarms_evaluate(now=t0 + minutes(10))

    assert (first.raised, second.raised) == (1, 0)
    [alarm] = _alarms(rule=watch)
    assert (alarm.status, alarm.severity, alarm.metric_id) == (
        Alarm.Status.ACTIVE_UNACK,
        Severity.MAJOR,
        strain.pk,
    )
    assert alarm.start_value == 350.0
    assert [e.kind for e in alarm.events.all()] == [AlarmEvent.Kind.RAISED]


def test_one_safe_reading_inside_the_window_keeps_the_alarm_down(strain):
    t0 = base_time()
    rule(metric=strain, duration_minutes=5)
    feed(KEY, "strain", every(t0, t0 + minutes(10), 30, 350.0))
    feed(KEY, "strain", [(t0 + minutes(8) + datetime.timedelta(seconds=10), 250.0)])

    assert alarms_evaluate(now=t0 + minutes(10)).raised == 0
    # Five minutes after the dip the breach has lasted long enough.
    feed(KEY, "strain", every(t0 + minutes(10.5), t0 + minutes(14), 30, 350.0))
    assert alarms_evaluate(now=t0 + minutes(14)).raised == 1


def test_a_breach_held_by_a_silent_sensor_counts_only_within_its_offline_limit(strain):
    t0 = base_time()
    rule(metric=strain, duration_minutes=5)
    strain.device.offline_after = 120
    strain.device.save()
    # One breaching reading, then nothing: held for 2 minutes only, never 5.
    feed(KEY, "strain", [(t0, 350.0)])

    assert alarms_evaluate(now=t0 + minutes(5)).raised == 0


# --- hysteresis, escalation -----------------------------------------------------------


def test_hysteresis_keeps_the_alarm_between_clear_and_raise_thresholds(strain):
    t0 = base_time()
    watch = rule(metric=strain, threshold=80.0, clear_threshold=75.0)
    feed(KEY, "strain", [(t0, 85.0)])
    assert alarms_evaluate(now=t0).raised == 1

    feed(KEY, "strain", [(t0 + minutes(1), 78.0)])
    outcome = alarms_evaluate(now=t0 + minutes(1))
    [alarm] = _alarms(rule=watch)
    assert outcome.cleared == 0
    assert alarm.is_active
    assert (alarm.last_value, alarm.peak_value) == (78.0, 85.0)

    feed(KEY, "strain", [(t0 + minutes(2), 75.0)])
    outcome = alarms_evaluate(now=t0 + minutes(2))
    alarm.refresh_from_db()
    assert outcome.cleared == 1
    assert alarm.status == Alarm.Status.CLEARED_UNACK
    assert alarm.cleared_by is None
    assert [e.kind for e in alarm.events.all()] == [
        AlarmEvent.Kind.RAISED,
        AlarmEvent.Kind.CLEARED,
    ]

    # A new breach after clearing is a new alarm, not the old one reopened.
    feed(KEY, "strain", [(t0 + minutes(3), 90.0)])
    assert alarms_evaluate(now=t0 + minutes(3)).raised == 1
    assert Alarm.objects.filter(rule=watch).count() == 2


# --- spikes between two evaluations (rules with no duration) ---------------------------


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


def test_a_spike_between_two_evaluations_raises_an_alarm_that_a_later_one_clears(strain):
    t0 = base_time()
    watch = rule(metric=strain, escalated_severity=Severity.CRITICAL, escalated_threshold=400.0)
    lasting = rule(name="Regangan lama", metric=strain, duration_minutes=5)
    feed(KEY, "strain", [(t0, 100.0)])
    assert alarms_evaluate(now=t0).raised == 0

    # 450 for two seconds, between two ticks ten seconds apart: the latest value is safe.
    feed(KEY, "strain", [(t0 + seconds(2), 450.0), (t0 + seconds(4), 120.0)])
    outcome = alarms_evaluate(now=t0 + seconds(10))
    assert outcome.raised == 1
    [alarm] = _alarms(rule=watch)
    assert (alarm.severity, alarm.start_value, alarm.peak_value) == (
        Severity.CRITICAL,
        450.0,
        450.0,
    )
    assert not _alarms(rule=lasting), "a rule with a duration ignores a two-second spike"

    assert alarms_evaluate(now=t0 + seconds(20)).cleared == 1
    assert alarms_evaluate(now=t0 + seconds(30)).raised == 0  # the same spike, not again
    alarm.refresh_from_db()
    assert not alarm.is_active
    assert [e.kind for e in alarm.events.all()] == [
        AlarmEvent.Kind.RAISED,
        AlarmEvent.Kind.CLEARED,
    ]


def test_a_spike_below_the_threshold_of_a_below_rule_raises_too(sensor):
    temp = sensor.metrics.get(name="deck_temp")
    t0 = base_time()
    watch = rule(metric=temp, kind=AlarmRule.Kind.BELOW, threshold=5.0)
    feed(KEY, "deck_temp", [(t0, 20.0)])
    alarms_evaluate(now=t0)
    feed(
        KEY, "deck_temp", [(t0 + seconds(1), 3.0), (t0 + seconds(2), 2.0), (t0 + seconds(3), 19.0)]
    )
    assert alarms_evaluate(now=t0 + seconds(10)).raised == 1
    [alarm] = _alarms(rule=watch)
    assert alarm.start_value == 2.0


def test_a_reading_still_in_the_pipeline_is_checked_by_the_next_evaluation(strain):
    t0 = base_time()
    watch = rule(metric=strain)
    feed(KEY, "strain", [(t0, 100.0)])
    alarms_evaluate(now=t0)
    feed(KEY, "strain", [(t0 + seconds(8), 450.0), (t0 + seconds(9), 100.0)])
    # At t0 + 10 s the spike is 2 s old, younger than the lag: left for the next tick.
    assert alarms_evaluate(now=t0 + seconds(10)).raised == 0
    assert alarms_evaluate(now=t0 + seconds(20)).raised == 1
    assert len(_alarms(rule=watch)) == 1


def test_spikes_from_before_a_rules_first_evaluation_raise_nothing(strain):
    t0 = base_time()
    feed(KEY, "strain", [(t0, 450.0), (t0 + seconds(2), 100.0)])
    watch = rule(metric=strain)
    assert alarms_evaluate(now=t0 + seconds(10)).raised == 0
    assert alarms_evaluate(now=t0 + seconds(20)).raised == 0
    assert not _alarms(rule=watch)


def test_below_rule_clears_above_its_clear_threshold(sensor):
    temp = sensor.metrics.get(name="deck_temp")
    t0 = base_time()
    watch = rule(metric=temp, kind=AlarmRule.Kind.BELOW, threshold=5.0, clear_threshold=8.0)
    feed(KEY, "deck_temp", [(t0, 4.0)])
    alarms_evaluate(now=t0)
    feed(KEY, "deck_temp", [(t0 + minutes(1), 6.0)])
    alarms_evaluate(now=t0 + minutes(1))
    [alarm] = _alarms(rule=watch)
    assert alarm.is_active and alarm.peak_value == 4.0

    feed(KEY, "deck_temp", [(t0 + minutes(2), 9.0)])
    alarms_evaluate(now=t0 + minutes(2))
    alarm.refresh_from_db()
    assert not alarm.is_active


def test_alarm_escalates_after_the_duration_and_de_escalates_at_once(strain):
    t0 = base_time()
    watch = rule(
        metric=strain,
        duration_minutes=2,
        clear_threshold=260.0,
        escalated_severity=Severity.CRITICAL,
        escalated_threshold=400.0,
    )
    feed(KEY, "strain", every(t0, t0 + minutes(3), 30, 350.0))
    alarms_evaluate(now=t0 + minutes(3))
    [alarm] = _alarms(rule=watch)
    assert alarm.severity == Severity.MAJOR

    feed(KEY, "strain", every(t0 + minutes(3.5), t0 + minutes(4), 30, 450.0))
    assert alarms_evaluate(now=t0 + minutes(4)).escalated == 0  # only a minute above 400
    feed(KEY, "strain", every(t0 + minutes(4.5), t0 + minutes(6), 30, 450.0))
    assert alarms_evaluate(now=t0 + minutes(6)).escalated == 1
    alarm.refresh_from_db()
    assert (alarm.severity, alarm.peak_value) == (Severity.CRITICAL, 450.0)

    feed(KEY, "strain", [(t0 + minutes(6.5), 320.0)])
    assert alarms_evaluate(now=t0 + minutes(6.5)).deescalated == 1
    alarm.refresh_from_db()
    assert alarm.is_active and alarm.severity == Severity.MAJOR
    assert [e.kind for e in alarm.events.all()] == [
        AlarmEvent.Kind.RAISED,
        AlarmEvent.Kind.ESCALATED,
        AlarmEvent.Kind.DEESCALATED,
    ]


def test_a_breach_past_the_escalated_threshold_raises_at_the_escalated_severity(strain):
    t0 = base_time()
    rule(
        metric=strain,
        duration_minutes=1,
        escalated_severity=Severity.CRITICAL,
        escalated_threshold=400.0,
    )
    feed(KEY, "strain", every(t0, t0 + minutes(2), 30, 500.0))
    alarms_evaluate(now=t0 + minutes(2))
    assert Alarm.objects.get().severity == Severity.CRITICAL


# --- rate of change -----------------------------------------------------------------


@pytest.fixture
def culvert(db):
    device = DeviceFactory(
        key="dev-culvert-1", asset=AssetFactory(kind=Asset.Kind.DRAINAGE, code="gorong-1")
    )
    MetricFactory(device=device, name="water_level", unit="cm")
    return device


def test_rate_of_change_raises_when_the_level_rises_fast_and_clears_when_it_settles(culvert):
    t0 = base_time()
    watch = rule(
        kind=AlarmRule.Kind.RATE,
        asset_kind=Asset.Kind.DRAINAGE,
        metric_name="water_level",
        threshold=3.0,
        clear_threshold=1.0,
        duration_minutes=10,
        severity=Severity.WARNING,
    )
    feed("dev-culvert-1", "water_level", every(t0, t0 + minutes(10), 60, 60.0))
    # +2 cm a minute over the last 10 minutes: below 3 cm/min.
    feed(
        "dev-culvert-1",
        "water_level",
        every(
            t0 + minutes(11),
            t0 + minutes(20),
            60,
            lambda m: 60 + 2 * (m - t0 - minutes(10)).total_seconds() / 60,
        ),
    )
    assert alarms_evaluate(now=t0 + minutes(20)).raised == 0

    # Then +5 cm a minute: 10 minutes of it is a rate of 5 cm/min.
    level_at_20 = 80.0
    feed(
        "dev-culvert-1",
        "water_level",
        every(
            t0 + minutes(21),
            t0 + minutes(30),
            60,
            lambda m: level_at_20 + 5 * (m - t0 - minutes(20)).total_seconds() / 60,
        ),
    )
    assert alarms_evaluate(now=t0 + minutes(30)).raised == 1
    [alarm] = _alarms(rule=watch)
    assert alarm.start_value == pytest.approx(5.0)

    # Steady water: the rate over the window falls, below 1 cm/min it clears.
    feed("dev-culvert-1", "water_level", every(t0 + minutes(31), t0 + minutes(36), 60, 130.0))
    alarms_evaluate(now=t0 + minutes(36))
    alarm.refresh_from_db()
    assert alarm.is_active  # (130 - 110) / 10 min = 2 cm/min, not yet 1
    feed("dev-culvert-1", "water_level", every(t0 + minutes(37), t0 + minutes(45), 60, 130.0))
    alarms_evaluate(now=t0 + minutes(45))
    alarm.refresh_from_db()
    assert not alarm.is_active


# --- offline ------------------------------------------------------------------------


def test_offline_device_raises_an_alarm_cleared_when_it_reports_again(sensor):
    t0 = base_time()
    watch = rule(
        kind=AlarmRule.Kind.OFFLINE,
        asset_kind=Asset.Kind.BRIDGE,
        threshold=None,
        severity=Severity.WARNING,
    )
    sensor.last_seen = t0
    sensor.save()

    assert alarms_evaluate(now=t0 + datetime.timedelta(seconds=sensor.offline_after)).raised == 0
    outcome = alarms_evaluate(now=t0 + datetime.timedelta(seconds=sensor.offline_after + 1))
    assert outcome.raised == 1
    [alarm] = _alarms(rule=watch)
    assert (alarm.device_id, alarm.metric_id) == (sensor.pk, None)

    # The device reports again through the ingest path, which moves last_seen.
    back = t0 + minutes(12)
    feed(KEY, "strain", [(back, 100.0)])
    assert alarms_evaluate(now=back + minutes(1)).cleared == 1
    alarm.refresh_from_db()
    assert alarm.status == Alarm.Status.CLEARED_UNACK


def test_offline_rule_waits_its_extra_minutes(sensor):
    t0 = base_time()
    rule(
        kind=AlarmRule.Kind.OFFLINE,
        asset_kind=Asset.Kind.BRIDGE,
        threshold=None,
        duration_minutes=5,
    )
    sensor.last_seen = t0
    sensor.save()
    late = t0 + datetime.timedelta(seconds=sensor.offline_after)
    assert alarms_evaluate(now=late + minutes(4)).raised == 0
    assert alarms_evaluate(now=late + minutes(6)).raised == 1


# --- scope and the one-active-alarm invariant ------------------------------------------


def test_rule_per_asset_kind_watches_every_metric_of_that_name(sensor):
    t0 = base_time()
    other = DeviceFactory(key="dev-other-bridge", asset=AssetFactory(kind=Asset.Kind.BRIDGE))
    MetricFactory(device=other, name="strain")
    drain = DeviceFactory(key="dev-drain", asset=AssetFactory(kind=Asset.Kind.DRAINAGE))
    MetricFactory(device=drain, name="strain")
    watch = rule(asset_kind=Asset.Kind.BRIDGE, metric_name="strain")
    for key in (KEY, "dev-other-bridge", "dev-drain"):
        feed(key, "strain", [(t0, 500.0)])

    assert alarms_evaluate(now=t0).raised == 2
    assert {a.device_id for a in _alarms(rule=watch)} == {sensor.pk, other.pk}


def test_database_refuses_a_second_active_alarm_for_the_same_device_and_rule(strain):
    t0 = base_time()
    watch = rule(metric=strain)
    feed(KEY, "strain", [(t0, 500.0)])
    alarms_evaluate(now=t0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(
            rule=watch,
            device=strain.device,
            metric=strain,
            severity=Severity.MAJOR,
            started_at=t0,
            updated_at=t0,
        )


def test_disabled_rule_raises_nothing(strain):
    t0 = base_time()
    rule(metric=strain, enabled=False)
    feed(KEY, "strain", [(t0, 500.0)])
    assert alarms_evaluate(now=t0).raised == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"clear_threshold": 310.0}, "clear_threshold"),
        (
            {"escalated_severity": Severity.WARNING, "escalated_threshold": 400.0},
            "escalated_severity",
        ),
        (
            {"escalated_severity": Severity.CRITICAL, "escalated_threshold": 200.0},
            "escalated_threshold",
        ),
        ({"escalated_severity": Severity.CRITICAL}, "escalated_threshold"),
        ({"threshold": None}, "threshold"),
        ({"kind": AlarmRule.Kind.RATE, "duration_minutes": 0}, "duration_minutes"),
    ],
)
def test_rule_validation_explains_inconsistent_thresholds(strain, fields, field):
    with pytest.raises(ValidationError) as error:
        rule(metric=strain, **fields)
    assert field in error.value.message_dict


def test_rule_needs_exactly_one_scope(strain):
    with pytest.raises(ValidationError):
        rule(metric=strain, asset_kind=Asset.Kind.BRIDGE, metric_name="strain")
    with pytest.raises(ValidationError):
        rule()


# --- notices --------------------------------------------------------------------------


def test_responsible_officials_are_notified_once_per_event(strain):
    official = UserFactory(email="pupr@example.go.id", roles=["pejabat"])
    bystander = UserFactory(email="lain@example.go.id", roles=["pejabat"])
    t0 = base_time()
    watch = rule(metric=strain, clear_threshold=250.0)
    watch.responsible_users.add(official)
    feed(KEY, "strain", [(t0, 500.0)])

    alarms_evaluate(now=t0)
    alarms_evaluate(now=t0)
    event = AlarmEvent.objects.get(kind=AlarmEvent.Kind.RAISED)
    notices.alarm_event_notify(event=event)  # a retried notice records nothing new

    messages = Message.objects.filter(recipient=official)
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "inbox"]
    assert "Regangan tinggi" in messages.get(channel="inbox").subject
    assert not Message.objects.filter(recipient=bystander).exists()

    feed(KEY, "strain", [(t0 + minutes(1), 100.0)])
    alarms_evaluate(now=t0 + minutes(1))
    assert messages.count() == 4  # the clearing is announced too


def test_rule_without_named_officials_notifies_the_public_works_officials(strain):
    official = UserFactory(email="pupr@example.go.id", roles=["pejabat"])
    citizen = UserFactory(email="warga@example.id", roles=["warga"])
    t0 = base_time()
    rule(metric=strain)
    feed(KEY, "strain", [(t0, 500.0)])
    alarms_evaluate(now=t0)
    assert Message.objects.filter(recipient=official).count() == 2
    assert not Message.objects.filter(recipient=citizen).exists()


def test_evaluation_query_count_does_not_grow_with_metrics(db, django_assert_max_num_queries):
    t0 = base_time()
    rule(asset_kind=Asset.Kind.BRIDGE, metric_name="strain", duration_minutes=5)
    rule(
        name="Luring",
        kind=AlarmRule.Kind.OFFLINE,
        asset_kind=Asset.Kind.BRIDGE,
        threshold=None,
    )
    for number in range(30):
        device = DeviceFactory(key=f"dev-many-{number}", last_seen=t0)
        MetricFactory(device=device, name="strain")
        feed(device.key, "strain", every(t0 - minutes(6), t0 - minutes(3), 60, 100.0))
        # Half of them breach now, but not for the rule's 5 minutes: window candidates.
        late = 400.0 if number % 2 else 100.0
        feed(device.key, "strain", every(t0 - minutes(2), t0, 60, late))
    # rules, active alarms, metrics in scope, devices in scope, anchors, window aggregate
    with django_assert_max_num_queries(6):
        outcome = alarms_evaluate(now=t0)
    assert outcome.raised == 0


def test_the_spike_check_query_count_does_not_grow_with_metrics(db, django_assert_max_num_queries):
    t0 = base_time()
    rule(asset_kind=Asset.Kind.BRIDGE, metric_name="strain")
    for number in range(30):
        device = DeviceFactory(key=f"dev-spiky-{number}", last_seen=t0)
        MetricFactory(device=device, name="strain")
        feed(device.key, "strain", [(t0, 100.0)])
    alarms_evaluate(now=t0)
    for number in range(30):
        feed(f"dev-spiky-{number}", "strain", [(t0 + seconds(2), 100.0), (t0 + seconds(3), 90.0)])
    # rules, active alarms, metrics in scope, the spikes of the rule, moving its mark
    with django_assert_max_num_queries(5):
        outcome = alarms_evaluate(now=t0 + seconds(10))
    assert outcome.raised == 0


# --- operators ------------------------------------------------------------------------


def test_evaluate_alarms_command_raises_and_reports(strain):
    rule(metric=strain)
    feed(KEY, "strain", [(timezone.now() - datetime.timedelta(seconds=5), 500.0)])
    out = io.StringIO()
    call_command("evaluate_alarms", stdout=out)
    assert "1 raised" in out.getvalue()
    assert Alarm.objects.filter(status=Alarm.Status.ACTIVE_UNACK).count() == 1


def test_beat_task_is_registered_in_the_schedule_and_evaluates(strain, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["infrastructure-alarms-evaluate"]
    assert entry["task"] == tasks.alarms_evaluate.name
    rule(metric=strain)
    feed(KEY, "strain", [(timezone.now() - datetime.timedelta(seconds=5), 500.0)])
    assert tasks.alarms_evaluate.apply().get()["raised"] == 1


def test_demo_rules_are_valid_and_seeding_twice_adds_nothing(db):
    rng = random.Random(3)
    infrastructure_demo.seed(stdout=io.StringIO(), rng=rng)
    alarms_demo.seed(stdout=io.StringIO(), rng=rng)
    alarms_demo.seed(stdout=io.StringIO(), rng=rng)
    assert AlarmRule.objects.count() == len(alarms_demo.RULES)
    for demo_rule in AlarmRule.objects.all():
        demo_rule.full_clean()
        assert demo_rule.responsible_groups.filter(name="pejabat").exists()


def test_officials_of_a_responsible_unit_are_notified_but_not_its_other_staff(strain):
    unit = OrgUnitFactory(code="PUPR")
    official = EmployeeFactory(unit=unit, user__roles=["pegawai", "pejabat"]).user
    clerk = EmployeeFactory(unit=unit).user
    elsewhere = EmployeeFactory(user__roles=["pegawai", "pejabat"]).user
    t0 = base_time()
    watch = rule(metric=strain)
    watch.responsible_units.add(unit)
    feed(KEY, "strain", [(t0, 500.0)])
    alarms_evaluate(now=t0)
    notified = set(Message.objects.values_list("recipient_id", flat=True))
    assert official.pk in notified
    assert not {clerk.pk, elsewhere.pk} & notified
