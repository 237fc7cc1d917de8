"""A citizen's documents: only their owner can see, change or delete them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import Activity, CitizenDocument
from tests.factories import CitizenDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_document(alice):
    return CitizenDocumentFactory(
        owner=alice, kind=CitizenDocument.Kind.PASPOR, number="C1234567", note="Paspor Alice"
    )


def _document_data(**overrides) -> dict:
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    data = {"kind": "stnk", "number": "d 1234 abc", "expires_on": next_year.isoformat(), "note": ""}
    data.update(overrides)
    return data


def test_a_citizen_adds_a_document_and_the_addition_is_recorded(client, alice):
    client.force_login(alice)

    response = client.post(reverse("portal:document_add"), _document_data())

    assert response.status_code == 302
    document = CitizenDocument.objects.get(owner=alice)
    assert (document.kind, document.number) == ("stnk", "D 1234 ABC")
    activity = Activity.objects.get(actor=alice)
    assert (activity.verb, activity.target_id, activity.data) == (
        "document.added",
        str(document.pk),
        {"kind": "stnk"},
    )


def test_a_document_number_is_encrypted_in_the_database(alices_document):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number FROM portal_citizendocument WHERE id = %s", [alices_document.pk]
        )
        (raw,) = cursor.fetchone()

    assert "C1234567" not in raw
    assert CitizenDocument.objects.get(pk=alices_document.pk).number == "C1234567"


def test_a_too_short_document_number_is_refused_in_indonesian(client, alice):
    client.force_login(alice)

    response = client.post(reverse("portal:document_add"), _document_data(number=" ab "))

    assert response.status_code == 400
    assert response.context["form"].errors == {"number": ["Nomor dokumen terlalu pendek."]}
    assert not CitizenDocument.objects.exists()


def test_a_citizen_updates_their_document_and_the_update_is_recorded(
    client, alice, alices_document
):
    client.force_login(alice)

    response = client.post(
        reverse("portal:document_edit", args=[alices_document.pk]),
        _document_data(kind="paspor", number="C7654321"),
    )

    assert response.status_code == 302
    alices_document.refresh_from_db()
    assert alices_document.number == "C7654321"
    assert list(Activity.objects.filter(actor=alice).values_list("verb", "target_id")) == [
        ("document.updated", str(alices_document.pk))
    ]


def test_a_citizen_deletes_their_document_and_the_deletion_is_recorded(
    client, alice, alices_document
):
    client.force_login(alice)

    response = client.post(reverse("portal:document_delete", args=[alices_document.pk]))

    assert response.status_code == 302
    assert not CitizenDocument.objects.exists()
    activity = Activity.objects.get(actor=alice)
    assert (activity.verb, activity.data) == ("document.deleted", {"kind": "paspor"})


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "portal:document_edit"),
        ("post", "portal:document_edit"),
        ("post", "portal:document_delete"),
    ],
)
def test_bob_gets_a_404_for_alices_document(client, bob, alices_document, method, url_name):
    client.force_login(bob)

    response = getattr(client, method)(
        reverse(url_name, args=[alices_document.pk]), _document_data(number="HACKED99")
    )

    assert response.status_code == 404
    alices_document.refresh_from_db()
    assert alices_document.number == "C1234567"
    assert not Activity.objects.exists()


def test_bob_gets_the_same_404_for_alices_document_as_for_one_that_does_not_exist(
    client, bob, alices_document
):
    client.force_login(bob)

    alices = client.get(reverse("portal:document_edit", args=[alices_document.pk]))
    missing = client.get(reverse("portal:document_edit", args=[alices_document.pk + 1000]))

    assert alices.status_code == missing.status_code == 404
    assert "Paspor Alice" not in alices.content.decode()


def test_deleting_by_get_is_not_allowed_and_deletes_nothing(client, alice, alices_document):
    client.force_login(alice)

    response = client.get(reverse("portal:document_delete", args=[alices_document.pk]))

    assert response.status_code == 405
    assert CitizenDocument.objects.filter(pk=alices_document.pk).exists()


def test_the_service_refuses_to_change_another_citizens_document(bob, alices_document):
    with pytest.raises(PermissionError):
        services.citizen_document_save(owner=bob, document=alices_document, number="HACKED99")
    with pytest.raises(PermissionError):
        services.citizen_document_delete(owner=bob, document=alices_document)
    assert CitizenDocument.objects.get(pk=alices_document.pk).number == "C1234567"
