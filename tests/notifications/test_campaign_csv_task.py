"""A big campaign CSV is checked by a Celery task, streamed row by row, with progress and a
downloadable error report; nothing is sent when it is rejected."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.base import ContentFile

from notifications.campaigns import campaign_schedule, campaign_send, campaigns_start_due
from notifications.models import Campaign, Message
from tests.conftest import ALICE_NIK, BOB_NIK
from tests.notifications.factories import template_key

pytestmark = pytest.mark.django_db

ROWS = 3000


@pytest.fixture(autouse=True)
def _always_by_task(settings):
    settings.NOTIFICATIONS_CSV_INLINE_MAX_BYTES = 0
    settings.NOTIFICATIONS_CSV_PROGRESS_EVERY = 1000


def _campaign(rows: list[tuple[str, str]]) -> Campaign:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nik", "body"])
    writer.writerows(rows)
    campaign = Campaign.objects.create(
        name="Uji besar",
        template_key=template_key("announcement.generic"),
        channels=["inbox"],
        context={"title": "Jadwal"},
    )
    campaign.csv_file.save("penerima.csv", ContentFile(out.getvalue().encode()), save=True)
    return campaign


def _good_rows() -> list[tuple[str, str]]:
    return [(ALICE_NIK if i % 2 else BOB_NIK, f"Baris {i}") for i in range(ROWS)]


def test_a_big_file_with_bad_rows_is_rejected_by_the_task_with_row_numbers(
    alice, bob, django_capture_on_commit_callbacks
):
    rows = _good_rows()
    rows[10] = ("1234", "terlalu pendek")  # file row 12 (header is row 1)
    rows[1500] = ("3273014105900099", "tidak terdaftar")  # row 1502
    rows[2998] = ("", "kosong")  # row 3000
    campaign = _campaign(rows)

    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_schedule(campaign=campaign) is True
        campaign.refresh_from_db()
        assert campaign.status == "validating"

    campaign.refresh_from_db()
    assert campaign.status == "rejected"
    assert (campaign.rows_checked, campaign.rows_rejected) == (ROWS, 3)
    report = list(csv.reader(io.StringIO(campaign.error_report.open("rb").read().decode())))
    assert report[0] == ["baris", "kolom", "nilai", "masalah"]
    assert [row[0] for row in report[1:]] == ["12", "1502", "3000"]
    assert report[2][3] == "warga tidak ditemukan" and report[3][3] == "kosong"
    assert Message.objects.count() == 0
    assert campaigns_start_due() == []


def test_a_big_valid_file_is_scheduled_by_the_task_and_then_sent(
    alice, bob, django_capture_on_commit_callbacks
):
    campaign = _campaign(_good_rows())

    with django_capture_on_commit_callbacks(execute=True):
        campaign_schedule(campaign=campaign)

    campaign.refresh_from_db()
    assert (campaign.status, campaign.rows_checked, campaign.rows_rejected) == (
        "scheduled",
        ROWS,
        0,
    )
    assert campaigns_start_due() == [campaign.pk]
    sent = campaign_send(campaign_id=campaign.pk)
    # One notice per citizen, however many rows name them (the campaign's key).
    assert sent.status == "done"
    assert Message.objects.filter(campaign=campaign).count() == 2


def test_a_campaign_cancelled_while_its_file_is_checked_stays_cancelled(
    alice, django_capture_on_commit_callbacks
):
    from notifications.campaigns import campaign_cancel
    from notifications.tasks import campaign_validate

    campaign = _campaign(_good_rows())
    campaign_schedule(campaign=campaign)  # the task is not run yet (no commit here)
    campaign_cancel(campaign=campaign)

    assert campaign_validate.apply(args=[campaign.pk]).get() == "cancelled"
    assert Message.objects.count() == 0
