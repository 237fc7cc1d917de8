"""Writes of the infrastructure app: devices and their secrets, ingestion, partitions."""

from __future__ import annotations

import datetime
import logging
import secrets
import time
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infrastructure import conf, uploads
from infrastructure.ingest import partitions, retention, rollups
from infrastructure.ingest.directory import directory
from infrastructure.ingest.parse import Limits, device_key_from_topic, parse_messages
from infrastructure.ingest.writer import WriteSummary, batch_write
from infrastructure.models import (
    Asset,
    Device,
    Inspection,
    InspectionPhoto,
    Metric,
    ProgressReport,
    Project,
    ProjectDocument,
    hash_secret,
)
from infrastructure.mqtt_auth import mosquitto_password_hash
from portal.models import User
from portal.services import activity_record

logger = logging.getLogger(__name__)

# One raw MQTT message as handed from the ingester to the writer: (topic, payload, received ms).
RawMessage = tuple[str, bytes | str, int]


def _limits(now_ms: int) -> Limits:
    return Limits(
        now_ms=now_ms,
        max_skew_ms=conf.ts_max_skew_seconds() * 1000,
        max_age_ms=conf.ts_max_age_seconds() * 1000,
        max_payload_bytes=conf.max_payload_bytes(),
    )


def readings_ingest(
    *, messages: Sequence[RawMessage], now_ms: int | None = None, merge_rollups: bool = True
) -> WriteSummary:
    """Parse and store a batch of raw telemetry messages (idempotent, one transaction).

    With `merge_rollups` the rollups are up to date when this returns; the ingest
    workers pass False and merge periodically instead (ingest/rollups.py).
    """
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    directory.prime(
        key for key in (device_key_from_topic(topic) for topic, _p, _r in messages) if key
    )
    result = parse_messages(messages, lookup=directory.lookup, limits=_limits(now_ms))
    summary = batch_write(result)
    if merge_rollups:
        rollups_compact()
    return summary


def rollups_compact() -> int | None:
    """Fold the pending rollup deltas into the hourly/daily rollups (PostgreSQL)."""
    return rollups.compact()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def device_create(
    *,
    asset: Asset,
    name: str,
    key: str | None = None,
    metrics: Iterable[dict] = (),
    actor: User | None = None,
) -> tuple[Device, str]:
    """Create a device with its metrics; returns the device and its secret (shown once)."""
    secret = _new_secret()
    device = Device(
        asset=asset,
        name=name,
        secret_hash=hash_secret(secret),
        mqtt_password_hash=mosquitto_password_hash(secret),
    )
    device.secret_rotated_at = timezone.now()
    if key:
        device.key = key
    device.full_clean()
    device.save()
    Metric.objects.bulk_create([Metric(device=device, **fields) for fields in metrics])
    if actor is not None:
        activity_record(actor=actor, verb="infrastructure.device_created", target=device)
    return device, secret


@transaction.atomic
def device_secret_rotate(*, device: Device, actor: User | None = None) -> str:
    """Replace a device's secret; the new one is returned once and never stored in clear."""
    secret = _new_secret()
    device.secret_hash = hash_secret(secret)
    device.mqtt_password_hash = mosquitto_password_hash(secret)
    device.secret_rotated_at = timezone.now()
    device.save(update_fields=["secret_hash", "mqtt_password_hash", "secret_rotated_at"])
    if actor is not None:
        activity_record(actor=actor, verb="infrastructure.device_secret_rotated", target=device)
    return secret


def partitions_maintain(*, today: datetime.date | None = None) -> dict:
    """Create the readings partitions ahead; apply retention (per asset type): drop the
    partitions past the longest one, delete the rest in bounded batches (ingest/retention.py)."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    created = partitions.partitions_ensure_ahead(
        today=today, ahead_days=conf.partitions_ahead_days()
    )
    kept = retention.apply(today=today)
    return {
        "created": [day.isoformat() for day in created],
        "dropped": [day.isoformat() for day in kept.dropped],
        "deleted": kept.deleted,
        "finished": kept.finished,
    }


# --- Projects ----------------------------------------------------------------------

PROJECT_FIELDS = (
    "code",
    "title",
    "description",
    "project_type",
    "status",
    "agency",
    "asset",
    "contractor",
    "kelurahan",
    "latitude",
    "longitude",
    "budget",
    "contract_value",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "is_public",
)


@transaction.atomic
def project_save(*, actor: User, project: Project | None = None, **fields) -> Project:
    """Create a project, or update `project` with `fields`; validated in full first."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    created = project is None
    project = project or Project()
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    activity_record(
        actor=actor,
        verb="infrastructure.project_created" if created else "infrastructure.project_updated",
        target=project,
    )
    return project


