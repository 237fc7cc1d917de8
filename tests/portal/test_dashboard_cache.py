"""The dashboard's cards are cached per user and refresh when the user's rows change."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import cards
from portal.models import Activity
from tests.factories import ActivityFactory, CitizenDocumentFactory
from tests.notifications.factories import InboxMessageFactory

pytestmark = pytest.mark.django_db


def _dashboard(client) -> str:
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeated_dashboard_load_costs_one_query(client, alice):
    CitizenDocumentFactory.create_batch(3, owner=alice)
    client.force_login(alice)
    _dashboard(client)

    with CaptureQueriesContext(connection) as queries:
        html = _dashboard(client)

    # The user with their roles; the session and the cards come from the cache.
    assert len(queries) == 1
    assert "Alice Wulandari" in html


def test_a_new_document_shows_at_once(client, alice):
    client.force_login(alice)
    assert "STNK (Surat Tanda Nomor Kendaraan)" not in _dashboard(client)

    CitizenDocumentFactory(owner=alice, kind="stnk")

    assert "STNK (Surat Tanda Nomor Kendaraan)" in _dashboard(client)


def test_a_new_notification_shows_at_once(client, alice):
    client.force_login(alice)
    _dashboard(client)

    InboxMessageFactory(recipient=alice, subject="Pengingat SIM")

    html = _dashboard(client)
    assert "Pengingat SIM" in html and "1 notifikasi belum dibaca" in html


def test_the_users_own_activity_refreshes_the_dashboard(client, alice):
    client.force_login(alice)
    assert "Menambahkan dokumen" not in _dashboard(client)

    ActivityFactory(actor=alice, verb="document.added")

    assert "Menambahkan dokumen" in _dashboard(client)


def test_one_users_cards_never_show_on_anothers_dashboard(client, alice, bob):
    CitizenDocumentFactory(owner=alice, kind="stnk")
    client.force_login(alice)
    assert "Alice Wulandari" in _dashboard(client)

    client.force_login(bob)
    html = _dashboard(client)

    assert "Bambang Sutrisno" in html
    assert "Alice Wulandari" not in html
    assert "STNK (Surat Tanda Nomor Kendaraan)" not in html


def test_changes_no_signal_reports_show_once_the_entry_expires(client, alice, settings):
    settings.DASHBOARD_CACHE_S = 1
    client.force_login(alice)
    _dashboard(client)
    # A bulk insert sends no post_save signal.
    Activity.objects.bulk_create([Activity(actor=alice, verb="document.deleted")])
    assert "Menghapus dokumen" not in _dashboard(client)

    time.sleep(1.2)

    assert "Menghapus dokumen" in _dashboard(client)


def test_the_cards_follow_the_language(client, alice):
    client.force_login(alice)
    assert "Dokumen saya" in _dashboard(client)

    client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:dashboard")})

    assert "Dokumen saya" not in _dashboard(client)


def test_the_dashboard_works_without_the_cache(client, alice, monkeypatch):
    client.force_login(alice)
    _dashboard(client)

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cards.cache, "get_many", broken)
    monkeypatch.setattr(cards.cache, "set", broken)
    CitizenDocumentFactory(owner=alice, kind="stnk")

    assert "STNK (Surat Tanda Nomor Kendaraan)" in _dashboard(client)


def test_a_change_committed_after_a_load_began_is_not_hidden(alice, rf):
    """The entry is stored under the version read before the cards were computed."""
    request = rf.get(reverse("portal:dashboard"))
    request.user = alice
    cards.cards_html(request)
    key_version = cards.cache.get(cards._version_key(alice.pk))

    cards.dashboard_invalidate(user_ids={alice.pk})

    assert cards.cache.get(cards._version_key(alice.pk)) != key_version


def test_a_transaction_bumps_at_each_change_and_once_on_commit(
    alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    bumps: list[set[int]] = []
    monkeypatch.setattr(cards, "_bump", lambda ids: bumps.append(set(ids)))
    # The fixtures' own saves registered a commit bump in the test's transaction.
    monkeypatch.setattr(connection, "_portal_dashboard_pending", None, raising=False)

    with django_capture_on_commit_callbacks(execute=True):
        ActivityFactory.create_batch(3, actor=alice)
        CitizenDocumentFactory(owner=alice)
        ActivityFactory(actor=bob)

    assert bumps == [{alice.pk}] * 4 + [{bob.pk}] + [{alice.pk, bob.pk}]
