"""Assets, their sensing devices and metrics, and the time series the devices report.

Readings are the hot table: one row is (metric_id int4, ts timestamptz, value float8)
keyed by (metric_id, ts), no surrogate id, ~80 bytes per data point with its index. On
PostgreSQL the table is range-partitioned by day (migration 0002, ingest/partitions.py);
Django treats it as unmanaged. Dashboards read `LatestValue` and the hourly/daily
rollups, which the writer keeps up to date in the same transaction as the readings.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infrastructure import condition, conf
from portal.models import OrgUnit, Region

KEY_PATTERN = r"^[A-Za-z0-9_-]{3,64}$"
validate_key = RegexValidator(
    KEY_PATTERN, _("Gunakan 3-64 huruf, angka, tanda hubung atau garis bawah.")
)


class Asset(models.Model):
    class Kind(models.TextChoices):
        BRIDGE = "bridge", _("Jembatan")
        ROAD = "road", _("Jalan")
        BUILDING = "building", _("Gedung")
        DRAINAGE = "drainage", _("Drainase")
        STREET_LIGHT = "street_light", _("Penerangan jalan")
        OTHER = "other", _("Lainnya")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=150)
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    description = models.TextField(_("keterangan"), blank=True)
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6)
    kelurahan = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Region.Level.KELURAHAN},
        related_name="assets",
        verbose_name=_("kelurahan/desa"),
    )
    is_public = models.BooleanField(_("tampil di dasbor publik"), default=True)
    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("unit pengelola"),
        help_text=_("Pejabat unit ini boleh mencatat inspeksi dan mengelola perangkatnya."),
    )
    # The current condition on the scale of the asset's kind (infrastructure.condition),
    # copied from the latest inspection by services.inspection_record.
    condition = models.FloatField(_("nilai kondisi"), null=True, blank=True)
    condition_assessed_on = models.DateField(_("tanggal penilaian kondisi"), null=True, blank=True)
    criticality = models.PositiveSmallIntegerField(
        _("tingkat kepentingan"),
        default=3,
        choices=[(n, str(n)) for n in range(1, 6)],
        help_text=_(
            "1 = dampak kecil bila rusak … 5 = sangat penting (jalur utama, tanpa jalan lain)."
        ),
    )
    traffic_weight = models.PositiveSmallIntegerField(
        _("bobot lalu lintas/pemakaian"),
        default=3,
        choices=[(n, str(n)) for n in range(1, 6)],
        help_text=_("1 = sangat sepi … 5 = sangat padat."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aset")
        verbose_name_plural = pgettext_lazy("plural", "aset")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="asset_location_valid",
            ),
            models.CheckConstraint(
                condition=Q(criticality__gte=1, criticality__lte=5)
                & Q(traffic_weight__gte=1, traffic_weight__lte=5),
                name="asset_weights_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> condition.Scale:
        return condition.scale_for(self.kind)

    @property
    def condition_badness(self) -> float | None:
        """0 (as new) … 1 (worst on its scale); the ranking's SQL annotation is `badness`."""
        return None if self.condition is None else self.scale.badness(self.condition)

    @property
    def condition_label(self) -> str:
        return "" if self.condition is None else condition.label_for(self.condition_badness)

    @property
    def priority_score(self) -> float | None:
        badness = self.condition_badness
        if badness is None:
            return None
        return condition.priority_score(
            badness=badness, criticality=self.criticality, traffic=self.traffic_weight
        )


