"""Admin: message search by recipient and status, daily statistics, campaign error reports."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from notifications.campaigns import campaign_schedule
from notifications.models import Campaign, Message
from tests.notifications.factories import InboxMessageFactory, template_key

pytestmark = pytest.mark.django_db


def test_messages_are_found_by_recipient_email_and_filtered_by_status(
    client, admin_user, alice, bob
):
    InboxMessageFactory(recipient=alice, subject="Untuk Alice")
    InboxMessageFactory(recipient=bob, subject="Untuk Bob", status=Message.Status.PERMANENT_FAILURE)
    client.force_login(admin_user)
    url = reverse("admin:notifications_message_changelist")

    by_email = client.get(url, {"q": "alice@example.id"}).content.decode()
    by_status = client.get(url, {"status__exact": "permanent_failure"}).content.decode()

    assert "Untuk Alice" in by_email and "Untuk Bob" not in by_email
    assert "Untuk Bob" in by_status and "Untuk Alice" not in by_status


def test_the_daily_statistics_count_per_day_and_channel(client, admin_user, alice):
    InboxMessageFactory.create_batch(3, recipient=alice)
    client.force_login(admin_user)

    response = client.get(reverse("admin:notifications_message_stats"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<td>inbox</td><td>3</td><td>3</td>" in html


def test_an_admin_downloads_the_error_report_of_a_rejected_csv(client, admin_user):
    campaign = Campaign.objects.create(
        name="Uji", template_key=template_key("announcement.generic"), context={"title": "t"}
    )
    campaign.csv_file.save("p.csv", ContentFile(b"nik,body\n123,x\n"), save=True)
    campaign_schedule(campaign=campaign)
    client.force_login(admin_user)

    response = client.get(reverse("admin:notifications_campaign_error_report", args=[campaign.pk]))

    assert response.status_code == 200
    assert b"2,nik,123," in b"".join(response.streaming_content)
    page = client.get(reverse("admin:notifications_campaign_change", args=[campaign.pk]))
    assert "Unduh laporan galat" in page.content.decode()
