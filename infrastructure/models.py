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

from infrastructure import conf
from portal.models import Region

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
            )
        ]

    def __str__(self) -> str:
        return self.name


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
