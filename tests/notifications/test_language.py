"""Each citizen gets notices in their own language (User.language), falling back to Indonesian."""

from __future__ import annotations

import pytest

from notifications.services import notify

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "Jadwal", "body": "Isi"}


def _inbox(user, key):
    [message] = notify(
        recipients=[user],
        template_key="announcement.generic",
        context=CONTEXT,
        category="announcements",
        channels=["inbox"],
        idempotency_key=key,
    )
    return message


def test_a_citizen_who_chose_english_gets_the_english_text(alice, bob):
    alice.language = "en"
    alice.save(update_fields=["language"])

    english, indonesian = _inbox(alice, "a"), _inbox(bob, "b")

    assert english.language == "en" and english.body_text.startswith(
        f"Dear {alice.get_full_name()},"
    )
    assert indonesian.language == "id" and indonesian.body_text.startswith(
        f"Yth. {bob.get_full_name()},"
    )


def test_one_batch_renders_each_recipient_in_their_language(alice, bob):
    alice.language = "en"
    alice.save(update_fields=["language"])

    messages = notify(
        recipients=[alice, bob],
        template_key="announcement.generic",
        context=CONTEXT,
        category="announcements",
        channels=["inbox"],
        idempotency_key="batch",
    )

    by_user = {m.recipient_id: m for m in messages}
    assert by_user[alice.pk].body_text.startswith(f"Dear {alice.get_full_name()},")
    assert by_user[bob.pk].body_text.startswith(f"Yth. {bob.get_full_name()},")


def test_a_language_without_a_template_falls_back_to_indonesian(alice):
    from notifications.models import NotificationTemplate

    NotificationTemplate.objects.filter(
        template_key__key="announcement.generic", language="en"
    ).delete()
    alice.language = "en"
    alice.save(update_fields=["language"])

    assert _inbox(alice, "c").language == "id"


def test_a_citizen_chooses_their_language_on_the_settings_page(client, alice):
    from django.urls import reverse

    client.force_login(alice)
    url = reverse("notifications:preferences")

    page = client.get(url).content.decode()
    chosen = client.post(url, {"language": "en"})
    alice.refresh_from_db()
    nonsense = client.post(url, {"language": "xx"})

    assert '<select id="pref-language" name="language">' in page
    assert chosen.status_code == 302 and nonsense.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "en"
