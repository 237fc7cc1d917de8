"""Projects: delay flag, absorption, S-curve, validation, officials' pages and permissions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infrastructure import charts, projects, selectors, services
from infrastructure.models import InspectionPhoto, ProgressReport, Project, ProjectDocument
from portal.models import Activity
from tests.infrastructure.factories import AssetFactory
from tests.infrastructure.project_factories import (
    PDF,
    ProjectFactory,
    ReportFactory,
    UnitFactory,
    big_png,
    fake_exe,
    official,
    pdf,
    png,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INFRA_DELAY_MARGIN_PCT = 10


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _progress(project) -> projects.Progress:
    return projects.progress_of(project, list(project.reports.order_by("period_end")))


# --- Rules -------------------------------------------------------------------------------


def test_a_project_behind_plan_by_more_than_the_margin_is_flagged_late(db):
    report = ReportFactory(planned_physical=Decimal("40"), actual_physical=Decimal("29.5"))
    progress = _progress(report.project)
    assert progress.deviation == Decimal("-10.5")
    assert progress.delayed


def test_a_project_behind_plan_within_the_margin_is_not_late(db):
    report = ReportFactory(planned_physical=Decimal("40"), actual_physical=Decimal("30"))
    assert not _progress(report.project).delayed


def test_the_margin_is_a_setting(db, settings):
    report = ReportFactory(planned_physical=Decimal("40"), actual_physical=Decimal("35"))
    settings.INFRA_DELAY_MARGIN_PCT = 2
    assert _progress(report.project).delayed


def test_the_latest_period_with_actual_figures_decides_and_planned_only_periods_are_skipped(db):
    project = ProjectFactory()
    ReportFactory(
        project=project,
        period_end=datetime.date(2026, 3, 31),
        planned_physical=Decimal("30"),
        actual_physical=Decimal("5"),
    )
    ReportFactory(
        project=project,
        period_end=datetime.date(2026, 4, 30),
        planned_physical=Decimal("45"),
        actual_physical=Decimal("44"),
    )
    ReportFactory(
        project=project,
        period_end=datetime.date(2026, 7, 31),
        planned_physical=Decimal("70"),
        actual_physical=None,
        actual_financial=None,
    )
    progress = _progress(project)
    assert progress.period_end == datetime.date(2026, 4, 30)
    assert not progress.delayed


def test_budget_absorption_is_financial_progress_times_contract_value_or_budget(db):
    report = ReportFactory(actual_financial=Decimal("25.5"), project__contract_value=9_000_000_000)
    assert _progress(report.project).absorbed == 2_295_000_000
    report.project.contract_value = None
    assert projects.absorbed_rupiah(report.project, Decimal("10")) == 1_000_000_000


def test_a_project_without_actual_figures_is_neither_late_nor_absorbing(db):
    project = ProjectFactory()
    progress = _progress(project)
    assert progress.period_end is None and not progress.delayed and progress.absorbed is None


def test_the_s_curve_draws_planned_and_actual_lines_inside_the_chart(db):
    project = ProjectFactory()
    for month, (planned, actual) in enumerate([(10, 8), (30, 25), (60, None)], start=3):
        ReportFactory(
            project=project,
            period_end=datetime.date(2026, month + 1, 1) - datetime.timedelta(days=1),
            planned_physical=Decimal(planned),
            actual_physical=None if actual is None else Decimal(actual),
        )
    curve = charts.s_curve(
        planned_start=project.planned_start,
        planned_end=project.planned_end,
        actual_start=project.actual_start,
        reports=list(project.reports.order_by("period_end")),
        today=datetime.date(2026, 6, 15),
    )
    assert len(curve.planned.split()) == 4  # origin + three periods
    assert len(curve.actual.split()) == 3  # actual start + two reported periods
    for point in (curve.planned + " " + curve.actual).split():
        x, y = map(float, point.split(","))
        assert charts.LEFT <= x <= charts.WIDTH - charts.RIGHT
        assert charts.TOP <= y <= charts.HEIGHT - charts.BOTTOM
    assert curve.today_x is not None


# --- Validation -------------------------------------------------------------------------


def test_a_project_cannot_end_before_it_starts(pejabat, pupr):
    with pytest.raises(ValidationError) as error:
        services.project_save(
            actor=pejabat,
            code="salah-tanggal",
            title="Salah tanggal",
            agency=pupr,
            latitude=Decimal("-6.9"),
            longitude=Decimal("107.6"),
            budget=1,
            planned_start=datetime.date(2026, 5, 1),
            planned_end=datetime.date(2026, 4, 1),
        )
    assert "Rencana selesai tidak boleh sebelum rencana mulai." in str(error.value)
    assert not Project.objects.exists()


def test_progress_above_100_is_refused_by_the_database_too(db):
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(
            project=project,
            period_end=datetime.date(2026, 3, 31),
            planned_physical=Decimal("101"),
            planned_financial=Decimal("10"),
        )


def test_one_report_per_project_and_period(pejabat):
    project = ProjectFactory()
    fields = {
        "period_end": datetime.date(2026, 3, 31),
        "planned_physical": Decimal("10"),
        "planned_financial": Decimal("10"),
    }
    services.progress_report_add(project=project, actor=pejabat, **fields)
    with pytest.raises(ValidationError) as error:
        services.progress_report_add(project=project, actor=pejabat, **fields)
    assert "Laporan untuk periode ini sudah ada." in str(error.value)
    assert project.reports.count() == 1


def test_a_report_is_an_activity_of_the_official(pejabat):
    project = ProjectFactory()
    services.progress_report_add(
        project=project,
        actor=pejabat,
        period_end=datetime.date(2026, 3, 31),
        planned_physical=Decimal("10"),
        planned_financial=Decimal("8"),
        actual_physical=Decimal("9"),
        actual_financial=Decimal("7"),
    )
    assert Activity.objects.filter(actor=pejabat, verb="infrastructure.progress_reported").exists()


# --- Public pages -------------------------------------------------------------------------


def test_anyone_reads_the_project_page_with_its_curve_and_delay(client, db):
    report = ReportFactory(planned_physical=Decimal("50"), actual_physical=Decimal("20"))
    response = client.get(reverse("infrastructure:project_detail", args=[report.project.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert report.project.title in page
    assert "TERLAMBAT" in page
    assert 'class="infra-planned"' in page and 'class="infra-actual"' in page
    assert "Rp 9.000.000.000" in page  # contract value, Indonesian thousands separator
    assert "<script" not in page.split("</head>")[1]
    assert 'style="' not in page


def test_a_private_project_is_a_404_for_the_public(client, db):
    project = ProjectFactory(is_public=False)
    response = client.get(reverse("infrastructure:project_detail", args=[project.code]))
    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_dashboard_and_project_page_query_counts_do_not_grow_with_projects(client, db, count):
    made = []
    for _number in range(count):
        report = ReportFactory()
        ReportFactory(project=report.project, period_end=datetime.date(2026, 4, 30))
        made.append(report.project)
    with CaptureQueriesContext(connection) as dashboard:
        response = client.get(reverse("infrastructure:index"))
    assert response.content.decode().count('<li class="infra-project') == count
    with CaptureQueriesContext(connection) as detail:
        client.get(reverse("infrastructure:project_detail", args=[made[-1].code]))
    # assets (3) + projects and their reports (2); one project: itself, reports, files.
    assert len(dashboard) <= 5
    assert len(detail) <= 3


# --- Officials ---------------------------------------------------------------------------


def _project_form(**overrides) -> dict:
    data = {
        "code": "jalan-baru",
        "title": "Pembangunan Jalan Baru",
        "description": "",
        "project_type": "construction",
        "status": "preparation",
        "agency": "",
        "contractor": "",
        "latitude": "-6.91",
        "longitude": "107.61",
        "budget": "1500000000",
        "contract_value": "",
        "planned_start": "2026-07-01",
        "planned_end": "2026-12-31",
        "actual_start": "",
        "actual_end": "",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_cannot_open_the_officials_pages(client, db):
    project = ProjectFactory()
    for url in (
        reverse("infrastructure:manage"),
        reverse("infrastructure:manage_project_create"),
        reverse("infrastructure:manage_project", args=[project.code]),
        reverse("infrastructure:manage_priority"),
        reverse("infrastructure:manage_devices"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/akun/login/" in response["Location"]
    response = client.post(reverse("infrastructure:manage_project_create"), _project_form())
    assert response.status_code == 302
    assert not Project.objects.filter(code="jalan-baru").exists()


def test_a_citizen_is_refused(client, alice):
    client.force_login(alice)
    assert client.get(reverse("infrastructure:manage")).status_code == 403


def test_an_official_creates_a_project_of_their_unit(client, pejabat, pupr):
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_project_create"), _project_form(agency=str(pupr.pk))
    )
    assert response.status_code == 302
    project = Project.objects.get(code="jalan-baru")
    assert project.budget == 1_500_000_000 and project.agency == pupr
    assert Activity.objects.filter(verb="infrastructure.project_created").count() == 1


def test_bad_project_dates_show_a_message_and_write_nothing(client, pejabat, pupr):
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_project_create"),
        _project_form(agency=str(pupr.pk), planned_end="2026-01-01", budget="-5"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Rencana selesai tidak boleh sebelum rencana mulai." in page
    assert "Nilai rupiah tidak boleh negatif." in page
    assert not Project.objects.exists()


def test_an_official_cannot_file_a_project_under_another_unit(client, pejabat):
    other = UnitFactory(code="DISHUB")
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_project_create"), _project_form(agency=str(other.pk))
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_an_official_cannot_touch_another_units_project(client, pejabat):
    foreign = ProjectFactory(agency=UnitFactory(code="DISHUB"))
    client.force_login(pejabat)
    assert (
        client.get(reverse("infrastructure:manage_project", args=[foreign.code])).status_code == 404
    )
    response = client.post(
        reverse("infrastructure:manage_project", args=[foreign.code]),
        {"period_end": "2026-05-31", "planned_physical": "10", "planned_financial": "10"},
    )
    assert response.status_code == 404
    assert not foreign.reports.exists()


def test_an_official_adds_a_progress_report(client, pejabat, pupr):
    project = ProjectFactory(agency=pupr)
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_project", args=[project.code]),
        {
            "period_end": "2026-05-31",
            "planned_physical": "40",
            "actual_physical": "25",
            "planned_financial": "35",
            "actual_financial": "20",
        },
    )
    assert response.status_code == 302
    assert selectors.project_with_progress(project_id=project.pk).progress.delayed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"planned_physical": "140"}, "Pastikan nilai ini lebih kecil dari atau sama dengan 100."),
        ({"actual_physical": "-1"}, "Pastikan nilai ini lebih besar dari atau sama dengan 0."),
        (
            {"period_end": "2026-09-30", "actual_physical": "10"},
            "Realisasi hanya bisa diisi untuk periode yang sudah lewat.",
        ),
        ({"period_end": "2025-12-31"}, "Akhir periode tidak boleh sebelum rencana mulai proyek."),
    ],
)
def test_bad_progress_is_refused_with_a_message(client, pejabat, pupr, data, message):
    project = ProjectFactory(agency=pupr)
    client.force_login(pejabat)
    form = {"period_end": "2026-05-31", "planned_physical": "40", "planned_financial": "35"}
    response = client.post(
        reverse("infrastructure:manage_project", args=[project.code]), {**form, **data}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not project.reports.exists()


@pytest.mark.django_db(transaction=True)
def test_an_official_uploads_documents_and_photos(client, pejabat, pupr):
    # Real commits: the files are written when the upload's transaction commits.
    project = ProjectFactory(agency=pupr)
    client.force_login(pejabat)
    url = reverse("infrastructure:manage_project_documents", args=[project.code])
    response = client.post(
        url,
        {
            "kind": "document",
            "document_type": "contractSigned",
            "title": "Kontrak",
            "files": [pdf()],
        },
    )
    assert response.status_code == 302
    response = client.post(
        url, {"kind": "photo", "title": "Progres", "files": [png(), png("b.png")]}
    )
    assert response.status_code == 302
    assert ProjectDocument.objects.filter(project=project, kind="photo").count() == 2
    document = ProjectDocument.objects.get(kind="document")
    assert document.content_type == "application/pdf"
    assert not document.file.name.endswith("kontrak.pdf")  # stored under a random name
    download = client.get(reverse("infrastructure:project_file", args=[project.code, document.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    page = client.get(
        reverse("infrastructure:project_detail", args=[project.code])
    ).content.decode()
    assert page.count('loading="lazy"') == 2 and "Kontrak" in page


@pytest.mark.parametrize(
    ("kind", "upload", "message"),
    [
        ("document", fake_exe, "Isi berkas tidak sesuai dengan jenisnya: laporan.pdf harus"),
        ("photo", pdf, "Jenis berkas tidak diizinkan: kontrak.pdf harus JPEG atau PNG"),
        ("photo", lambda: big_png(11 * 1024 * 1024), "Berkas besar.png terlalu besar"),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(
    client, pejabat, pupr, kind, upload, message
):
    project = ProjectFactory(agency=pupr)
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_project_documents", args=[project.code]),
        {"kind": kind, "title": "Berkas", "files": [png("ok.png"), upload()]},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProjectDocument.objects.exists()


def test_the_officials_project_page_query_count_does_not_grow(client, pejabat, pupr):
    counts = []
    for reports in (1, 6):
        project = ProjectFactory(agency=pupr)
        for month in range(reports):
            ReportFactory(project=project, period_end=datetime.date(2026, month + 1, 28))
        client.force_login(pejabat)
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(
                    reverse("infrastructure:manage_project", args=[project.code])
                ).status_code
                == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_admin_lists_and_opens_everything_new(client, admin_user, pejabat):
    from tests.infrastructure.factories import AssetFactory

    report = ReportFactory()
    asset = AssetFactory(kind="bridge")
    inspection = services.inspection_record(
        asset=asset,
        inspector=pejabat,
        inspected_on=datetime.date(2026, 6, 1),
        findings="Baik",
        condition=1,
    )
    client.force_login(admin_user)
    for model, pk in (
        ("project", report.project.pk),
        ("progressreport", report.pk),
        ("inspection", inspection.pk),
        ("asset", asset.pk),
    ):
        assert client.get(f"/admin/infrastructure/{model}/").status_code == 200
        assert client.get(f"/admin/infrastructure/{model}/{pk}/change/").status_code == 200
    assert client.get("/admin/infrastructure/projectdocument/").status_code == 200
    assert (
        client.get("/admin/infrastructure/project/?q=Uji&status=implementation").status_code == 200
    )


def test_a_refused_document_leaves_no_file_on_disk(pejabat, pupr, tmp_path):
    project = ProjectFactory(agency=pupr)
    with pytest.raises(ValidationError):
        services.project_documents_add(
            project=project, actor=pejabat, kind="document", title="x" * 250, files=[pdf()]
        )
    assert not ProjectDocument.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_an_official_edits_a_project_but_not_its_code(client, pejabat, pupr):
    project = ProjectFactory(agency=pupr, code="kode-tetap")
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_project_edit", args=[project.code]),
        _project_form(
            code="kode-baru",
            agency=str(pupr.pk),
            status="implementation",
            contract_value="1400000000",
            actual_start="2026-07-02",
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.code == "kode-tetap" and project.status == "implementation"
    assert project.contract_value == 1_400_000_000
    assert Activity.objects.filter(verb="infrastructure.project_updated").exists()
    home = client.get(reverse("infrastructure:manage")).content.decode()
    assert "Pembangunan Jalan Baru" in home


def _files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.django_db(transaction=True)
def test_uploads_rolled_back_by_an_outer_transaction_leave_no_file_on_disk(tmp_path):
    """A caller's transaction that fails after the upload service returned: with real
    commits and rollbacks, nothing reaches the disk; a committed upload does."""
    pupr = UnitFactory(code="PUPR", name="Dinas PUPR")
    pejabat = official(pupr)
    project = ProjectFactory(agency=pupr)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.project_documents_add(
            project=project, actor=pejabat, kind="photo", title="Foto", files=[png(), png("b.png")]
        )
        services.inspection_record(
            asset=AssetFactory(kind="bridge", agency=pupr),
            inspector=pejabat,
            inspected_on=datetime.date(2026, 6, 1),
            findings="Retak",
            condition=3,
            photos=[png()],
        )
        raise RuntimeError("the caller fails after the uploads")
    assert not ProjectDocument.objects.exists() and not InspectionPhoto.objects.exists()
    assert not _files(tmp_path)

    documents = services.project_documents_add(
        project=project, actor=pejabat, kind="document", title="Kontrak", files=[pdf()]
    )
    assert [path.read_bytes() for path in _files(tmp_path)] == [PDF]
    assert (tmp_path / documents[0].file.name).is_file()


def test_a_savepoint_rolled_back_drops_its_files_but_not_the_others(
    pejabat, pupr, tmp_path, django_capture_on_commit_callbacks
):
    project = ProjectFactory(agency=pupr)
    with django_capture_on_commit_callbacks(execute=True):
        kept = services.project_documents_add(
            project=project, actor=pejabat, kind="document", title="Kontrak", files=[pdf()]
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            services.project_documents_add(
                project=project, actor=pejabat, kind="photo", title="Foto", files=[png()]
            )
            ProjectFactory(code=project.code)  # the caller's next write fails
    assert list(ProjectDocument.objects.all()) == kept
    assert [path.name for path in _files(tmp_path)] == [kept[0].file.name.rsplit("/", 1)[1]]


def test_a_storage_failure_after_commit_removes_the_rows_and_the_written_files(
    pejabat, pupr, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.files.storage import FileSystemStorage

    real_save = FileSystemStorage.save
    calls = []

    def disk_full_on_second_file(self, name, content, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_save(self, name, content, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", disk_full_on_second_file)
    project = ProjectFactory(agency=pupr)
    with (
        pytest.raises(ValidationError, match="gagal disimpan"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.project_documents_add(
            project=project, actor=pejabat, kind="photo", title="Foto", files=[png(), png("b.png")]
        )
    assert not ProjectDocument.objects.exists()
    assert not _files(tmp_path)
