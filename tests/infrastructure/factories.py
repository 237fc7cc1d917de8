"""factory_boy factories of the infrastructure app."""

from __future__ import annotations

import factory

from infrastructure.models import Asset, Device, Metric, hash_secret


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    kind = Asset.Kind.BRIDGE
    name = factory.Sequence(lambda n: f"Jembatan Uji {n}")
    code = factory.Sequence(lambda n: f"aset-uji-{n}")
    latitude = "-6.900000"
    longitude = "107.600000"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    asset = factory.SubFactory(AssetFactory)
    key = factory.Sequence(lambda n: f"dev-test-{n}")
    name = factory.Sequence(lambda n: f"Sensor {n}")
    secret_hash = hash_secret("rahasia-uji")


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    device = factory.SubFactory(DeviceFactory)
    name = factory.Sequence(lambda n: f"metric_{n}")
    unit = ""
