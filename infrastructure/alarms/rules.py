"""The alarm evaluator: all enabled rules against the latest values, set-based, every tick.

Nothing here runs in the ingest path (which must sustain 60k readings/s): a beat task
calls `alarms_evaluate()` every few seconds. One tick costs a fixed handful of queries
(rules, metrics in scope with their `LatestValue`, devices for offline rules, active
alarms), plus two queries over raw readings per distinct rule duration, and only for
the metrics whose latest value already breaches a threshold (the candidates).

Definitions (the contract the tests check):

- **Sample and hold.** A reading's value holds until the next reading of its metric,
  but never longer than its device's `offline_after`: a silent device is the offline
  rule's business, not a threshold rule's.
- **Above/below T for at least N minutes** holds at time `now` when every reading in
  [anchor, now] breaches T (strictly: value > T, or < T for "below"), where `anchor` is
  the metric's last reading at or before `now - N min` and no older than
  `now - N min - offline_after`. In other words the breach began no later than N
  minutes ago and no reading since has been on the safe side. With N = 0 any reading
  decides: the latest value, and every reading since the rule's previous evaluation
  (`peaks_checked_until`, up to PEAK_LAG before now, so that readings still in the
  pipeline are not skipped), so a spike between two ticks raises an alarm — at its
  peak value and severity — which a later tick clears once the latest value is on
  the safe side. The same window decides the severity: the escalated severity
  when every reading in it also breaches the escalated threshold.
- **Rate of change** is (latest value - anchor value) / minutes between them, with the
  anchor as above and N the window; its magnitude is compared with the thresholds,
  and alarms store magnitudes as their values.
- **Clear, with hysteresis**: an active alarm clears as soon as the latest value (or
  rate) is on the safe side of the clear threshold, inclusive (raise above 80, clear at
  75 or below); between the two it stays active. An escalated alarm de-escalates as
  soon as the latest value no longer breaches the escalated threshold.
- **Offline**: a device silent (since `last_seen`, or since it was registered if it
  never reported) for longer than its `offline_after` plus the rule's N minutes raises
  the alarm; it clears as soon as the device is online again.

Alarms of a disabled rule or device are no longer evaluated: they stay as they are
until an official clears them (the inbox still lists them).

Concurrency: every change is its own short transaction. A new alarm is an INSERT under
the partial unique constraint "one active alarm per (device, rule)": a second evaluator
racing on the same alarm gets an IntegrityError and skips. A change to an active alarm
first locks its row (select_for_update) and re-checks the state it decided on, so a
concurrent evaluator or official never makes it twice.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, F, FloatField, Max, Min, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from infrastructure.alarms import notices
from infrastructure.alarms.models import Alarm, AlarmEvent, AlarmRule
from infrastructure.models import Device, Metric, Reading

logger = logging.getLogger(__name__)

_CHUNK = 200  # OR-ed (metric, anchor) terms per query over raw readings
# Readings younger than this may still be on their way (ingest p95 is well under a
# second); the next evaluation checks them for peaks.
PEAK_LAG = datetime.timedelta(seconds=5)
# After a pause of the evaluator, peaks are looked for this far back at most.
PEAK_LOOKBACK = datetime.timedelta(minutes=15)


@dataclass
class Outcome:
    raised: int = 0
    escalated: int = 0
    deescalated: int = 0
    cleared: int = 0
    updated: int = 0
    rules: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Target:
    """One (rule, metric) pair in scope, with the metric's latest value."""

    rule: AlarmRule
    metric_id: int
    device_id: int
    offline_after: int
    value: float | None
    ts: datetime.datetime | None
    alarm: Alarm | None = None
    window: tuple[float, float] | None = field(default=None)  # (min, max) over the window


def _scope_metrics(rules: list[AlarmRule]) -> list[dict]:
    ids = {rule.metric_id for rule in rules if rule.metric_id}
    pairs = {(rule.asset_kind, rule.metric_name) for rule in rules if not rule.metric_id}
    condition = Q(id__in=ids) if ids else Q(pk__in=[])
    for kind, name in pairs:
        condition |= Q(name=name, device__asset__kind=kind)
    return list(
        Metric.objects.filter(condition, device__enabled=True).values(
            "id",
            "name",
            "device_id",
            "device__asset__kind",
            "device__offline_after",
            "latest__value",
            "latest__ts",
        )
    )


