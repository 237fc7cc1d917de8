"""Personas shared by the test suite.

alice and bob are citizens (warga) with profiles and NIKs; pegawai_user is a civil
servant who has not set up MFA yet, pegawai_with_mfa one who has; admin_user is a
superuser with MFA. Staff must enrol TOTP before using the portal (see
portal.middleware), so the MFA personas differ on purpose.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from tests.factories import CitizenProfileFactory, UserFactory

ALICE_NIK = "3273014105900001"  # woman, born 1 May 1990 (day 01 + 40)
BOB_NIK = "3273012311880002"  # man, born 23 November 1988


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    """allauth keeps its rate limits in the cache (Redis): each database test starts with none spent."""
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        cache.clear()


@pytest.fixture
def alice(db):
    profile = CitizenProfileFactory(
        user__email="alice@example.id",
        user__display_name="Alice",
        full_name="Alice Wulandari",
        birth_date=datetime.date(1990, 5, 1),
        nik=ALICE_NIK,
        phone="081234567890",
    )
    return profile.user


@pytest.fixture
def bob(db):
    profile = CitizenProfileFactory(
        user__email="bob@example.id",
        user__display_name="Bob",
        full_name="Bambang Sutrisno",
        birth_date=datetime.date(1988, 11, 23),
        nik=BOB_NIK,
        phone="085700011122",
    )
    return profile.user


@pytest.fixture
def pegawai_user(db):
    return UserFactory(email="pegawai@example.go.id", display_name="Pegawai", roles=["pegawai"])


@pytest.fixture
def pegawai_with_mfa(db):
    return UserFactory(
        email="pegawai.mfa@example.go.id", display_name="Pegawai MFA", roles=["pegawai"], mfa=True
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(
        email="admin@example.go.id",
        display_name="Admin",
        is_staff=True,
        is_superuser=True,
        roles=["admin"],
        mfa=True,
    )
