"""Officials' alarm pages: who may see them, acknowledge and clear, bounded queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from infrastructure.alarms.models import Alarm, AlarmEvent, AlarmRule, Severity
from infrastructure.alarms.selectors import active_alarm_severity_by_asset
from portal.models import Activity
from tests.factories import UserFactory
from tests.infrastructure.alarm_helpers import rule
from tests.infrastructure.factories import DeviceFactory, MetricFactory

INBOX = reverse("infra_alarms:inbox")


@pytest.fixture
def official(db):
    return UserFactory(
        email="pupr@example.go.id",
        display_name="Pejabat PUPR",
        roles=["pegawai", "pejabat"],
        mfa=True,
    )


def _alarm(*, severity=Severity.MAJOR, status=Alarm.Status.ACTIVE_UNACK, device=None) -> Alarm:
    device = device or DeviceFactory()
    metric = MetricFactory(device=device, name="strain", unit="µε")
    now = timezone.now()
    watch = rule(name=f"Regangan {device.key}", metric=metric)
    alarm = Alarm.objects.create(
        rule=watch,
        device=device,
        metric=metric,
        severity=severity,
        status=status,
        started_at=now,
        updated_at=now,
        start_value=350.0,
        last_value=350.0,
        peak_value=360.0,
        cleared_at=now if status.startswith("cleared") else None,
        acknowledged_at=now
        if status in (Alarm.Status.ACTIVE_ACK, Alarm.Status.CLEARED_ACK)
        else None,
    )
    AlarmEvent.objects.create(
        alarm=alarm, kind=AlarmEvent.Kind.RAISED, at=now, severity=severity, value=350.0
    )
    return alarm


def test_official_sees_the_inbox_with_the_alarm(client, official):
    alarm = _alarm()
    client.force_login(official)
    response = client.get(INBOX)
    assert response.status_code == 200
    page = response.content.decode()
    assert alarm.rule.name in page
    assert reverse("infra_alarms:detail", args=[alarm.pk]) in page


def test_citizen_gets_403_on_the_inbox_and_404_on_an_alarm(client, alice):
    alarm = _alarm()
    client.force_login(alice)
    assert client.get(INBOX).status_code == 403
    assert client.get(reverse("infra_alarms:detail", args=[alarm.pk])).status_code == 404
    for name in ("acknowledge", "clear"):
        response = client.post(reverse(f"infra_alarms:{name}", args=[alarm.pk]), {"comment": "x"})
        assert response.status_code == 404
    alarm.refresh_from_db()
    assert alarm.status == Alarm.Status.ACTIVE_UNACK


def test_visitor_is_sent_to_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_inbox_filters_by_status_and_severity(client, official):
    minor = _alarm(severity=Severity.MINOR)
    critical = _alarm(severity=Severity.CRITICAL)
    cleared = _alarm(status=Alarm.Status.CLEARED_UNACK)
    client.force_login(official)

    page = client.get(INBOX, {"tingkat": "critical"}).content.decode()
    assert critical.rule.name in page and minor.rule.name not in page

    page = client.get(INBOX, {"status": "aktif"}).content.decode()
    assert cleared.rule.name not in page and minor.rule.name in page

    response = client.get(INBOX, {"status": "bukan-status"})
    assert response.status_code == 200
    assert "Filter tidak dikenal" in response.content.decode()


def test_inbox_htmx_request_gets_only_the_results(client, official):
    _alarm()
    client.force_login(official)
    response = client.get(INBOX, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="alarm-hasil"')
    assert 'hx-trigger="every 20s"' in page  # the list refreshes itself
    assert "<html" not in page


def test_inbox_query_count_does_not_grow_with_alarms(
    client, official, django_assert_max_num_queries
):
    for _n in range(3):
        _alarm()
    client.force_login(official)
    with django_assert_max_num_queries(12) as few:
        assert client.get(INBOX).status_code == 200
    for _n in range(27):
        _alarm()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert len(response.context["page"].object_list) == 25


def test_detail_query_count_is_bounded(client, official, django_assert_max_num_queries):
    alarm = _alarm()
    for minute in range(20):
        AlarmEvent.objects.create(
            alarm=alarm,
            kind=AlarmEvent.Kind.ACKNOWLEDGED,
            at=timezone.now() + datetime.timedelta(minutes=minute),
            severity=alarm.severity,
            actor=official,
        )
    client.force_login(official)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("infra_alarms:detail", args=[alarm.pk]))
    assert response.status_code == 200


def test_official_acknowledges_with_a_comment(client, official):
    alarm = _alarm()
    client.force_login(official)
    response = client.post(
        reverse("infra_alarms:acknowledge", args=[alarm.pk]),
        {"comment": "Tim sudah menuju lokasi."},
        follow=True,
    )
    assert response.status_code == 200
    assert "Alarm diterima." in response.content.decode()
    alarm.refresh_from_db()
    assert alarm.status == Alarm.Status.ACTIVE_ACK
    assert (alarm.acknowledged_by, alarm.ack_comment) == (official, "Tim sudah menuju lokasi.")
    event = alarm.events.get(kind=AlarmEvent.Kind.ACKNOWLEDGED)
    assert event.actor == official
    assert Activity.objects.filter(
        actor=official, verb="infrastructure.alarm_acknowledged"
    ).exists()


def test_comment_is_required_and_nothing_changes_without_it(client, official):
    alarm = _alarm()
    client.force_login(official)
    response = client.post(
        reverse("infra_alarms:clear", args=[alarm.pk]), {"comment": "   "}, follow=True
    )
    assert response.status_code == 200
    assert "Tulis catatan" in response.content.decode()
    alarm.refresh_from_db()
    assert alarm.status == Alarm.Status.ACTIVE_UNACK
    assert alarm.events.count() == 1


def test_official_clears_an_acknowledged_alarm(client, official):
    alarm = _alarm(status=Alarm.Status.ACTIVE_UNACK)
    client.force_login(official)
    client.post(reverse("infra_alarms:acknowledge", args=[alarm.pk]), {"comment": "Dicek."})
    client.post(reverse("infra_alarms:clear", args=[alarm.pk]), {"comment": "Baut diganti."})
    alarm.refresh_from_db()
    assert alarm.status == Alarm.Status.CLEARED_ACK
    assert (alarm.cleared_by, alarm.clear_comment) == (official, "Baut diganti.")
    assert alarm.cleared_at is not None

    response = client.post(
        reverse("infra_alarms:clear", args=[alarm.pk]), {"comment": "Lagi."}, follow=True
    )
    assert "sudah pulih atau ditutup" in response.content.decode()
    assert alarm.events.filter(kind=AlarmEvent.Kind.CLEARED).count() == 1


def test_actions_need_post(client, official):
    alarm = _alarm()
    client.force_login(official)
    assert client.get(reverse("infra_alarms:acknowledge", args=[alarm.pk])).status_code == 405


def test_staff_without_the_official_role_cannot_open_alarms(client, pegawai_with_mfa):
    alarm = _alarm()
    client.force_login(pegawai_with_mfa)
    assert client.get(INBOX).status_code == 403
    assert client.get(reverse("infra_alarms:detail", args=[alarm.pk])).status_code == 404


def test_active_alarm_marker_per_asset_takes_the_worst_severity(db):
    device = DeviceFactory()
    _alarm(severity=Severity.MINOR, device=device)
    other = DeviceFactory(asset=device.asset)
    _alarm(severity=Severity.CRITICAL, device=other)
    quiet = DeviceFactory()
    _alarm(severity=Severity.MAJOR, status=Alarm.Status.CLEARED_ACK, device=quiet)
    assert active_alarm_severity_by_asset() == {device.asset_id: Severity.CRITICAL}


def test_admin_lists_alarms_and_rules(client, admin_user):
    _alarm()
    client.force_login(admin_user)
    assert client.get(reverse("admin:infra_alarms_alarm_changelist")).status_code == 200
    assert client.get(reverse("admin:infra_alarms_alarmrule_changelist")).status_code == 200
    assert client.get(reverse("admin:infra_alarms_alarmrule_add")).status_code == 200
    assert AlarmRule.objects.count() == 1


def test_official_dashboard_card_counts_active_alarms(client, official, alice):
    _alarm(severity=Severity.CRITICAL)
    _alarm(severity=Severity.MINOR, status=Alarm.Status.ACTIVE_ACK)
    _alarm(status=Alarm.Status.CLEARED_UNACK)
    client.force_login(official)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert "2 alarm aktif" in page
    assert "1 belum diterima" in page
    client.force_login(alice)
    assert "alarm aktif" not in client.get(reverse("portal:dashboard")).content.decode()
