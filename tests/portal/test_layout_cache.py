"""Layout fragments cached per process must still fit the page, the visitor and the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_form_looks_the_same_from_the_cache(client):
    first = client.get(reverse("account_login")).content.decode()
    second = client.get(reverse("account_login")).content.decode()

    assert 'name="login"' in first and 'name="password"' in first
    assert first.count('name="login"') == second.count('name="login"') == 1


def test_a_failed_login_shows_its_error_and_keeps_the_email(client, alice):
    client.get(reverse("account_login"))  # the empty form is now cached

    response = client.post(
        reverse("account_login"), {"login": "alice@example.id", "password": "salah-sekali-123"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="alice@example.id"' in html
    assert "errorlist" in html


def test_the_menu_marks_the_page_being_shown(client, alice):
    client.force_login(alice)
    dashboard = reverse("portal:dashboard")
    profile = reverse("portal:profile")

    on_dashboard = client.get(dashboard).content.decode()
    on_profile = client.get(profile).content.decode()

    assert f'<a href="{dashboard}" aria-current="page">' in on_dashboard
    assert f'<a href="{profile}" aria-current="page">' in on_profile
    assert f'<a href="{dashboard}" aria-current="page">' not in on_profile


def test_the_menu_follows_the_roles_of_whoever_asks(client, alice):
    admin = UserFactory(roles=["admin"], is_staff=True, is_superuser=True)
    client.force_login(alice)
    assert f'href="{reverse("admin:index")}"' not in client.get(reverse("portal:profile")).text

    client.force_login(admin)
    # Staff without MFA are sent to enrol from most pages; the public letter check stays
    # open to them and shows the signed-in menu.
    html = client.get(reverse("letters:verify_upload")).text

    assert f'href="{reverse("admin:index")}"' in html


def test_a_visitor_sees_sign_in_links_and_a_signed_in_user_does_not(client, alice):
    assert reverse("account_signup") in client.get(reverse("portal:home")).text

    client.force_login(alice)

    assert reverse("account_signup") not in client.get(reverse("portal:profile")).text