@transaction.atomic
def progress_report_add(
    *,
    project: Project,
    actor: User,
    period_end: datetime.date,
    planned_physical,
    planned_financial,
    actual_physical=None,
    actual_financial=None,
    note: str = "",
) -> ProgressReport:
    """Record one period's planned and actual progress (one report per period)."""
    report = ProgressReport(
        project=project,
        period_end=period_end,
        planned_physical=planned_physical,
        planned_financial=planned_financial,
        actual_physical=actual_physical,
        actual_financial=actual_financial,
        note=note,
        reported_by=actor,
    )
    if period_end < project.planned_start:
        raise ValidationError(
            {"period_end": _("Akhir periode tidak boleh sebelum rencana mulai proyek.")}
        )
    report.full_clean()
    report.save()
    # Touch the project: OC4IDS `updated` and caches follow its latest change.
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    activity_record(
        actor=actor,
        verb="infrastructure.progress_reported",
        target=project,
        data={"period_end": period_end.isoformat()},
    )
    return report


CORRECTABLE_FIELDS = (
    "planned_physical",
    "actual_physical",
    "planned_financial",
    "actual_financial",
    "note",
)


def _reason_checked(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tuliskan alasannya: dicatat di jejak audit.")})
    return reason[:500]


@transaction.atomic
def progress_report_correct(
    *, report: ProgressReport, actor: User, reason: str, **figures
) -> ProgressReport:
    """Correct the figures of a period already reported, with a reason for the audit trail.

    The period itself never moves (delete the report and add another instead). The row is
    locked so two officials correcting the same period cannot silently undo each other.
    """
    unknown = set(figures) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown progress fields: {sorted(unknown)}")
    reason = _reason_checked(reason)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    changes = {}
    for name, value in figures.items():
        before = getattr(report, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(report, name, value)
    if not changes:
        raise ValidationError(_("Tidak ada angka yang berubah; laporan tidak disimpan ulang."))
    if report.period_end > timezone.localdate() and (
        report.actual_physical is not None or report.actual_financial is not None
    ):
        raise ValidationError(_("Realisasi hanya bisa diisi untuk periode yang sudah lewat."))
    report.full_clean()
    # Read by ProgressReport.get_additional_data: the reason lands in the auditlog entry.
    report.audit_reason = reason
    report.save(update_fields=list(changes))
    Project.objects.filter(pk=report.project_id).update(updated_at=timezone.now())
    activity_record(
        actor=actor,
        verb="infrastructure.progress_corrected",
        target=report.project,
        data={
            "period_end": report.period_end.isoformat(),
            "reason": reason,
            "changes": changes,
        },
    )
    return report


@transaction.atomic
def progress_report_delete(*, report: ProgressReport, actor: User, reason: str) -> None:
    """Remove a report filed by mistake; what it said stays in the audit trail."""
    reason = _reason_checked(reason)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    snapshot = {name: _plain(getattr(report, name)) for name in CORRECTABLE_FIELDS}
    period_end = report.period_end
    project = report.project
    report.audit_reason = reason
    report.delete()
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    activity_record(
        actor=actor,
        verb="infrastructure.progress_deleted",
        target=project,
        data={"period_end": period_end.isoformat(), "reason": reason, "report": snapshot},
    )


def _plain(value):
    """JSON-safe form of a figure for the activity log (Decimals as strings)."""
    return None if value is None else str(value)


def _name_for(field_file, upload: UploadedFile) -> None:
    """Give the row its final (random) file name now; the bytes are written on commit."""
    field_file.name = field_file.field.generate_filename(field_file.instance, upload.name)


def _store_on_commit(model, rows: list, uploads_: list[UploadedFile]) -> None:
    """Write the files of `rows` once their transaction commits, never before.

    A file written inside the transaction would stay on disk if anything rolled back
    afterwards — this service's checks or any caller's outer transaction, which
    Django gives no hook for. Written after the commit, a rolled-back upload never
    reaches the disk: Django drops the callback with the transaction.

    If the storage then fails (disk full), the rows of this batch are removed again
    with the files already written, so no row points at a missing file, and the
    official sees a clear message.
    """
    batch = [(row.pk, row.file.name, upload) for row, upload in zip(rows, uploads_, strict=True)]
    storage = model._meta.get_field("file").storage

    def store() -> None:
        written: list[str] = []
        try:
            for pk, name, upload in batch:
                upload.seek(0)
                saved = storage.save(name, upload)
                written.append(saved)
                if saved != name:  # the storage picked another free name: follow it
                    model.objects.filter(pk=pk).update(file=saved)
        except Exception as error:
            logger.exception("Storing %s uploads failed; their rows are removed", model.__name__)
            for name in written:
                storage.delete(name)
            model.objects.filter(pk__in=[pk for pk, _name, _upload in batch]).delete()
            raise ValidationError(
                _("Berkas gagal disimpan ke penyimpanan. Silakan unggah ulang.")
            ) from error

    transaction.on_commit(store)


@transaction.atomic
def project_documents_add(
    *,
    project: Project,
    actor: User,
    kind: str,
    title: str,
    files: list[UploadedFile],
    document_type: str = "",
) -> list[ProjectDocument]:
    """Attach documents or photos; every file is checked before any is stored."""
    allowed = uploads.PHOTO_TYPES if kind == ProjectDocument.Kind.PHOTO else uploads.DOCUMENT_TYPES
    if not files:
        raise ValidationError({"files": _("Pilih setidaknya satu berkas.")})
    checked = [(upload, uploads.upload_validate(upload, allowed=allowed)) for upload in files]
    documents: list[ProjectDocument] = []
    for number, (upload, content_type) in enumerate(checked, start=1):
        document = ProjectDocument(
            project=project,
            kind=kind,
            document_type=document_type,
            title=title if len(checked) == 1 else f"{title} ({number})",
            content_type=content_type,
            size=upload.size,
            original_name=upload.name[:200],
            uploaded_by=actor,
        )
        _name_for(document.file, upload)
        document.full_clean()
        documents.append(document)
    ProjectDocument.objects.bulk_create(documents)
    _store_on_commit(ProjectDocument, documents, [upload for upload, _type in checked])
    activity_record(
        actor=actor,
        verb="infrastructure.project_document_added",
        target=project,
        data={"count": len(documents), "kind": kind},
    )
    return documents


# --- Inspections ---------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    asset: Asset,
    inspector: User,
    inspected_on: datetime.date,
    findings: str,
    condition: float,
    photos: list[UploadedFile] = (),
) -> Inspection:
    """Record an inspection and, when it is the newest, make its condition the asset's.

    The asset row is locked so two inspections saved at once cannot leave the asset
    with the older one's condition. Photos are checked before anything is written.
    """
    checked = [
        (upload, uploads.upload_validate(upload, allowed=uploads.PHOTO_TYPES)) for upload in photos
    ]
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    inspection = Inspection(
        asset=asset,
        inspector=inspector,
        inspected_on=inspected_on,
        findings=findings,
        condition=condition,
    )
    inspection.full_clean()
    inspection.save()
    photos_ = [
        InspectionPhoto(
            inspection=inspection, content_type=content_type, original_name=upload.name[:200]
        )
        for upload, content_type in checked
    ]
    for photo, (upload, _type) in zip(photos_, checked, strict=True):
        _name_for(photo.file, upload)
    InspectionPhoto.objects.bulk_create(photos_)
    _store_on_commit(InspectionPhoto, photos_, [upload for upload, _type in checked])
    if asset.condition_assessed_on is None or inspected_on >= asset.condition_assessed_on:
        asset.condition = condition
        asset.condition_assessed_on = inspected_on
        asset.save(update_fields=["condition", "condition_assessed_on"])
    activity_record(
        actor=inspector,
        verb="infrastructure.inspection_recorded",
        target=asset,
        data={"inspection": inspection.pk, "condition": condition},
    )
    return inspection
