"""Fixtures of the gamification tests.

Activities are created straight in the outbox table; scoring is called explicitly
(`score`), so the on-commit task is switched off unless a test asks for it.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gamification import services
from gamification.models import PointsAccount
from portal.celery import app as celery_app
from portal.models import Activity
from tests.gamification.factories import PointsEntryFactory


@pytest.fixture(autouse=True)
def _no_enqueue(monkeypatch, request):
    if "eager_celery" not in request.fixturenames:
        monkeypatch.setattr("gamification.signals._enqueue", lambda activity_id: None)


@pytest.fixture
def eager_celery(settings):
    """Celery runs tasks in-process, as the embedded mode's worker would."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def act():
    """act(user, verb, at=None, target=None) writes one activity row; returns it."""

    def make(user, verb, *, at: datetime.datetime | None = None, target=None) -> Activity:
        from django.contrib.contenttypes.models import ContentType

        return Activity.objects.create(
            actor=user,
            verb=verb,
            created_at=at or timezone.now(),
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
        )

    return make


@pytest.fixture
def score():
    def run(*activities) -> services.ScoreResult:
        return services.activities_score(activity_ids=[activity.pk for activity in activities])

    return run


@pytest.fixture
def grant():
    """grant(user, points) credits points to the ledger and its cached account."""

    def run(user, points: int):
        entry = PointsEntryFactory(user=user, points=points)
        account, _created = PointsAccount.objects.get_or_create(user=user)
        account.balance += points
        account.earned += points
        account.save()
        return entry

    return run
