"""Campaigns: CSV rows validated before anything is sent, segments, cancel, no duplicates."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from notifications.campaigns import (
    campaign_cancel,
    campaign_schedule,
    campaign_send,
    campaigns_start_due,
    segment_users,
)
from notifications.models import Campaign, Message
from portal.models import Region
from tests.conftest import ALICE_NIK, BOB_NIK
from tests.factories import CitizenDocumentFactory, CitizenProfileFactory
from tests.notifications.factories import template_key

pytestmark = pytest.mark.django_db


def _campaign(csv_text: str | None = None, **fields) -> Campaign:
    campaign = Campaign.objects.create(
        name="Uji",
        template_key=template_key("announcement.generic"),
        **({"channels": ["inbox"], "context": {"title": "Jadwal"}} | fields),
    )
    if csv_text is not None:
        campaign.csv_file.save("penerima.csv", ContentFile(csv_text.encode()), save=True)
    return campaign


def _start(campaign: Campaign) -> Campaign:
    assert campaign_schedule(campaign=campaign)
    assert campaigns_start_due() == [campaign.pk]
    return campaign_send(campaign_id=campaign.pk)


def test_a_csv_with_bad_rows_is_rejected_with_a_report_and_nothing_sent(alice):
    campaign = _campaign(
        "nik,body\n"
        f"{ALICE_NIK},Halo Alice\n"
        "1234,NIK terlalu pendek\n"
        "3273014105900099,warga tidak terdaftar\n"
        ",kosong\n"
    )

    assert campaign_schedule(campaign=campaign) is False

    campaign.refresh_from_db()
    assert campaign.status == "rejected" and campaign.rows_rejected == 3
    report = campaign.error_report.open("rb").read().decode()
    assert report.splitlines()[0] == "baris,kolom,nilai,masalah"
    assert "3,nik,1234," in report and "4,nik,3273014105900099,warga tidak ditemukan" in report
    assert "5,nik,,kosong" in report
    assert Message.objects.count() == 0


def test_a_csv_without_a_template_column_is_rejected_naming_it(alice):
    campaign = _campaign(f"nik\n{ALICE_NIK}\n")

    assert campaign_schedule(campaign=campaign) is False
    assert (
        "body,,kolom variabel templat tidak ada" in campaign.error_report.open("rb").read().decode()
    )


def test_a_valid_csv_personalises_each_row_and_a_rerun_sends_nobody_twice(alice, bob):
    campaign = _campaign(f"nik,body\n{ALICE_NIK},Untuk Alice\n{BOB_NIK},Untuk Bob\n")

    campaign = _start(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    campaign_send(campaign_id=campaign.pk)  # a crashed worker's task, run again

    assert campaign.status == "done" and campaign.recipients_done == 2
    bodies = {m.recipient_id: m.body_text for m in Message.objects.filter(campaign=campaign)}
    assert len(bodies) == 2
    assert "Untuk Alice" in bodies[alice.pk] and "Untuk Bob" in bodies[bob.pk]


def test_rows_by_email_work_too(alice):
    campaign = _campaign("email,body\nALICE@example.id,Hai\n")

    _start(campaign)

    assert Message.objects.get(campaign=campaign).recipient == alice


def test_a_segment_selects_by_kelurahan_age_and_document(alice, bob):
    kelurahan = Region.objects.filter(level=4).first() or Region.objects.create(
        code="32.73.01.1001", name="Uji", level=4
    )
    young = CitizenProfileFactory(birth_date=datetime.date(2008, 1, 1), kelurahan=kelurahan).user
    CitizenProfileFactory(birth_date=datetime.date(1950, 1, 1), kelurahan=kelurahan)
    CitizenDocumentFactory(owner=young, kind="sim")
    today = datetime.date(2026, 6, 1)

    by_place = _campaign(kelurahan=kelurahan)
    by_age = _campaign(age_min=18, age_max=40)
    by_document = _campaign(document_kind="sim")

    assert list(segment_users(campaign=by_place, today=today)) != []
    assert young in segment_users(campaign=by_place, today=today)
    assert set(segment_users(campaign=by_age, today=today)) == {young, alice, bob}
    assert list(segment_users(campaign=by_document, today=today)) == [young]


def test_a_cancelled_campaign_sends_nothing_more(alice, bob):
    campaign = _campaign(f"nik,body\n{ALICE_NIK},a\n{BOB_NIK},b\n", channels=["email"])
    campaign_schedule(campaign=campaign)
    campaigns_start_due()
    Message.objects.create(
        recipient=alice,
        channel="email",
        address=alice.email,
        template_key="x",
        category=campaign.template_key.category,
        subject="s",
        body_text="b",
        idempotency_key=campaign.idempotency_key,
        campaign=campaign,
    )

    stopped = campaign_cancel(campaign=campaign)
    result = campaign_send(campaign_id=campaign.pk)

    assert stopped == 1 and result.status == "cancelled"
    assert Message.objects.filter(campaign=campaign).count() == 1
    assert Message.objects.get(campaign=campaign).status == "permanent_failure"


def test_a_campaign_scheduled_later_does_not_start_early(alice):
    campaign = _campaign(f"nik,body\n{ALICE_NIK},a\n")
    later = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)

    campaign_schedule(campaign=campaign, at=later)

    assert campaigns_start_due() == []
