"""The citizen's inbox: own messages only, read state, the badge, bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Message
from tests.notifications.factories import InboxMessageFactory

pytestmark = pytest.mark.django_db


def test_a_citizen_sees_only_their_own_inbox(client, alice, bob):
    InboxMessageFactory(recipient=alice, subject="Untuk Alice")
    InboxMessageFactory(recipient=bob, subject="Untuk Bob")
    client.force_login(alice)

    html = client.get(reverse("notifications:index")).content.decode()

    assert "Untuk Alice" in html and "Untuk Bob" not in html


def test_another_citizens_message_is_a_404_and_stays_unread(client, alice, bob):
    message = InboxMessageFactory(recipient=bob)
    client.force_login(alice)

    response = client.get(reverse("notifications:detail", args=[message.pk]))

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_opening_a_message_marks_it_read(client, alice):
    message = InboxMessageFactory(recipient=alice, body_text="Baris satu.\nBaris dua.")
    client.force_login(alice)

    response = client.get(reverse("notifications:detail", args=[message.pk]))

    assert response.status_code == 200 and "Baris dua." in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_all_read_is_a_post_and_touches_only_own_messages(client, alice, bob):
    InboxMessageFactory.create_batch(3, recipient=alice)
    InboxMessageFactory(recipient=bob)
    client.force_login(alice)

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert Message.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert Message.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_the_badge_fragment_counts_unread_in_two_queries(
    client, alice, django_assert_max_num_queries
):
    InboxMessageFactory.create_batch(4, recipient=alice)
    InboxMessageFactory(recipient=alice, read_at="2026-01-01T00:00:00Z")
    client.force_login(alice)

    with django_assert_max_num_queries(3):  # session, user, count
        response = client.get(reverse("notifications:badge"))

    html = response.content.decode()
    assert 'data-unread="4"' in html
    assert 'hx-get="/notifikasi/lencana/"' in html and 'href="/notifikasi/"' in html
    assert "every 30s" in html


def test_the_inbox_is_paginated_with_a_fixed_number_of_queries(
    client, alice, django_assert_max_num_queries
):
    InboxMessageFactory.create_batch(45, recipient=alice)
    client.force_login(alice)

    with django_assert_max_num_queries(8):
        first = client.get(reverse("notifications:index"))
    last = client.get(reverse("notifications:index") + "?halaman=3")

    assert first.content.decode().count('class="inbox-item') == 20
    assert last.content.decode().count('class="inbox-item') == 5
    assert client.get(reverse("notifications:index") + "?halaman=zzz").status_code == 200


def test_the_dashboard_shows_the_inbox_card(client, alice):
    InboxMessageFactory(recipient=alice, subject="Pengingat SIM")
    client.force_login(alice)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert "Pengingat SIM" in html and "1 notifikasi belum dibaca" in html


def test_signed_out_visitors_are_sent_to_login(client):
    response = client.get(reverse("notifications:index"))

    assert response.status_code == 302 and "/akun/login/" in response["Location"]
