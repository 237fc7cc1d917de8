"""One-click unsubscribe (RFC 8058) and the preferences page; transactional notices stay on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Preference
from notifications.services import notify, unsubscribe_token
from portal.models import Activity
from tests.notifications.factories import category

pytestmark = pytest.mark.django_db


def _url(user, category_key="reminders") -> str:
    token = unsubscribe_token(user_id=user.pk, category_key=category_key)
    return reverse("notifications:unsubscribe", args=[token])


def _reminder(user):
    return notify(
        recipients=[user],
        template_key="reminder.document",
        context={"document": "SIM", "number": "1", "expires_on": "2026-01-01", "days_left": 1},
        category="reminders",
    )


def test_opening_the_link_asks_first_and_changes_nothing(client, alice):
    response = client.get(_url(alice))

    assert response.status_code == 200
    assert "Ya, berhenti berlangganan" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_one_click_post_without_a_session_or_csrf_token_unsubscribes(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post(_url(alice), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    preference = Preference.objects.get(user=alice)
    assert (preference.category.key, preference.channel, preference.enabled) == (
        "reminders",
        "email",
        False,
    )
    assert Activity.objects.filter(actor=alice, verb="notifications.unsubscribed").count() == 1
    assert sorted(m.channel for m in _reminder(alice)) == ["inbox", "sms"]


def test_a_forged_token_is_a_404(client, alice):
    response = client.post(_url(alice).replace("reminders", "security").rstrip("/") + "x/")

    assert response.status_code == 404
    assert not Preference.objects.exists()


def test_a_transactional_category_cannot_be_unsubscribed(client, alice):
    response = client.post(_url(alice, "security"))

    assert response.status_code == 200
    assert "wajib" in response.content.decode()
    assert not Preference.objects.exists()


def test_the_preferences_page_shows_transactional_categories_locked(client, alice):
    client.force_login(alice)

    response = client.get(reverse("notifications:preferences"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="pref-security-email" name="pref-security-email" checked disabled' in html
    assert 'id="pref-reminders-email" name="pref-reminders-email" checked>' in html


def test_saving_preferences_switches_channels_and_never_transactional_ones(client, alice):
    client.force_login(alice)

    # Only reminders by SMS stays on; a forged field tries to switch security email off.
    response = client.post(reverse("notifications:preferences"), {"pref-reminders-sms": "on"})

    assert response.status_code == 302
    chosen = {(p.category.key, p.channel): p.enabled for p in Preference.objects.filter(user=alice)}
    assert chosen[("reminders", "email")] is False
    assert ("reminders", "sms") not in chosen  # the default, not stored
    assert not any(key[0] in {"security", "letters"} for key in chosen)
    assert sorted(m.channel for m in _reminder(alice)) == ["inbox", "sms"]
    security = notify(
        recipients=[alice],
        template_key="reminder.document",
        context={},
        category=category("security"),
    )
    assert sorted(m.channel for m in security) == ["email", "inbox"]
