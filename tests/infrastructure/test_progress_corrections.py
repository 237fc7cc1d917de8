"""Officials correct or delete a wrong progress report, with a reason kept in the audit trail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from infrastructure import selectors, services
from infrastructure.models import ProgressReport
from portal.models import Activity
from tests.infrastructure.project_factories import (
    ProjectFactory,
    ReportFactory,
    UnitFactory,
    official,
)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.INFRA_DELAY_MARGIN_PCT = 10
    with time_machine.travel(datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def report(pupr):
    """A May report whose actual physical figure was mistyped: 8 instead of 38 (late)."""
    project = ProjectFactory(agency=pupr)
    return ReportFactory(
        project=project,
        period_end=datetime.date(2026, 5, 31),
        planned_physical=Decimal("40"),
        actual_physical=Decimal("8"),
        planned_financial=Decimal("35"),
        actual_financial=Decimal("30"),
    )


def _url(report, name="infrastructure:manage_report"):
    return reverse(name, args=[report.project.code, report.pk])


FIGURES = {
    "planned_physical": "40",
    "actual_physical": "38",
    "planned_financial": "35",
    "actual_financial": "30",
    "note": "",
}


def test_an_official_corrects_a_mistyped_figure_and_the_delay_flag_follows(client, pejabat, report):
    assert selectors.project_with_progress(project_id=report.project_id).progress.delayed
    client.force_login(pejabat)
    page = client.get(reverse("infrastructure:manage_project", args=[report.project.code]))
    assert _url(report) in page.content.decode()
    form = client.get(_url(report)).content.decode()
    assert 'value="8.00"' in form and "csrfmiddlewaretoken" in form

    response = client.post(_url(report), {**FIGURES, "reason": "Salah ketik: 38, bukan 8"})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.actual_physical == Decimal("38")
    assert not selectors.project_with_progress(project_id=report.project_id).progress.delayed
    activity = Activity.objects.get(actor=pejabat, verb="infrastructure.progress_corrected")
    assert activity.data["reason"] == "Salah ketik: 38, bukan 8"
    assert activity.data["changes"] == {"actual_physical": ["8.00", "38"]}
    entry = LogEntry.objects.get_for_object(report).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == pejabat
    assert entry.changes_dict["actual_physical"] == ["8.00", "38"]
    assert entry.additional_data == {"reason": "Salah ketik: 38, bukan 8"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Bidang ini tidak boleh kosong."),
        ({"reason": "   "}, "Bidang ini tidak boleh kosong."),
        (
            {"actual_physical": "101"},
            "Pastikan nilai ini lebih kecil dari atau sama dengan 100.",
        ),
        ({"planned_financial": "-3"}, "Pastikan nilai ini lebih besar dari atau sama dengan 0."),
        ({"planned_physical": "abc"}, "Masukkan sebuah bilangan."),
        ({"actual_physical": "8"}, "Tidak ada angka yang berubah"),
    ],
)
def test_a_bad_correction_shows_a_message_and_changes_nothing(
    client, pejabat, report, data, message
):
    client.force_login(pejabat)
    response = client.post(_url(report), {**FIGURES, "reason": "Koreksi", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    report.refresh_from_db()
    assert report.actual_physical == Decimal("8")
    assert not Activity.objects.filter(verb="infrastructure.progress_corrected").exists()
    assert not LogEntry.objects.get_for_object(report).filter(action=LogEntry.Action.UPDATE)


def test_a_future_period_cannot_be_given_actual_figures_by_a_correction(client, pejabat, pupr):
    future = ReportFactory(
        project=ProjectFactory(agency=pupr),
        period_end=datetime.date(2026, 9, 30),
        actual_physical=None,
        actual_financial=None,
    )
    client.force_login(pejabat)
    response = client.post(
        _url(future), {**FIGURES, "actual_physical": "10", "actual_financial": "", "reason": "x"}
    )
    assert response.status_code == 400
    assert "Realisasi hanya bisa diisi untuk periode yang sudah lewat." in response.content.decode()
    future.refresh_from_db()
    assert future.actual_physical is None


def test_the_service_refuses_a_correction_without_reason(pejabat, report):
    with pytest.raises(ValidationError, match="alasan"):
        services.progress_report_correct(
            report=report, actor=pejabat, reason=" ", actual_physical=Decimal("38")
        )


def test_an_official_deletes_a_mistaken_report_with_a_reason(client, pejabat, report):
    client.force_login(pejabat)
    pk = report.pk
    response = client.post(
        _url(report, "infrastructure:manage_report_delete"),
        {"hapus-reason": "Periode salah, seharusnya Juni"},
    )
    assert response.status_code == 302
    assert not ProgressReport.objects.filter(pk=pk).exists()
    activity = Activity.objects.get(actor=pejabat, verb="infrastructure.progress_deleted")
    assert activity.data["reason"] == "Periode salah, seharusnya Juni"
    assert activity.data["report"]["actual_physical"] == "8.00"
    entry = LogEntry.objects.get(
        content_type__model="progressreport", object_pk=str(pk), action=LogEntry.Action.DELETE
    )
    assert entry.actor == pejabat
    assert entry.additional_data == {"reason": "Periode salah, seharusnya Juni"}


def test_a_deletion_without_reason_is_refused(client, pejabat, report):
    client.force_login(pejabat)
    response = client.post(
        _url(report, "infrastructure:manage_report_delete"), {"hapus-reason": ""}
    )
    assert response.status_code == 400
    assert "Bidang ini tidak boleh kosong." in response.content.decode()
    assert ProgressReport.objects.filter(pk=report.pk).exists()


def test_deletion_needs_post(client, pejabat, report):
    client.force_login(pejabat)
    assert client.get(_url(report, "infrastructure:manage_report_delete")).status_code == 405
    assert ProgressReport.objects.filter(pk=report.pk).exists()


def test_corrections_and_deletions_need_the_csrf_token(pejabat, report):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(pejabat)
    assert client.post(_url(report), {**FIGURES, "reason": "x"}).status_code == 403
    response = client.post(
        _url(report, "infrastructure:manage_report_delete"), {"hapus-reason": "x"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.actual_physical == Decimal("8")


def test_another_units_official_gets_a_404_and_changes_nothing(client, report):
    other = official(UnitFactory(code="DISHUB", name="Dinas Perhubungan"), seq=2)
    client.force_login(other)
    assert client.get(_url(report)).status_code == 404
    assert client.post(_url(report), {**FIGURES, "reason": "x"}).status_code == 404
    response = client.post(
        _url(report, "infrastructure:manage_report_delete"), {"hapus-reason": "x"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.actual_physical == Decimal("8")


def test_a_report_is_reached_only_through_its_own_project(client, pejabat, report, pupr):
    other_project = ProjectFactory(agency=pupr)
    client.force_login(pejabat)
    url = reverse("infrastructure:manage_report", args=[other_project.code, report.pk])
    assert client.get(url).status_code == 404


def test_citizens_and_visitors_cannot_correct(client, alice, report):
    assert client.get(_url(report)).status_code == 302  # to the login page
    client.force_login(alice)
    assert client.post(_url(report), {**FIGURES, "reason": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.actual_physical == Decimal("8")


def test_the_cached_dashboard_shows_a_correction_or_deletion_at_once(
    client, pejabat, report, django_assert_max_num_queries
):
    dashboard = reverse("infrastructure:index")
    assert "TERLAMBAT" in client.get(dashboard).content.decode()
    # Served again from the cache: only the live readings and the version are queried.
    with django_assert_max_num_queries(2):
        client.get(dashboard)

    with time_machine.travel(datetime.datetime(2026, 6, 15, 3, 5, tzinfo=datetime.UTC)):
        services.progress_report_correct(
            report=report, actor=pejabat, reason="Salah ketik", actual_physical=Decimal("38")
        )
    page = client.get(dashboard).content.decode()
    assert "TERLAMBAT" not in page and "38%" in page

    with time_machine.travel(datetime.datetime(2026, 6, 15, 3, 6, tzinfo=datetime.UTC)):
        services.progress_report_delete(report=report, actor=pejabat, reason="Keliru")
    assert "belum ada realisasi yang dilaporkan" in client.get(dashboard).content.decode()
