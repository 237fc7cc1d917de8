"""The citizen profile: the NIK is encrypted at rest, shown only masked, and unique."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.urls import reverse

from portal.models import Activity, CitizenProfile
from portal.validators import nik_digest
from tests.conftest import ALICE_NIK, BOB_NIK
from tests.factories import CitizenDocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

ALICE_NIK_MASKED = "3273********0001"
NEW_NIK = "3273015105900007"  # alice, born 11 May 1990


def _raw_nik_column(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik FROM portal_citizenprofile WHERE user_id = %s", [user.pk])
        (raw,) = cursor.fetchone()
    return raw


def _profile_form_data(**overrides) -> dict:
    data = {
        "full_name": "Alice Wulandari",
        "nik": "",
        "birth_date": "1990-05-01",
        "phone": "081234567890",
        "kelurahan": "",
    }
    data.update(overrides)
    return data


def _alice_changes_her_nik(client, alice, **overrides) -> None:
    client.force_login(alice)
    data = _profile_form_data(nik=NEW_NIK, birth_date="1990-05-11", **overrides)
    response = client.post(reverse("portal:profile_edit"), data)
    assert response.status_code == 302, response.context["form"].errors


def test_the_nik_is_encrypted_in_the_database_and_decrypts_through_the_model(alice):
    raw = _raw_nik_column(alice)

    assert raw
    assert ALICE_NIK not in raw
    assert CitizenProfile.objects.get(user=alice).nik == ALICE_NIK


def test_the_nik_digest_is_a_keyed_hash_not_the_nik(alice):
    profile = CitizenProfile.objects.get(user=alice)

    assert profile.nik_digest == nik_digest(ALICE_NIK)
    assert ALICE_NIK not in profile.nik_digest
    assert CitizenProfile.objects.get(nik_digest=nik_digest("3273 0141 0590 0001")) == profile


def test_the_nik_is_shown_masked_on_the_profile_page_and_the_dashboard(client, alice):
    client.force_login(alice)

    for url in (reverse("portal:profile"), reverse("portal:dashboard")):
        html = client.get(url).content.decode()
        assert ALICE_NIK_MASKED in html, url
        assert ALICE_NIK not in html, url


def test_the_profile_form_never_sends_the_stored_nik_back_to_the_browser(client, alice):
    client.force_login(alice)

    response = client.get(reverse("portal:profile_edit"))

    html = response.content.decode()
    assert ALICE_NIK not in html
    assert f"Tersimpan: {ALICE_NIK_MASKED}" in html
    assert response.context["form"]["nik"].value() == ""


def test_the_clear_nik_appears_on_no_page_a_citizen_or_an_admin_opens(client, alice, admin_user):
    document = CitizenDocumentFactory(owner=alice)
    _alice_changes_her_nik(client, alice)
    profile = CitizenProfile.objects.get(user=alice)
    citizen_pages = [
        reverse("portal:dashboard"),
        reverse("portal:profile"),
        reverse("portal:profile_edit"),
        reverse("portal:activity_list"),
        reverse("portal:document_add"),
        reverse("portal:document_edit", args=[document.pk]),
    ]
    log_entry = LogEntry.objects.get_for_object(profile).first()
    admin_pages = [
        reverse("admin:portal_citizenprofile_changelist"),
        reverse("admin:portal_citizenprofile_change", args=[profile.pk]),
        reverse("admin:portal_activity_changelist"),
        reverse("admin:auditlog_logentry_changelist"),
        reverse("admin:auditlog_logentry_change", args=[log_entry.pk]),
    ]

    for user, pages in ((alice, citizen_pages), (admin_user, admin_pages)):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            for nik in (ALICE_NIK, NEW_NIK):
                assert nik not in html, url


def test_a_profile_change_is_recorded_with_field_names_only(client, alice):
    _alice_changes_her_nik(client, alice, phone="+6281299990000")

    profile = CitizenProfile.objects.get(user=alice)
    assert (profile.nik, profile.phone) == (NEW_NIK, "+6281299990000")
    activity = Activity.objects.get(actor=alice)
    assert activity.verb == "profile.updated"
    assert activity.data == {"fields": ["birth_date", "nik", "phone"]}


def test_an_unchanged_profile_saved_again_records_no_activity(client, alice):
    client.force_login(alice)

    response = client.post(reverse("portal:profile_edit"), _profile_form_data())

    assert response.status_code == 302
    assert CitizenProfile.objects.get(user=alice).nik == ALICE_NIK
    assert not Activity.objects.filter(actor=alice).exists()


def test_the_nik_never_reaches_the_activity_log(client, alice):
    _alice_changes_her_nik(client, alice)

    recorded = json.dumps(list(Activity.objects.values("verb", "target_id", "data")))
    assert "profile.updated" in recorded
    for nik in (ALICE_NIK, NEW_NIK):
        assert nik not in recorded


def test_the_audit_log_never_holds_the_clear_nik(client, alice):
    _alice_changes_her_nik(client, alice)
    assert LogEntry.objects.get_for_object(alice.citizen_profile).count() == 2  # created, changed

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM auditlog_logentry")
        stored = repr(cursor.fetchall())
    for nik in (ALICE_NIK, NEW_NIK):
        assert nik not in stored


def test_the_audit_log_masks_the_nik_as_the_portal_does_hiding_the_birth_date(client, alice):
    """The NIK's digits 7-12 are a birth date and sex: the audit trail must not show them either."""
    _alice_changes_her_nik(client, alice)

    entries = LogEntry.objects.get_for_object(alice.citizen_profile)
    entry = entries.get(action=LogEntry.Action.UPDATE)
    old, new = entry.changes_dict["nik"]
    assert (old, new) == (ALICE_NIK_MASKED, "3273********0007")


def test_a_second_profile_with_the_same_nik_is_a_form_error_not_a_server_error(client, alice):
    carol = UserFactory(email="carol@example.id", roles=["warga"])
    client.force_login(carol)

    response = client.post(
        reverse("portal:profile_edit"), _profile_form_data(full_name="Carol", nik=ALICE_NIK)
    )

    assert response.status_code == 400
    form = response.context["form"]
    errors = " ".join(form.non_field_errors() + form.errors.get("nik", []))
    assert "NIK" in errors
    assert "sudah terdaftar" in errors
    assert ALICE_NIK not in errors
    assert not CitizenProfile.objects.filter(user=carol).exists()
    assert not Activity.objects.filter(actor=carol).exists()


def test_a_citizen_cannot_take_over_another_citizens_nik_by_changing_their_own(client, alice, bob):
    client.force_login(bob)

    response = client.post(
        reverse("portal:profile_edit"),
        _profile_form_data(full_name="Bambang Sutrisno", nik=ALICE_NIK),
    )

    assert response.status_code == 400
    assert CitizenProfile.objects.get(user=bob).nik == BOB_NIK


def test_bobs_profile_page_never_shows_alices_data(client, alice, bob):
    CitizenDocumentFactory(owner=alice, number="B1234ALC", note="SIM milik Alice")
    CitizenDocumentFactory(owner=bob, number="D5678BOB")
    client.force_login(bob)

    html = client.get(reverse("portal:profile")).content.decode()

    assert "Bambang Sutrisno" in html
    assert "D5***BOB" in html
    for alices in ("Alice Wulandari", "alice@example.id", ALICE_NIK_MASKED, ALICE_NIK, "B1***ALC"):
        assert alices not in html