def _threshold_targets(rules: list[AlarmRule]) -> list[_Target]:
    if not rules:
        return []
    metrics = _scope_metrics(rules)
    by_id = {row["id"]: row for row in metrics}
    by_kind_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in metrics:
        by_kind_name[(row["device__asset__kind"], row["name"])].append(row)
    targets = []
    for rule in rules:
        if rule.metric_id:
            rows = [by_id[rule.metric_id]] if rule.metric_id in by_id else []
        else:
            rows = by_kind_name.get((rule.asset_kind, rule.metric_name), [])
        targets.extend(
            _Target(
                rule=rule,
                metric_id=row["id"],
                device_id=row["device_id"],
                offline_after=row["device__offline_after"],
                value=row["latest__value"],
                ts=row["latest__ts"],
            )
            for row in rows
        )
    return targets


def _anchors(
    groups: dict[datetime.datetime, list[_Target]],
) -> dict[tuple[int, datetime.datetime], datetime.datetime]:
    """Per (metric, since): the last reading's time at or before `since`, within hold."""
    found = {}
    for since, targets in groups.items():
        hold = max(target.offline_after for target in targets)
        rows = (
            Reading.objects.filter(
                metric_id__in={target.metric_id for target in targets},
                ts__lte=since,
                ts__gte=since - datetime.timedelta(seconds=hold),
            )
            .values("metric_id")
            .annotate(anchor=Max("ts"))
            .values_list("metric_id", "anchor")
        )
        limits = {target.metric_id: target.offline_after for target in targets}
        for metric_id, anchor in rows:
            if anchor >= since - datetime.timedelta(seconds=limits[metric_id]):
                found[(metric_id, since)] = anchor
    return found


def _windows(targets: list[_Target], now: datetime.datetime) -> None:
    """Fill `target.window` with (min, max) over [anchor, now] where the window is covered."""
    groups: dict[datetime.datetime, list[_Target]] = defaultdict(list)
    for target in targets:
        groups[now - datetime.timedelta(minutes=target.rule.duration_minutes)].append(target)
    anchors = _anchors(groups)
    by_metric: dict[int, set[datetime.datetime]] = defaultdict(set)
    for (metric_id, _since), anchor in anchors.items():
        by_metric[metric_id].add(anchor)
    # One grouped query per chunk of metrics; a metric watched by rules of different
    # durations (several anchors, rare) is aggregated once per anchor.
    single = sorted((m, next(iter(a))) for m, a in by_metric.items() if len(a) == 1)
    extremes: dict[tuple[int, datetime.datetime], tuple[float, float]] = {}
    for start in range(0, len(single), _CHUNK):
        chunk = dict(single[start : start + _CHUNK])
        condition = Q()
        for metric_id, anchor in chunk.items():
            condition |= Q(metric_id=metric_id, ts__gte=anchor)
        rows = (
            Reading.objects.filter(condition, ts__lte=now)
            .values("metric_id")
            .annotate(low=Min("value"), high=Max("value"))
            .values_list("metric_id", "low", "high")
        )
        for metric_id, low, high in rows:
            extremes[(metric_id, chunk[metric_id])] = (low, high)
    for metric_id, several in by_metric.items():
        if len(several) == 1:
            continue
        for anchor in several:
            row = Reading.objects.filter(
                metric_id=metric_id, ts__gte=anchor, ts__lte=now
            ).aggregate(low=Min("value"), high=Max("value"))
            if row["low"] is not None:
                extremes[(metric_id, anchor)] = (row["low"], row["high"])
    for since, group in groups.items():
        for target in group:
            anchor = anchors.get((target.metric_id, since))
            if anchor is not None:
                target.window = extremes.get((target.metric_id, anchor))


