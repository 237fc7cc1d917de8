"""Staff must set up TOTP before using the portal; citizens are not forced; admin login is allauth's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _path_and_next(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query).get("next", [])


STAFF_PAGES = ["portal:dashboard", "portal:profile", "admin:index"]


def test_the_mfa_personas_have_an_active_totp_authenticator(
    pegawai_user, pegawai_with_mfa, admin_user
):
    assert not is_mfa_enabled(pegawai_user)
    assert is_mfa_enabled(pegawai_with_mfa)
    assert is_mfa_enabled(admin_user)
    assert Authenticator.objects.get(user=pegawai_with_mfa).type == Authenticator.Type.TOTP


@pytest.mark.parametrize("url_name", STAFF_PAGES)
def test_staff_without_mfa_are_sent_to_totp_setup(client, pegawai_user, url_name):
    client.force_login(pegawai_user)
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert _path_and_next(response.url) == (reverse("mfa_activate_totp"), [url])


def test_the_totp_setup_redirect_keeps_the_whole_page_address_as_next(client, pegawai_user):
    client.force_login(pegawai_user)
    url = f"{reverse('portal:activity_list')}?halaman=2&urut=baru"

    response = client.get(url)

    assert response.status_code == 302
    assert _path_and_next(response.url) == (reverse("mfa_activate_totp"), [url])


@pytest.mark.parametrize("url_name", STAFF_PAGES)
def test_an_admin_without_mfa_is_sent_to_totp_setup(client, url_name):
    admin_without_mfa = UserFactory(is_staff=True, is_superuser=True, roles=["admin"])
    client.force_login(admin_without_mfa)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


@pytest.mark.parametrize("role", ["atasan", "pejabat"])
def test_every_staff_role_must_set_up_mfa(client, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(reverse("portal:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_staff_without_mfa_can_still_open_the_totp_setup_and_sign_out(client, pegawai_user):
    client.force_login(pegawai_user)

    # allauth asks for the password again before enrolling a factor (force_login is not "recent").
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 302
    assert setup.url.startswith(reverse("account_reauthenticate"))
    assert client.get(setup.url).status_code == 200

    logout = client.post(reverse("account_logout"))

    assert logout.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url_name", ["portal:dashboard", "portal:profile"])
def test_staff_with_mfa_reach_the_portal(client, pegawai_with_mfa, url_name):
    client.force_login(pegawai_with_mfa)

    assert client.get(reverse(url_name)).status_code == 200


def test_an_admin_with_mfa_reaches_the_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Administrasi" in response.content.decode()


@pytest.mark.parametrize("url_name", ["portal:dashboard", "portal:profile", "portal:activity_list"])
def test_citizens_are_not_forced_to_set_up_mfa(client, alice, url_name):
    client.force_login(alice)

    assert client.get(reverse(url_name)).status_code == 200


def test_the_admin_sends_anonymous_visitors_to_the_allauth_login(client):
    response = client.get(reverse("admin:index"), follow=True)

    final_url, _status = response.redirect_chain[-1]
    assert final_url == reverse("account_login", query={"next": reverse("admin:index")})
    assert response.status_code == 200
    assert response.resolver_match.view_name == "account_login"


def test_the_admin_login_page_itself_redirects_to_the_allauth_login(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_admin_login_form_cannot_be_posted_to_around_allauth(client, admin_user):
    response = client.post(
        reverse("admin:login"), {"username": admin_user.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_citizen_signed_in_is_refused_by_the_admin(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403
