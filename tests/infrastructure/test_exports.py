"""Open data: CSV and JSON of projects, assets and readings; OC4IDS for projects."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from infrastructure.models import ProjectDocument
from infrastructure.services import readings_ingest
from tests.infrastructure.conftest import topic
from tests.infrastructure.factories import AssetFactory, DeviceFactory, MetricFactory
from tests.infrastructure.project_factories import PDF, ProjectFactory, ReportFactory

NOW = datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def _body(response) -> str:
    assert response.streaming, "open data must be streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_body(response).lstrip("\ufeff"))))


@pytest.fixture
def late_project(db):
    report = ReportFactory(
        project__code="jalan-dago",
        project__title="Peningkatan Jalan Dago",
        planned_physical=Decimal("50"),
        actual_physical=Decimal("30"),
        actual_financial=Decimal("20"),
    )
    ReportFactory(
        project=report.project,
        period_end=datetime.date(2026, 9, 30),
        planned_physical=Decimal("90"),
        actual_physical=None,
        actual_financial=None,
    )
    ProjectFactory(code="rahasia", is_public=False)
    return report.project


def test_projects_csv_has_progress_delay_and_absorption(client, late_project):
    response = client.get(reverse("infrastructure:export_projects", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert [row["code"] for row in rows] == ["jalan-dago"]
    row = rows[0]
    assert row["delayed"] == "True" and row["deviation_pct"] == "-20.0"
    assert row["absorbed_idr"] == "1800000000" and row["budget_idr"] == "10000000000"


def test_projects_json_is_valid_json_with_metadata(client, late_project):
    data = json.loads(_body(client.get(reverse("infrastructure:export_projects", args=["json"]))))
    assert data["license"] == "CC-BY-4.0"
    assert data["data"][0]["title"] == "Peningkatan Jalan Dago"
    assert data["data"][0]["actual_physical_pct"] == 30.0


def test_oc4ids_package_follows_the_standards_field_names(client, late_project):
    ProjectDocument.objects.create(
        project=late_project,
        kind="document",
        document_type="contractSigned",
        title="Kontrak",
        file="infrastruktur/proyek/x.pdf",
        content_type="application/pdf",
    )
    response = client.get(reverse("infrastructure:export_oc4ids"))
    package = json.loads(response.content)
    assert {"uri", "publishedDate", "publisher", "version", "projects"} <= set(package)
    assert package["version"] == "0.9"
    (project,) = package["projects"]
    assert project["id"].endswith("-jalan-dago")
    assert project["status"] == "implementation"
    assert project["period"] == {
        "startDate": "2026-01-01T00:00:00+07:00",
        "endDate": "2026-12-31T00:00:00+07:00",
    }
    assert project["budget"]["amount"] == {"amount": 10_000_000_000, "currency": "IDR"}
    assert project["locations"][0]["geometry"] == {"type": "Point", "coordinates": [107.6, -6.9]}
    assert project["publicAuthority"]["name"] == "Dinas PUPR"
    assert "publicAuthority" in project["parties"][0]["roles"]
    assert project["documents"][0]["documentType"] == "contractSigned"
    actual = {metric["id"]: metric for metric in project["metrics"]}
    planned = {metric["id"]: metric for metric in project["forecasts"]}
    assert [o["measure"] for o in actual["physicalProgress"]["observations"]] == [30.0]
    assert [o["measure"] for o in planned["physicalProgress"]["observations"]] == [50.0, 90.0]
    assert actual["physicalProgress"]["observations"][0]["unit"]["name"] == "percent"
    assert "completion" not in project  # only once the project is handed over


def test_one_projects_oc4ids(client, late_project):
    response = client.get(reverse("infrastructure:project_oc4ids", args=["jalan-dago"]))
    assert json.loads(response.content)["projects"][0]["title"] == "Peningkatan Jalan Dago"
    assert client.get(reverse("infrastructure:project_oc4ids", args=["rahasia"])).status_code == 404


def test_assets_csv_and_json(client, db):
    AssetFactory(code="jembatan-a", kind="bridge", condition=3, criticality=5, traffic_weight=4)
    AssetFactory(code="tersembunyi", is_public=False)
    rows = _csv_rows(client.get(reverse("infrastructure:export_assets", args=["csv"])))
    assert [row["code"] for row in rows] == ["jembatan-a"]
    assert rows[0]["badness"] == "0.6" and rows[0]["priority_score"] == "12.0"
    assert rows[0]["condition_scale"] == "0-5"
    data = json.loads(_body(client.get(reverse("infrastructure:export_assets", args=["json"]))))
    assert data["data"][0]["condition_label"] == "rusak ringan"


def test_an_unknown_format_is_a_404(client, db):
    assert client.get("/infrastruktur/data/proyek.xml").status_code == 404


@pytest.fixture
def readings(db):
    device = DeviceFactory(key="dev-ekspor-1", asset=AssetFactory(code="jembatan-ekspor"))
    MetricFactory(device=device, name="strain", unit="µε")
    hidden = DeviceFactory(key="dev-rahasia-1", asset=AssetFactory(is_public=False))
    MetricFactory(device=hidden, name="strain")
    now_ms = int(NOW.timestamp() * 1000)
    messages = [
        (
            topic(key),
            json.dumps({"ts": now_ms - h * 3_600_000, "values": {"strain": h}}).encode(),
            now_ms,
        )
        for key in ("dev-ekspor-1", "dev-rahasia-1")
        for h in range(48)
    ]
    readings_ingest(messages=messages, now_ms=now_ms)


def test_readings_default_to_the_last_24_hours_of_public_sensors(client, readings):
    rows = _csv_rows(client.get(reverse("infrastructure:export_readings", args=["csv"])))
    assert len(rows) == 24  # hours 1…24 back; the reading exactly 24 h ago is included
    assert {row["device"] for row in rows} == {"dev-ekspor-1"}
    assert rows[0]["unit"] == "µε"
    assert [row["ts"] for row in rows] == sorted(row["ts"] for row in rows)


def test_readings_between_from_and_to_as_json(client, readings):
    response = client.get(
        reverse("infrastructure:export_readings", args=["json"]),
        # 29 to 24 hours before NOW (10:00 WIB); `to` is exclusive.
        {
            "from": "2026-06-14T05:00:00+07:00",
            "to": "2026-06-14T10:00:00+07:00",
            "asset": "jembatan-ekspor",
        },
    )
    data = json.loads(_body(response))
    assert data["from"] == "2026-06-14T05:00:00+07:00"
    assert [row["value"] for row in data["data"]] == [29.0, 28.0, 27.0, 26.0, 25.0]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "kemarin"}, "Parameter 'from' harus tanggal ISO"),
        ({"to": "2026-13-45"}, "Parameter 'to' harus tanggal ISO"),
        ({"from": "2026-06-10", "to": "2026-06-01"}, "'from' harus sebelum 'to'."),
        ({"from": "2026-01-01", "to": "2026-06-01"}, "Rentang waktu paling panjang 31 hari"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_bad_range_is_a_clear_400(client, db, params, message, fmt):
    response = client.get(reverse("infrastructure:export_readings", args=[fmt]), params)
    assert response.status_code == 400
    body = json.loads(response.content)["error"] if fmt == "json" else response.content.decode()
    assert message in body


def test_the_longest_range_is_a_setting(client, db, settings):
    settings.INFRA_EXPORT_MAX_DAYS = 2
    response = client.get(
        reverse("infrastructure:export_readings", args=["csv"]),
        {"from": "2026-06-01", "to": "2026-06-04"},
    )
    assert response.status_code == 400 and "2 hari" in response.content.decode()


def test_a_large_export_is_streamed_in_chunks_through_a_cursor(client, readings, monkeypatch):
    from infrastructure import exports

    monkeypatch.setattr(exports, "CHUNK", 5)
    response = client.get(
        reverse("infrastructure:export_readings", args=["csv"]),
        {"from": "2026-06-12", "to": "2026-06-16"},
    )
    chunks = list(response.streaming_content)
    assert len(chunks) > 40  # one piece per row, never the whole file at once
    assert sum(chunk.count(b"\n") for chunk in chunks) == 49  # header + 48 readings


def test_the_dashboard_links_the_open_data(client, db):
    page = client.get(reverse("infrastructure:index")).content.decode()
    assert reverse("infrastructure:open_data") in page
    page = client.get(reverse("infrastructure:open_data")).content.decode()
    for name in ("export_projects", "export_assets", "export_readings"):
        assert reverse(f"infrastructure:{name}", args=["csv"]) in page
    assert reverse("infrastructure:export_oc4ids") in page


def test_project_files_are_served_only_for_public_projects(client, db, tmp_path):
    public = ProjectFactory()
    private = ProjectFactory(is_public=False)
    for project in (public, private):
        (tmp_path / f"{project.code}.pdf").write_bytes(PDF)
        ProjectDocument.objects.create(
            project=project,
            kind="document",
            title="Dokumen",
            file=f"{project.code}.pdf",
            content_type="application/pdf",
        )
    for project, status in ((public, 200), (private, 404)):
        document = project.documents.get()
        url = reverse("infrastructure:project_file", args=[project.code, document.pk])
        assert client.get(url).status_code == status