def _rates(targets: list[_Target], now: datetime.datetime) -> None:
    """Replace each rate target's value by |change per minute| over its window (or None)."""
    groups: dict[datetime.datetime, list[_Target]] = defaultdict(list)
    for target in targets:
        groups[now - datetime.timedelta(minutes=target.rule.duration_minutes)].append(target)
    anchors = _anchors(groups)
    terms = sorted({(metric_id, anchor) for (metric_id, _since), anchor in anchors.items()})
    values: dict[tuple[int, datetime.datetime], float] = {}
    for start in range(0, len(terms), _CHUNK):
        condition = Q()
        for metric_id, anchor in terms[start : start + _CHUNK]:
            condition |= Q(metric_id=metric_id, ts=anchor)
        for metric_id, ts, value in Reading.objects.filter(condition).values_list(
            "metric_id", "ts", "value"
        ):
            values[(metric_id, ts)] = value
    for since, group in groups.items():
        for target in group:
            anchor = anchors.get((target.metric_id, since))
            if anchor is None or target.ts is None or target.ts <= anchor:
                target.value = None
                continue
            minutes = (target.ts - anchor).total_seconds() / 60
            target.value = abs(target.value - values[(target.metric_id, anchor)]) / minutes


def _level(rule: AlarmRule, value: float | None) -> str | None:
    """The severity `value` reaches under `rule`, or None when it breaches nothing."""
    if value is None or not rule.breaches(value, rule.threshold):
        return None
    if rule.escalated_severity and rule.breaches(value, rule.escalated_threshold):
        return rule.escalated_severity
    return rule.severity


def _window_level(target: _Target) -> str | None:
    if target.window is None:
        return None
    low, high = target.window
    # The least alarming reading of the window decides what held throughout it.
    return _level(target.rule, high if target.rule.kind == AlarmRule.Kind.BELOW else low)


# --- the changes, each its own transaction -------------------------------------------


def _record(
    alarm: Alarm, kind: str, now: datetime.datetime, value: float | None, **extra
) -> AlarmEvent:
    event = AlarmEvent.objects.create(
        alarm=alarm, kind=kind, at=now, severity=alarm.severity, value=value, **extra
    )
    notices.alarm_event_notify(event=event)
    return event


def _raise(
    *,
    rule: AlarmRule,
    device_id: int,
    metric_id: int | None,
    severity: str,
    value: float | None,
    now: datetime.datetime,
) -> bool:
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                rule=rule,
                device_id=device_id,
                metric_id=metric_id,
                severity=severity,
                started_at=now,
                updated_at=now,
                start_value=value,
                last_value=value,
                peak_value=value,
            )
            _record(alarm, AlarmEvent.Kind.RAISED, now, value)
    except IntegrityError:
        # Another evaluator raised it first: the partial unique constraint held. Any
        # other integrity error (a device deleted meanwhile…) is not swallowed.
        if not Alarm.objects.filter(
            rule=rule, device_id=device_id, status__in=Alarm.ACTIVE
        ).exists():
            raise
        logger.debug("Alarm for device %s, rule %s already raised", device_id, rule.pk)
        return False
    return True


@transaction.atomic
def _change(
    *,
    alarm_id: int,
    expect_severity: str,
    kind: str,
    severity: str | None,
    value: float | None,
    now: datetime.datetime,
) -> bool:
    alarm = (
        # of=self: lock the alarm row only, not the joined rule an admin may be editing.
        Alarm.objects.select_for_update(of=("self",))
        .select_related("rule")
        .filter(pk=alarm_id, status__in=Alarm.ACTIVE)
        .first()
    )
    if alarm is None or alarm.severity != expect_severity:
        return False  # cleared or changed meanwhile by another evaluator or an official
    fields = ["updated_at", "last_value", "peak_value"]
    alarm.updated_at = now
    alarm.last_value = value
    if value is not None and (
        alarm.peak_value is None or alarm.rule.breaches(value, alarm.peak_value)
    ):
        alarm.peak_value = value
    if kind == AlarmEvent.Kind.CLEARED:
        alarm.clear()
        alarm.cleared_at = now
        fields += ["status", "cleared_at"]
    else:
        alarm.severity = severity
        fields.append("severity")
    alarm.save(update_fields=fields)
    _record(alarm, kind, now, value)
    return True


