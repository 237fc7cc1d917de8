"""Open data: CSV and JSON of projects, assets and readings; OC4IDS for projects.

Readings can be millions of rows, so they are streamed: a server-side cursor
(`QuerySet.iterator(chunk_size=…)`, a named cursor on PostgreSQL) feeds a generator
that yields the response a chunk at a time, and memory stays flat whatever the range.

OC4IDS (Open Contracting for Infrastructure Data Standard, schema 0.9): a project
package with `uri`, `publishedDate`, `publisher`, `version` and `projects`; each project
uses the standard's field names (`id`, `title`, `status`, `period`, `budget.amount`,
`locations`, `parties`, `publicAuthority`, `documents`, `completion`) and reports its
planned progress as `forecasts` and its actual progress as `metrics`, with the
`physicalProgress` and `financialProgress` codes of the metricID codelist.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from infrastructure import condition, conf
from infrastructure.models import Asset, Metric, Project, Reading

OC4IDS_VERSION = "0.9"
CHUNK = 5000

PROJECT_COLUMNS = [
    "code",
    "title",
    "status",
    "agency",
    "kelurahan",
    "latitude",
    "longitude",
    "budget_idr",
    "contract_value_idr",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "report_period_end",
    "planned_physical_pct",
    "actual_physical_pct",
    "planned_financial_pct",
    "actual_financial_pct",
    "deviation_pct",
    "delayed",
    "absorbed_idr",
]

ASSET_COLUMNS = [
    "code",
    "name",
    "kind",
    "kelurahan",
    "latitude",
    "longitude",
    "condition",
    "condition_scale",
    "condition_assessed_on",
    "condition_label",
    "badness",
    "criticality",
    "traffic_weight",
    "priority_score",
]

READING_COLUMNS = ["asset", "device", "metric", "unit", "ts", "value"]


class _Echo:
    """csv.writer writes into this and we yield what it wrote (Django's streaming recipe)."""

    def write(self, value: str) -> str:
        return value


def _plain(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def csv_stream(columns: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read UTF-8 (kelurahan names, µε)
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow(["" if row[c] is None else _plain(row[c]) for c in columns])


def json_stream(rows: Iterable[dict], *, meta: dict) -> Iterator[str]:
    """`meta` with the rows as a JSON array under "data", written piece by piece."""
    yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "data": [\n'
    separator = ""
    for row in rows:
        yield separator + json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


# --- Projects ------------------------------------------------------------------------


def project_row(project: Project) -> dict:
    progress = project.progress
    return {
        "code": project.code,
        "title": project.title,
        "status": project.status,
        "agency": project.agency.name,
        "kelurahan": project.kelurahan.name if project.kelurahan else None,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "budget_idr": project.budget,
        "contract_value_idr": project.contract_value,
        "planned_start": project.planned_start,
        "planned_end": project.planned_end,
        "actual_start": project.actual_start,
        "actual_end": project.actual_end,
        "report_period_end": progress.period_end,
        "planned_physical_pct": progress.planned_physical,
        "actual_physical_pct": progress.actual_physical,
        "planned_financial_pct": progress.planned_financial,
        "actual_financial_pct": progress.actual_financial,
        "deviation_pct": progress.deviation,
        "delayed": progress.delayed,
        "absorbed_idr": progress.absorbed,
    }


# --- Assets --------------------------------------------------------------------------


def asset_row(asset: Asset) -> dict:
    scale = condition.scale_for(asset.kind)
    badness = getattr(asset, "badness", None)
    score = getattr(asset, "score", None)
    return {
        "code": asset.code,
        "name": asset.name,
        "kind": asset.kind,
        "kelurahan": asset.kelurahan.name if asset.kelurahan else None,
        "latitude": asset.latitude,
        "longitude": asset.longitude,
        "condition": asset.condition,
        "condition_scale": f"{scale.low:g}-{scale.high:g}",
        "condition_assessed_on": asset.condition_assessed_on,
        "condition_label": condition.label_for(badness),
        "badness": None if badness is None else round(badness, 4),
        "criticality": asset.criticality,
        "traffic_weight": asset.traffic_weight,
        "priority_score": None if score is None else round(score, 2),
    }


def assets_public() -> Iterator[Asset]:
    return (
        Asset.objects.filter(is_public=True)
        .select_related("kelurahan")
        .annotate(badness=condition.badness_annotation())
        .annotate(score=condition.score_annotation())
        .order_by("code")
        .iterator(chunk_size=CHUNK)
    )


# --- Readings ------------------------------------------------------------------------


def public_metrics(*, asset_code: str = "") -> dict[int, dict]:
    """Labels of the public metrics to export, keyed by id (one query)."""
    queryset = Metric.objects.filter(device__asset__is_public=True, device__enabled=True)
    if asset_code:
        queryset = queryset.filter(device__asset__code=asset_code)
    return {
        row["id"]: {
            "asset": row["device__asset__code"],
            "device": row["device__key"],
            "metric": row["name"],
            "unit": row["unit"],
        }
        for row in queryset.values("id", "name", "unit", "device__key", "device__asset__code")
    }


def reading_rows(
    metrics: dict[int, dict], *, start: datetime.datetime, end: datetime.datetime
) -> Iterator[dict]:
    """Readings of `metrics` in [start, end), per metric in time order, read through a
    server-side cursor so a month of a busy sensor never sits in memory at once."""
    if not metrics:
        return
    rows = (
        Reading.objects.filter(metric_id__in=list(metrics), ts__gte=start, ts__lt=end)
        .order_by("metric_id", "ts")
        .values_list("metric_id", "ts", "value")
        .iterator(chunk_size=CHUNK)
    )
    for metric_id, ts, value in rows:
        yield {**metrics[metric_id], "ts": ts, "value": value}


# --- OC4IDS --------------------------------------------------------------------------


def _value(amount: int | None) -> dict | None:
    return None if amount is None else {"amount": amount, "currency": "IDR"}


def _date_time(day: datetime.date | None) -> str | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time())).isoformat()


def _drop_empty(data):
    """OC4IDS omits unknown fields rather than publishing nulls."""
    if isinstance(data, dict):
        cleaned = {k: _drop_empty(v) for k, v in data.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(data, list):
        return [_drop_empty(item) for item in data]
    return data


def _observations(project: Project, field: str) -> list[dict]:
    return [
        {
            "id": f"{report.period_end.isoformat()}",
            "period": {
                "startDate": _date_time(project.planned_start),
                "endDate": _date_time(report.period_end),
            },
            "measure": float(getattr(report, field)),
            "unit": {"name": "percent", "scheme": "UNCEFACT", "id": "P1"},
        }
        for report in project.report_list
        if getattr(report, field) is not None
    ]


def oc4ids_project(project: Project, *, base_url: str) -> dict:
    """One project in OC4IDS shape. `project` comes decorated from the selectors."""
    agency_id = f"unit-{project.agency.code}"
    parties = [
        {"id": agency_id, "name": project.agency.name, "roles": ["publicAuthority"]},
    ]
    if project.contractor:
        parties.append(
            {"id": f"supplier-{project.pk}", "name": project.contractor, "roles": ["supplier"]}
        )
    documents = [
        {
            "id": str(document.pk),
            "documentType": document.document_type or None,
            "title": document.title,
            "url": base_url
            + reverse("infrastructure:project_file", args=[project.code, document.pk]),
            "format": document.content_type,
            "datePublished": document.uploaded_at.isoformat(),
        }
        for document in getattr(project, "files", []) + getattr(project, "photos", [])
    ]
    metric_titles = {
        "physicalProgress": "Kemajuan fisik",
        "financialProgress": "Kemajuan keuangan",
    }

    def metrics(planned: bool) -> list[dict]:
        fields = (
            {"physicalProgress": "planned_physical", "financialProgress": "planned_financial"}
            if planned
            else {"physicalProgress": "actual_physical", "financialProgress": "actual_financial"}
        )
        return [
            {
                "id": code,
                "title": metric_titles[code],
                "observations": _observations(project, field),
            }
            for code, field in fields.items()
        ]

    completion = None
    if project.status in (Project.Status.COMPLETION, Project.Status.COMPLETED):
        completion = {
            "endDate": _date_time(project.actual_end),
            "finalValue": _value(project.progress.absorbed),
        }
    location = {
        "id": "1",
        "description": project.kelurahan.name if project.kelurahan else project.title,
        "geometry": {
            "type": "Point",
            # GeoJSON order: longitude, latitude.
            "coordinates": [float(project.longitude), float(project.latitude)],
        },
        "address": {
            "locality": project.kelurahan.name if project.kelurahan else None,
            "countryName": "Indonesia",
        },
    }
    if project.kelurahan:
        location["gazetteer"] = {
            "scheme": "IDN-KEMENDAGRI",
            "identifiers": [project.kelurahan.code],
        }
    return _drop_empty(
        {
            "id": f"{conf.oc4ids_prefix()}-{project.code}",
            "updated": project.updated_at.isoformat(),
            "title": project.title,
            "description": project.description,
            "status": project.status,
            "type": project.project_type,
            "period": {
                "startDate": _date_time(project.planned_start),
                "endDate": _date_time(project.planned_end),
            },
            "locations": [location],
            "budget": {"amount": _value(project.budget)},
            "parties": parties,
            "publicAuthority": {"id": agency_id, "name": project.agency.name},
            "documents": documents,
            "contractingProcesses": (
                [
                    {
                        "id": f"{project.code}-kontrak",
                        "summary": {
                            "title": f"Kontrak {project.title}",
                            "nature": ["construction"],
                            "contractValue": _value(project.contract_value),
                            "suppliers": [
                                {"id": f"supplier-{project.pk}", "name": project.contractor}
                            ]
                            if project.contractor
                            else [],
                            "contractPeriod": {
                                "startDate": _date_time(project.actual_start),
                                "endDate": _date_time(project.actual_end),
                            },
                        },
                    }
                ]
                if project.contract_value is not None
                else []
            ),
            "forecasts": metrics(planned=True),
            "metrics": metrics(planned=False),
            "completion": completion,
        }
    )


def oc4ids_package(projects: list[Project], *, base_url: str) -> dict:
    latest = max((p.updated_at for p in projects), default=timezone.now())
    return {
        "uri": base_url + reverse("infrastructure:export_oc4ids"),
        "publishedDate": latest.isoformat(),
        "publisher": {"name": conf.oc4ids_publisher()},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "version": OC4IDS_VERSION,
        "projects": [oc4ids_project(project, base_url=base_url) for project in projects],
    }
