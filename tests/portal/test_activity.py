"""The activity log is an outbox: written in the same transaction as the change it records."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from portal import services
from portal.models import Activity, CitizenProfile
from tests.factories import ActivityFactory, CitizenDocumentFactory


class Boom(Exception):
    """Something failing later in the same transaction."""


@pytest.mark.django_db
def test_an_activity_recorded_inside_a_transaction_is_written(alice):
    document = CitizenDocumentFactory(owner=alice)

    with transaction.atomic():
        activity = services.activity_record(
            actor=alice, verb="document.checked", target=document, data={"kind": "sim"}
        )

    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.actor, stored.verb, stored.target_id, stored.data) == (
        alice,
        "document.checked",
        str(document.pk),
        {"kind": "sim"},
    )
    assert stored.target_type.model_class() is type(document)


@pytest.mark.django_db
@pytest.mark.parametrize("verb", ["Profile.Updated", "profile", "profile.", "profile updated", ""])
def test_an_activity_verb_must_look_like_app_dot_action(alice, verb):
    with pytest.raises(ValidationError), transaction.atomic():
        services.activity_record(actor=alice, verb=verb)


@pytest.mark.django_db(transaction=True)
def test_recording_an_activity_outside_a_transaction_is_refused(alice):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic\(\)"):
        services.activity_record(actor=alice, verb="profile.viewed")

    assert not Activity.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_neither_the_change_nor_its_activity(alice):
    with pytest.raises(Boom), transaction.atomic():
        services.citizen_profile_update(user=alice, full_name="Nama Baru", phone="081311112222")
        assert Activity.objects.filter(verb="profile.updated").exists()
        raise Boom

    profile = CitizenProfile.objects.get(user=alice)
    assert (profile.full_name, profile.phone) == ("Alice Wulandari", "081234567890")
    assert not Activity.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_keeps_its_activity(alice):
    services.citizen_profile_update(user=alice, full_name="Nama Baru")

    assert CitizenProfile.objects.get(user=alice).full_name == "Nama Baru"
    assert list(Activity.objects.values_list("verb", "data")) == [
        ("profile.updated", {"fields": ["full_name"]})
    ]


@pytest.mark.django_db
def test_a_profile_update_records_field_names_only(alice):
    services.citizen_profile_update(
        user=alice,
        full_name="Alice W.",
        nik="3273 0151 0590 0007",
        birth_date=alice.citizen_profile.birth_date,
    )

    activity = Activity.objects.get()
    assert activity.verb == "profile.updated"
    assert activity.data == {"fields": ["full_name", "nik"]}
    assert CitizenProfile.objects.get(user=alice).nik == "3273015105900007"


@pytest.mark.django_db
def test_document_add_update_and_delete_are_each_recorded(alice):
    document = services.citizen_document_save(
        owner=alice, kind="sim", number="1234-5678-000001", expires_on="2030-01-31"
    )
    services.citizen_document_save(owner=alice, document=document, note="SIM A")
    services.citizen_document_delete(owner=alice, document=document)

    assert list(Activity.objects.order_by("id").values_list("verb", "data")) == [
        ("document.added", {"kind": "sim"}),
        ("document.updated", {"kind": "sim"}),
        ("document.deleted", {"kind": "sim"}),
    ]
    assert "1234-5678-000001" not in str(list(Activity.objects.values()))


@pytest.mark.django_db
def test_a_citizen_sees_only_their_own_activities(client, alice, bob):
    ActivityFactory(actor=alice, verb="document.added")
    ActivityFactory(actor=alice, verb="profile.updated")
    ActivityFactory(actor=bob, verb="document.deleted")
    client.force_login(alice)

    response = client.get(reverse("portal:activity_list"))

    assert response.status_code == 200
    assert [a.actor_id for a in response.context["activities"]] == [alice.pk, alice.pk]
    html = response.content.decode()
    assert "Menambahkan dokumen" in html
    assert "Memperbarui profil" in html
    assert "Menghapus dokumen" not in html


@pytest.mark.django_db
def test_the_activity_page_lists_the_newest_first_and_at_most_fifty(client, alice):
    ActivityFactory.create_batch(55, actor=alice)
    newest = ActivityFactory(actor=alice, verb="profile.updated")
    client.force_login(alice)

    activities = list(client.get(reverse("portal:activity_list")).context["activities"])

    assert len(activities) == 50
    assert activities[0] == newest
