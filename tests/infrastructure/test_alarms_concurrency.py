"""Evaluators running at the same time never make two active alarms or two events."""

from __future__ import annotations

import threading

from django.db import connection

from infrastructure.alarms.models import Alarm, AlarmEvent
from infrastructure.alarms.rules import alarms_evaluate
from tests.infrastructure.alarm_helpers import base_time, feed, minutes, rule

EVALUATORS = 4


def _race(now) -> list:
    barrier = threading.Barrier(EVALUATORS)
    results: list = []
    errors: list = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(alarms_evaluate(now=now))
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(EVALUATORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(results) == EVALUATORS
    return results


def test_concurrent_evaluators_raise_and_clear_one_alarm(transactional_db, empty_readings, sensor):
    strain = sensor.metrics.get(name="strain")
    watch = rule(metric=strain, clear_threshold=250.0)
    t0 = base_time()
    for round_ in range(3):
        start = t0 + minutes(2 * round_)
        feed(sensor.key, "strain", [(start, 500.0)])
        results = _race(start)
        assert sum(outcome.raised for outcome in results) == 1
        assert Alarm.objects.filter(rule=watch, status__in=Alarm.ACTIVE).count() == 1

        feed(sensor.key, "strain", [(start + minutes(1), 100.0)])
        results = _race(start + minutes(1))
        assert sum(outcome.cleared for outcome in results) == 1
        assert not Alarm.objects.filter(rule=watch, status__in=Alarm.ACTIVE).exists()

    assert Alarm.objects.filter(rule=watch).count() == 3
    assert AlarmEvent.objects.filter(kind=AlarmEvent.Kind.RAISED).count() == 3
    assert AlarmEvent.objects.filter(kind=AlarmEvent.Kind.CLEARED).count() == 3
