"""factory_boy factories for the gamification app."""

from __future__ import annotations

import factory

from gamification.models import Badge, Mission, PointsEntry, PointsRule, Reward


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"lencana-{n}")
    name = factory.Sequence(lambda n: f"Lencana {n}")
    metric = Badge.Metric.ACTIVITY
    verb = "letter.verified"
    thresholds = [1, 5, 10, 30, 60]


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    slug = factory.Sequence(lambda n: f"misi-{n}")
    title = factory.Sequence(lambda n: f"Misi {n}")
    period = Mission.Period.DAILY
    verb = "profile.updated"
    goal = 1
    points = 10


class PointsRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointsRule
        django_get_or_create = ("verb",)

    verb = "notification.read"
    points = 1
    daily_cap = 3


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"Pulsa {n}")
    kind = Reward.Kind.PULSA
    price = 100
    stock = 10


class PointsEntryFactory(factory.django.DjangoModelFactory):
    """A grant of points written straight to the ledger (as an adjustment)."""

    class Meta:
        model = PointsEntry

    kind = PointsEntry.Kind.ADJUSTMENT
    source_id = factory.Sequence(lambda n: f"uji-{n}")
    period = ""
    points = 100
    description = "Penyesuaian uji"
