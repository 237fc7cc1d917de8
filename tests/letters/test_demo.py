"""The e-Surat demo seeder: units, officials, classifications and two letters for warga01."""

from __future__ import annotations

import io
import random

import pytest

from notifications.letters import demo
from notifications.letters.models import Classification, IssuingUnit, Letter, SigningOfficial
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seeder_issues_two_letters_to_warga01_once(fast_renderer):
    citizen = UserFactory(email="warga01@demo.portal.go.id", roles=["warga"])
    UserFactory(email="admin@demo.portal.go.id", is_staff=True, is_superuser=True)
    for _ in range(2):
        demo.seed(stdout=io.StringIO(), rng=random.Random(1))
    assert set(IssuingUnit.objects.values_list("code", flat=True)) == {
        "BKPSDM",
        "PUPR",
        "DISKOMINFO",
    }
    assert SigningOfficial.objects.count() == 3
    assert Classification.objects.filter(code="800.1.11.1").exists()
    assert Letter.objects.filter(recipient=citizen).count() == 2
