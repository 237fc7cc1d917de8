"""The mission pages: own data only, opt-in leaderboard without personal data, bounded queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gamification import services
from gamification.models import LeaderboardOptIn, PointsAccount
from portal.models import Region
from tests.gamification.factories import (
    BadgeFactory,
    MissionFactory,
    PointsEntryFactory,
    RewardFactory,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "gamification:index",
    "gamification:points",
    "gamification:badges",
    "gamification:rewards",
    "gamification:leaderboard",
]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=")


@pytest.fixture
def kelurahan():
    kecamatan, _ = Region.objects.get_or_create(
        code="32.73.02", defaults={"name": "Coblong", "level": Region.Level.KECAMATAN}
    )
    kel, _ = Region.objects.get_or_create(
        code="32.73.02.1003",
        defaults={"name": "Dago", "level": Region.Level.KELURAHAN, "parent": kecamatan},
    )
    return kel


def _fill(user, entries: int = 3) -> None:
    for _ in range(entries):
        PointsEntryFactory(user=user, points=10)


@pytest.mark.parametrize("name", PAGES)
def test_pages_ask_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_without_inline_code_and_with_bounded_queries(
    client, alice, bob, name, django_assert_max_num_queries
):
    BadgeFactory()
    MissionFactory(verb="profile.updated")
    RewardFactory()
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        small = client.get(reverse(name))
    _fill(alice, 60)
    for _ in range(5):
        MissionFactory()
        BadgeFactory()
        RewardFactory()
    LeaderboardOptIn.objects.create(user=bob, display_name="Bobby", points=5)
    with django_assert_max_num_queries(14):
        large = client.get(reverse(name))

    assert small.status_code == large.status_code == 200
    assert not INLINE.search(large.content.decode())


def test_missions_page_shows_progress_bars_and_its_htmx_fragment(client, alice, act, score):
    MissionFactory(title="Perbarui profil", verb="profile.updated", goal=2)
    score(act(alice, "profile.updated"))
    client.force_login(alice)

    page = client.get(reverse("gamification:index")).content.decode()
    fragment = client.get(reverse("gamification:index"), headers={"HX-Request": "true"})

    assert re.search(r'<progress[^>]*max="2" value="1"', page)
    assert 'hx-get="/misi/"' in page and 'href="/misi/"' in page
    assert "<html" not in fragment.content.decode()
    assert 'id="misi-progres"' in fragment.content.decode()


def test_a_citizen_sees_only_their_own_ledger(client, alice, bob):
    PointsEntryFactory(user=alice, points=7, description="Milik Alice")
    PointsEntryFactory(user=bob, points=9, description="Milik Bob")
    client.force_login(alice)

    html = client.get(reverse("gamification:points")).content.decode()

    assert "Milik Alice" in html
    assert "Milik Bob" not in html


def test_points_history_is_paginated(client, alice):
    _fill(alice, 30)
    client.force_login(alice)

    first = client.get(reverse("gamification:points")).content.decode()
    second = client.get(reverse("gamification:points") + "?halaman=2").content.decode()
    bogus = client.get(reverse("gamification:points") + "?halaman=xyz")

    assert first.count("Penyesuaian uji") == 25
    assert second.count("Penyesuaian uji") == 5
    assert bogus.status_code == 200


def test_redeeming_through_the_page_shows_the_voucher_or_a_clear_message(client, alice, grant):
    reward = RewardFactory(name="Pulsa Rp10.000", price=100, stock=1)
    client.force_login(alice)
    url = reverse("gamification:reward_redeem", args=[reward.pk])

    poor = client.post(url)
    assert poor.status_code == 409
    assert "Poin Anda belum cukup" in poor.content.decode()

    grant(alice, 300)
    done = client.post(url, follow=True)
    assert "Kode voucher Anda" in done.content.decode()

    empty = client.post(url)
    assert "stok hadiah ini sudah habis" in empty.content.decode()
    assert client.get(url).status_code == 405
    assert client.post(reverse("gamification:reward_redeem", args=[99999])).status_code == 409


def test_leaderboard_hides_citizens_who_did_not_opt_in_and_never_shows_nik_or_full_name(
    client, alice, bob, kelurahan
):
    from tests.conftest import ALICE_NIK, BOB_NIK

    for user in (alice, bob):
        user.citizen_profile.kelurahan = kelurahan
        user.citizen_profile.save()
        PointsAccount.objects.create(user=user, balance=50, earned=50)
    services.leaderboard_opt_in(user=alice, display_name="Si Kancil")
    client.force_login(alice)

    for scope in ("semua", "kelurahan"):
        html = client.get(
            reverse("gamification:leaderboard") + f"?lingkup={scope}"
        ).content.decode()
        assert "Si Kancil" in html
        assert "Bambang" not in html and "Bob" not in html
        assert "Alice Wulandari" not in html
        assert ALICE_NIK not in html and BOB_NIK not in html
        assert "Peringkat Anda: 1" in html


def test_a_full_name_or_a_nik_is_refused_as_a_display_name(client, alice):
    from tests.conftest import ALICE_NIK

    client.force_login(alice)
    url = reverse("gamification:leaderboard_join")
    for bad in ("Alice Wulandari", ALICE_NIK, "x"):
        response = client.post(url, {"display_name": bad})
        assert response.status_code == 400
    assert not LeaderboardOptIn.objects.exists()

    client.post(url, {"display_name": "Kancil"})
    assert LeaderboardOptIn.objects.get(user=alice).display_name == "Kancil"
    client.post(reverse("gamification:leaderboard_leave"))
    assert not LeaderboardOptIn.objects.exists()


def test_the_dashboard_shows_the_missions_card_to_citizens(client, alice):
    MissionFactory()
    client.force_login(alice)

    html = client.get(reverse("portal:dashboard")).content.decode()

    assert "Misi harian" in html
    assert "0 dari 1 misi hari ini selesai" in html


def test_the_admin_lists_the_ledger_read_only(client, admin_user, alice):
    PointsEntryFactory(user=alice)
    client.force_login(admin_user)
    for name in (
        "admin:gamification_pointsentry_changelist",
        "admin:gamification_mission_changelist",
        "admin:gamification_badge_changelist",
        "admin:gamification_reward_changelist",
        "admin:gamification_redemption_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("admin:gamification_pointsentry_add")).status_code == 403


def test_the_demo_seeder_is_idempotent():
    import io
    import random

    from gamification import demo
    from gamification.models import Mission, Reward

    demo.seed(stdout=io.StringIO(), rng=random.Random(1))
    demo.seed(stdout=io.StringIO(), rng=random.Random(1))

    assert Mission.objects.count() == 6
    assert set(Mission.objects.values_list("verb", flat=True)) >= {
        "letter.verified",
        "notification.read",
        "project.viewed",
        "lesson.completed",
        "profile.updated",
        "document.added",
    }
    assert Reward.objects.count() == 4


def test_a_citizen_who_moves_appears_on_the_new_kelurahans_leaderboard(
    alice, kelurahan, act, score
):
    services.leaderboard_opt_in(user=alice, display_name="Si Kancil")
    alice.citizen_profile.kelurahan = kelurahan
    alice.citizen_profile.save()
    score(act(alice, "profile.updated"))

    assert LeaderboardOptIn.objects.get(user=alice).kelurahan == kelurahan