def _track_values(pairs: list[tuple[_Target, float]], now: datetime.datetime) -> int:
    """last_value and peak of still-active alarms, one UPDATE per direction."""
    updated = 0
    for lower_is_worse in (False, True):
        chosen = [
            (target.alarm.pk, value)
            for target, value in pairs
            if (target.rule.kind == AlarmRule.Kind.BELOW) == lower_is_worse
        ]
        if not chosen:
            continue
        new_value = Case(
            *(When(pk=pk, then=Value(value)) for pk, value in chosen), output_field=FloatField()
        )
        worst = F("peak_value") if not lower_is_worse else -F("peak_value")
        candidate = new_value if not lower_is_worse else -new_value
        peak = Greatest(worst, candidate, output_field=FloatField())
        updated += Alarm.objects.filter(
            pk__in=[pk for pk, _v in chosen], status__in=Alarm.ACTIVE
        ).update(
            last_value=new_value,
            peak_value=peak if not lower_is_worse else -peak,
            updated_at=now,
        )
    return updated


# --- evaluation -----------------------------------------------------------------------


def _is_fresh(target: _Target, now: datetime.datetime) -> bool:
    return target.ts is not None and target.ts >= now - datetime.timedelta(
        seconds=target.offline_after
    )


def _evaluate_values(targets: list[_Target], now: datetime.datetime, outcome: Outcome) -> None:
    """Threshold and rate targets: raise, escalate, de-escalate, clear, track values."""
    # Raw readings are read only for metrics that breach now and would change state.
    needs_window = []
    for target in targets:
        rule, alarm = target.rule, target.alarm
        if rule.kind == AlarmRule.Kind.RATE or rule.duration_minutes == 0:
            continue
        level = _level(rule, target.value)
        if not _is_fresh(target, now) or level is None:
            continue
        if alarm is None or (level == rule.escalated_severity and alarm.severity == rule.severity):
            needs_window.append(target)
    if needs_window:
        _windows(needs_window, now)

    tracked = []
    for target in targets:
        rule, alarm, value = target.rule, target.alarm, target.value
        if value is None:
            continue
        if rule.kind == AlarmRule.Kind.RATE or rule.duration_minutes == 0:
            held = _level(rule, value) if _is_fresh(target, now) else None
        else:
            held = _window_level(target)
        if alarm is None:
            if held is not None:
                outcome.raised += _raise(
                    rule=rule,
                    device_id=target.device_id,
                    metric_id=target.metric_id,
                    severity=held,
                    value=value,
                    now=now,
                )
            continue
        change = None
        if rule.is_clear(value):
            change = (AlarmEvent.Kind.CLEARED, None)
        elif rule.escalated_severity and alarm.severity == rule.severity:
            if held == rule.escalated_severity:
                change = (AlarmEvent.Kind.ESCALATED, rule.escalated_severity)
        elif rule.escalated_severity and not rule.breaches(value, rule.escalated_threshold):
            change = (AlarmEvent.Kind.DEESCALATED, rule.severity)
        if change is None:
            if value != alarm.last_value:
                tracked.append((target, value))
            continue
        kind, severity = change
        changed = _change(
            alarm_id=alarm.pk,
            expect_severity=alarm.severity,
            kind=kind,
            severity=severity,
            value=value,
            now=now,
        )
        if kind == AlarmEvent.Kind.CLEARED:
            outcome.cleared += changed
        elif kind == AlarmEvent.Kind.ESCALATED:
            outcome.escalated += changed
        else:
            outcome.deescalated += changed
    outcome.updated += _track_values(tracked, now)