def hash_secret(secret: str) -> str:
    """Device secrets are 256-bit random tokens, so a plain SHA-256 is enough (no KDF)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_device_key() -> str:
    return f"dev-{secrets.token_hex(6)}"


class Device(models.Model):
    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="devices", verbose_name=_("aset")
    )
    key = models.CharField(
        _("kunci perangkat"),
        max_length=64,
        unique=True,
        default=new_device_key,
        validators=[validate_key],
        help_text=_("Pengenal publik perangkat, dipakai pada topik MQTT."),
    )
    name = models.CharField(_("nama"), max_length=120)
    # Only the hash is stored: the secret is shown once, when made or rotated.
    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The same secret hashed the way Mosquitto's password file wants it (infrastructure/mqtt_auth.py).
    mqtt_password_hash = models.CharField(max_length=200, blank=True, editable=False)
    enabled = models.BooleanField(_("aktif"), default=True)
    last_seen = models.DateTimeField(_("terakhir terlihat"), null=True, blank=True)
    offline_after = models.PositiveIntegerField(
        _("dianggap luring setelah (detik)"), default=conf.default_offline_after_seconds
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("perangkat")
        verbose_name_plural = pgettext_lazy("plural", "perangkat")
        ordering = ["asset__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(key__regex=KEY_PATTERN), name="device_key_format"),
            models.CheckConstraint(condition=Q(offline_after__gte=10), name="device_offline_min"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    def check_secret(self, secret: str) -> bool:
        return bool(self.secret_hash) and secrets.compare_digest(
            self.secret_hash, hash_secret(secret)
        )

    def is_online(self, now=None) -> bool:
        if self.last_seen is None:
            return False
        now = now or timezone.now()
        return (now - self.last_seen).total_seconds() <= self.offline_after


class Metric(models.Model):
    # int4, not bigint: metric_id is repeated in every reading row.
    id = models.AutoField(primary_key=True)
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("perangkat")
    )
    name = models.CharField(
        _("nama metrik"),
        max_length=64,
        validators=[validate_key],
        help_text=_("Nama kunci pada muatan JSON, mis. strain atau water_level."),
    )
    label = models.CharField(_("label"), max_length=120, blank=True)
    unit = models.CharField(_("satuan"), max_length=20, blank=True)
    expected_min = models.FloatField(_("batas bawah wajar"), null=True, blank=True)
    expected_max = models.FloatField(_("batas atas wajar"), null=True, blank=True)

    class Meta:
        verbose_name = _("metrik")
        verbose_name_plural = pgettext_lazy("plural", "metrik")
        ordering = ["device", "name"]
        constraints = [
            models.UniqueConstraint(fields=["device", "name"], name="metric_unique_per_device"),
            models.CheckConstraint(
                condition=Q(expected_min__isnull=True)
                | Q(expected_max__isnull=True)
                | Q(expected_min__lte=F("expected_max")),
                name="metric_expected_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.name


class Reading(models.Model):
    """One data point. Written only by ingest.writer (COPY + INSERT … ON CONFLICT DO NOTHING).

    Unmanaged: migration 0002 creates it, partitioned on PostgreSQL. No foreign-key
    constraint to Metric in the database (it would cost a lookup per row at 60k rows/s);
    deleting a metric deletes its readings through Django's cascade.
    """

    pk = models.CompositePrimaryKey("metric", "ts")
    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, db_constraint=False, related_name="readings"
    )
    ts = models.DateTimeField(_("waktu"))
    value = models.FloatField(_("nilai"))

    class Meta:
        managed = False
        db_table = "infrastructure_reading"
        verbose_name = _("bacaan")
        verbose_name_plural = pgettext_lazy("plural", "bacaan")

    def __str__(self) -> str:
        return f"{self.metric_id} @ {self.ts:%Y-%m-%d %H:%M:%S}: {self.value:g}"


class LatestValue(models.Model):
    metric = models.OneToOneField(
        Metric, on_delete=models.CASCADE, primary_key=True, related_name="latest"
    )
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        verbose_name = _("nilai terakhir")
        verbose_name_plural = pgettext_lazy("plural", "nilai terakhir")

    def __str__(self) -> str:
        return f"{self.metric_id}: {self.value:g}"


class _Rollup(models.Model):
    bucket = models.DateTimeField(_("awal periode"))
    min = models.FloatField()
    max = models.FloatField()
    sum = models.FloatField()
    count = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.metric_id} @ {self.bucket:%Y-%m-%d %H:%M}: n={self.count}"

    @property
    def avg(self) -> float:
        return self.sum / self.count if self.count else 0.0


class HourlyRollup(_Rollup):
    pk = models.CompositePrimaryKey("metric", "bucket")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="hourly")

    class Meta:
        verbose_name = _("ringkasan per jam")
        verbose_name_plural = pgettext_lazy("plural", "ringkasan per jam")


class DailyRollup(_Rollup):
    """Days are local days (settings.TIME_ZONE), as the public reads them."""

    pk = models.CompositePrimaryKey("metric", "bucket")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="daily")

    class Meta:
        verbose_name = _("ringkasan harian")
        verbose_name_plural = pgettext_lazy("plural", "ringkasan harian")


class DeadLetter(models.Model):
    class Reason(models.TextChoices):
        BAD_JSON = "bad_json", _("JSON tidak valid")
        BAD_SHAPE = "bad_shape", _("Bentuk muatan tidak dikenal")
        UNKNOWN_DEVICE = "unknown_device", _("Perangkat tidak dikenal")
        DISABLED_DEVICE = "disabled_device", _("Perangkat dinonaktifkan")
        UNKNOWN_METRIC = "unknown_metric", _("Metrik tidak dikenal")
        NON_NUMERIC = "non_numeric", _("Nilai bukan angka")
        TS_FUTURE = "ts_future", _("Waktu di masa depan")
        TS_TOO_OLD = "ts_too_old", _("Waktu terlalu lama")

    received_at = models.DateTimeField(_("diterima"), db_index=True)
    topic = models.CharField(_("topik"), max_length=255)
    device_key = models.CharField(_("kunci perangkat"), max_length=64, blank=True, db_index=True)
    reason = models.CharField(_("alasan"), max_length=20, choices=Reason.choices)
    message = models.CharField(_("keterangan"), max_length=255, blank=True)
    payload_excerpt = models.CharField(_("cuplikan muatan"), max_length=200, blank=True)
    # Rejections of one batch with the same topic and reason share a row.
    count = models.PositiveIntegerField(_("jumlah"), default=1)
    # Hash of the messages behind this row: a redelivered batch adds no second row.
    fingerprint = models.CharField(max_length=32, unique=True, editable=False)

    class Meta:
        verbose_name = _("pesan gagal")
        verbose_name_plural = pgettext_lazy("plural", "pesan gagal")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["reason", "-received_at"])]
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="deadletter_count")]

    def __str__(self) -> str:
        return f"{self.reason} x{self.count} ({self.topic})"


UPLOAD_SUFFIX = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _random_name(folder: str, instance) -> str:
    # A random name: the original is kept in `original_name`, never trusted as a path.
    suffix = UPLOAD_SUFFIX.get(getattr(instance, "content_type", ""), "bin")
    return f"infrastruktur/{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(12)}.{suffix}"


def project_upload_to(instance, filename: str) -> str:
    return _random_name("proyek", instance)


def inspection_upload_to(instance, filename: str) -> str:
    return _random_name("inspeksi", instance)


class Project(models.Model):
    """A public works project (pembangunan), described with OC4IDS's project fields."""

    class Status(models.TextChoices):
        # OC4IDS projectStatus codelist (closed).
        IDENTIFICATION = "identification", _("Identifikasi")
        PREPARATION = "preparation", _("Persiapan")
        IMPLEMENTATION = "implementation", _("Pelaksanaan")
        COMPLETION = "completion", _("Serah terima")
        COMPLETED = "completed", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    class Type(models.TextChoices):
        # OC4IDS projectType codelist.
        CONSTRUCTION = "construction", _("Pembangunan baru")
        REHABILITATION = "rehabilitation", _("Rehabilitasi")
        REPLACEMENT = "replacement", _("Penggantian")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    title = models.CharField(_("nama proyek"), max_length=200)
    description = models.TextField(_("uraian"), blank=True)
    project_type = models.CharField(
        _("jenis proyek"), max_length=20, choices=Type.choices, default=Type.CONSTRUCTION
    )
    status = models.CharField(
        _("tahap"), max_length=20, choices=Status.choices, default=Status.IDENTIFICATION
    )
    agency = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("instansi pelaksana"),
    )
    asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("aset terkait"),
    )
    contractor = models.CharField(_("penyedia jasa (kontraktor)"), max_length=150, blank=True)
    kelurahan = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Region.Level.KELURAHAN},
        related_name="projects",
        verbose_name=_("kelurahan/desa"),
    )
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6)
    # Whole rupiah: budgets are never fractional, and integers sum exactly.
    budget = models.BigIntegerField(_("pagu anggaran (Rp)"))
    contract_value = models.BigIntegerField(_("nilai kontrak (Rp)"), null=True, blank=True)
    planned_start = models.DateField(_("rencana mulai"))
    planned_end = models.DateField(_("rencana selesai"))
    actual_start = models.DateField(_("mulai sebenarnya"), null=True, blank=True)
    actual_end = models.DateField(_("selesai sebenarnya"), null=True, blank=True)
    is_public = models.BooleanField(_("tampil di dasbor publik"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("proyek")
        verbose_name_plural = pgettext_lazy("plural", "proyek")
        ordering = ["-planned_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="project_planned_end_after_start",
                violation_error_message=_("Rencana selesai tidak boleh sebelum rencana mulai."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=False, actual_end__gte=F("actual_start")),
                name="project_actual_end_after_start",
                violation_error_message=_(
                    "Tanggal selesai sebenarnya harus sesudah tanggal mulai sebenarnya."
                ),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0)
                & (Q(contract_value__isnull=True) | Q(contract_value__gte=0)),
                name="project_money_not_negative",
                violation_error_message=_("Nilai rupiah tidak boleh negatif."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="project_location_valid",
                violation_error_message=_("Koordinat lokasi tidak valid."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """Planned and actual physical and financial progress at the end of one period.

    The planned curve is usually entered ahead for every period (actual left empty);
    actual values are filled in as the period closes. Together they draw the S-curve.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="reports", verbose_name=_("proyek")
    )
    period_end = models.DateField(_("akhir periode"))
    planned_physical = models.DecimalField(_("rencana fisik (%)"), max_digits=5, decimal_places=2)
    actual_physical = models.DecimalField(
        _("realisasi fisik (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    planned_financial = models.DecimalField(
        _("rencana keuangan (%)"), max_digits=5, decimal_places=2
    )
    actual_financial = models.DecimalField(
        _("realisasi keuangan (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        "portal.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dilaporkan oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("laporan kemajuan")
        verbose_name_plural = pgettext_lazy("plural", "laporan kemajuan")
        ordering = ["project", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_end"],
                name="progress_one_report_per_period",
                violation_error_message=_("Laporan untuk periode ini sudah ada."),
            ),
            models.CheckConstraint(
                condition=Q(planned_physical__gte=0, planned_physical__lte=100)
                & Q(planned_financial__gte=0, planned_financial__lte=100)
                & (
                    Q(actual_physical__isnull=True)
                    | Q(actual_physical__gte=0, actual_physical__lte=100)
                )
                & (
                    Q(actual_financial__isnull=True)
                    | Q(actual_financial__gte=0, actual_financial__lte=100)
                ),
                name="progress_percentages_0_100",
                violation_error_message=_("Persentase kemajuan harus antara 0 dan 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} @ {self.period_end:%Y-%m-%d}"

    def get_additional_data(self) -> dict | None:
        """django-auditlog stores this with each change: corrections and deletions carry
        the official's reason (set by services as `audit_reason`)."""
        reason = getattr(self, "audit_reason", "")
        return {"reason": reason} if reason else None


class ProjectDocument(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Dokumen")
        PHOTO = "photo", _("Foto")

    class DocumentType(models.TextChoices):
        # A subset of OC4IDS's documentType codelist.
        PROJECT_SCOPE = "projectScope", _("Lingkup proyek")
        FEASIBILITY = "feasibilityStudy", _("Studi kelayakan")
        ENVIRONMENTAL = "environmentalImpact", _("Dampak lingkungan (AMDAL/UKL-UPL)")
        BUDGET_APPROVAL = "budgetApproval", _("Persetujuan anggaran (DPA)")
        CONTRACT = "contractSigned", _("Kontrak")
        PROGRESS = "physicalProgressReport", _("Laporan kemajuan")
        COMPLETION = "completionCertificate", _("Berita acara serah terima")
        AUDIT = "finalAudit", _("Audit akhir")
        OTHER = "", _("Lainnya")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("proyek")
    )
    kind = models.CharField(_("jenis berkas"), max_length=10, choices=Kind.choices)
    document_type = models.CharField(
        _("jenis dokumen"), max_length=30, choices=DocumentType.choices, blank=True
    )
    title = models.CharField(_("judul"), max_length=200)
    file = models.FileField(_("berkas"), upload_to=project_upload_to, max_length=200)
    content_type = models.CharField(max_length=50, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    original_name = models.CharField(max_length=200, editable=False, blank=True)
    uploaded_by = models.ForeignKey(
        "portal.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        verbose_name = _("berkas proyek")
        verbose_name_plural = pgettext_lazy("plural", "berkas proyek")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    """A visit by an inspector: findings and the asset's condition on its kind's scale."""

    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("aset")
    )
    inspector = models.ForeignKey(
        "portal.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("pemeriksa"),
    )
    inspected_on = models.DateField(_("tanggal inspeksi"))
    findings = models.TextField(_("temuan"))
    condition = models.FloatField(_("nilai kondisi"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspeksi")
        verbose_name_plural = pgettext_lazy("plural", "inspeksi")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["asset", "-inspected_on"])]

    def __str__(self) -> str:
        return f"{self.asset} @ {self.inspected_on:%Y-%m-%d}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.asset_id is not None and self.condition is not None:
            error = condition.scale_for(self.asset.kind).error(self.condition)
            if error:
                raise ValidationError({"condition": error})
        if self.inspected_on and self.inspected_on > timezone.localdate():
            raise ValidationError(
                {"inspected_on": _("Tanggal inspeksi tidak boleh di masa depan.")}
            )


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="photos", verbose_name=_("inspeksi")
    )
    file = models.FileField(_("foto"), upload_to=inspection_upload_to, max_length=200)
    content_type = models.CharField(max_length=50, editable=False)
    original_name = models.CharField(max_length=200, editable=False, blank=True)

    class Meta:
        verbose_name = _("foto inspeksi")
        verbose_name_plural = pgettext_lazy("plural", "foto inspeksi")

    def __str__(self) -> str:
        return self.original_name or self.file.name
