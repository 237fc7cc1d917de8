"""The authentication backend loads the user with their roles and MFA state in one query."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from portal.backends import ModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_roles_and_mfa_state_come_in_one_query(django_assert_num_queries):
    user = UserFactory(roles=["warga", "pegawai"])

    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(user.pk)
        assert loaded.role_names == frozenset({"warga", "pegawai"})
        assert loaded.has_role("pegawai") and loaded.is_staff_role
        assert loaded.mfa_enabled is False

    assert loaded == user


def test_an_enrolled_authenticator_is_seen():
    user = UserFactory(roles=["pegawai"])
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})

    assert ModelBackend().get_user(user.pk).mfa_enabled is True


def test_a_user_without_roles_has_none():
    user = UserFactory()

    assert ModelBackend().get_user(user.pk).role_names == frozenset()


def test_a_removed_role_is_gone_on_the_next_load():
    user = UserFactory(roles=["warga", "admin"])
    user.groups.remove(Group.objects.get(name="admin"))

    assert ModelBackend().get_user(user.pk).role_names == frozenset({"warga"})


def test_inactive_missing_or_malformed_users_are_nobody():
    inactive = UserFactory(is_active=False)

    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk + 1000) is None
    assert ModelBackend().get_user("not-an-id") is None