def _evaluate_peaks(targets: list[_Target], now: datetime.datetime, outcome: Outcome) -> None:
    """Rules with no duration: raise for a breach between the previous evaluation and now.

    Only targets without an active alarm and whose latest value is on the safe side
    are looked at (the others are `_evaluate_values`' business): one grouped query per
    rule, over the index of (metric, time).
    """
    until = now - PEAK_LAG
    by_rule: dict[AlarmRule, list[_Target]] = defaultdict(list)
    for target in targets:
        if target.rule.kind != AlarmRule.Kind.RATE and target.rule.duration_minutes == 0:
            by_rule[target.rule].append(target)
    for rule, group in by_rule.items():
        if rule.peaks_checked_until is None:
            continue  # a new rule starts from now: old readings are history, not alarms
        since = max(rule.peaks_checked_until, until - PEAK_LOOKBACK)
        quiet = {
            target.metric_id: target
            for target in group
            if target.alarm is None and _level(rule, target.value) is None
        }
        if since >= until or not quiet:
            continue
        extreme = Min("value") if rule.kind == AlarmRule.Kind.BELOW else Max("value")
        rows = (
            Reading.objects.filter(metric_id__in=list(quiet), ts__gt=since, ts__lte=until)
            .values("metric_id")
            .annotate(peak=extreme)
            .values_list("metric_id", "peak")
        )
        for metric_id, peak in rows:
            level = _level(rule, peak)
            if level is not None:
                outcome.raised += _raise(
                    rule=rule,
                    device_id=quiet[metric_id].device_id,
                    metric_id=metric_id,
                    severity=level,
                    value=peak,
                    now=now,
                )
    if by_rule:
        AlarmRule.objects.filter(pk__in=[rule.pk for rule in by_rule]).filter(
            Q(peaks_checked_until__isnull=True) | Q(peaks_checked_until__lt=until)
        ).update(peaks_checked_until=until)


def _evaluate_offline(
    rules: list[AlarmRule],
    active: dict[tuple[int, int], Alarm],
    now: datetime.datetime,
    outcome: Outcome,
) -> None:
    if not rules:
        return
    device_ids = {rule.metric.device_id for rule in rules if rule.metric_id}
    kinds = {rule.asset_kind for rule in rules if not rule.metric_id}
    devices = list(
        Device.objects.filter(Q(id__in=device_ids) | Q(asset__kind__in=kinds), enabled=True).values(
            "id", "asset__kind", "last_seen", "offline_after", "created_at"
        )
    )
    for rule in rules:
        for device in devices:
            in_scope = (
                device["id"] == rule.metric.device_id
                if rule.metric_id
                else device["asset__kind"] == rule.asset_kind
            )
            if not in_scope:
                continue
            seen = device["last_seen"] or device["created_at"]
            silent = (now - seen).total_seconds()
            alarm = active.get((device["id"], rule.pk))
            if alarm is None:
                if silent > device["offline_after"] + rule.duration_minutes * 60:
                    outcome.raised += _raise(
                        rule=rule,
                        device_id=device["id"],
                        metric_id=None,
                        severity=rule.severity,
                        value=None,
                        now=now,
                    )
            elif device["last_seen"] is not None and silent <= device["offline_after"]:
                outcome.cleared += _change(
                    alarm_id=alarm.pk,
                    expect_severity=alarm.severity,
                    kind=AlarmEvent.Kind.CLEARED,
                    severity=None,
                    value=None,
                    now=now,
                )


def alarms_evaluate(*, now: datetime.datetime | None = None) -> Outcome:
    """Evaluate every enabled rule once (see the module docstring for the definitions)."""
    now = now or timezone.now()
    outcome = Outcome()
    rules = list(AlarmRule.objects.filter(enabled=True).select_related("metric"))
    outcome.rules = len(rules)
    if not rules:
        return outcome
    active = {
        (alarm.device_id, alarm.rule_id): alarm
        for alarm in Alarm.objects.filter(status__in=Alarm.ACTIVE, rule__enabled=True)
    }
    value_rules = [rule for rule in rules if rule.kind != AlarmRule.Kind.OFFLINE]
    targets = _threshold_targets(value_rules)
    for target in targets:
        target.alarm = active.get((target.device_id, target.rule.pk))
    rate_targets = [t for t in targets if t.rule.kind == AlarmRule.Kind.RATE]
    if rate_targets:
        _rates(rate_targets, now)
    _evaluate_values(targets, now, outcome)
    _evaluate_peaks(targets, now, outcome)
    offline_rules = [rule for rule in rules if rule.kind == AlarmRule.Kind.OFFLINE]
    _evaluate_offline(offline_rules, active, now, outcome)
    return outcome
