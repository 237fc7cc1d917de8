"""Alarm rules, the alarms they raise and each alarm's history.

A rule watches one metric, or every metric of a given name on the assets of one kind
(so a new bridge sensor is covered without a new rule). The evaluator (rules.py) raises
at most one active alarm per (device, rule) — a partial unique constraint, so two
evaluators running at once cannot create a second one — and moves it through the
four ThingsBoard states: active or cleared, each unacknowledged or acknowledged.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, FSMField, transition

from infrastructure.models import Asset, Device, Metric
from portal.models import OrgUnit


class Severity(models.TextChoices):
    # Stored as text for readable rows and filters; ordered through SEVERITY_RANK.
    CRITICAL = "critical", _("Kritis")
    MAJOR = "major", _("Berat")
    MINOR = "minor", _("Ringan")
    WARNING = "warning", _("Peringatan")


SEVERITY_RANK = {
    Severity.WARNING: 1,
    Severity.MINOR: 2,
    Severity.MAJOR: 3,
    Severity.CRITICAL: 4,
}


class AlarmRule(models.Model):
    class Kind(models.TextChoices):
        ABOVE = "above", _("Di atas ambang")
        BELOW = "below", _("Di bawah ambang")
        RATE = "rate", _("Laju perubahan (per menit)")
        OFFLINE = "offline", _("Perangkat luring")

    name = models.CharField(_("nama"), max_length=150)
    description = models.TextField(_("keterangan"), blank=True)
    enabled = models.BooleanField(_("aktif"), default=True)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    # Scope: one metric, or every metric named `metric_name` on assets of `asset_kind`.
    metric = models.ForeignKey(
        Metric,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alarm_rules",
        verbose_name=_("metrik"),
        help_text=_("Isi untuk satu metrik; kosongkan untuk semua metrik sejenis."),
    )
    asset_kind = models.CharField(
        _("jenis aset"), max_length=20, choices=Asset.Kind.choices, blank=True
    )
    metric_name = models.CharField(
        _("nama metrik"),
        max_length=64,
        blank=True,
        help_text=_("Nama metrik pada semua aset berjenis di atas, mis. strain atau water_level."),
    )
    severity = models.CharField(
        _("tingkat"), max_length=10, choices=Severity.choices, default=Severity.MAJOR
    )
    threshold = models.FloatField(
        _("ambang"),
        null=True,
        blank=True,
        help_text=_("Nilai yang memicu alarm; untuk laju: perubahan per menit (nilai mutlak)."),
    )
    escalated_severity = models.CharField(
        _("tingkat eskalasi"), max_length=10, choices=Severity.choices, blank=True
    )
    escalated_threshold = models.FloatField(_("ambang eskalasi"), null=True, blank=True)
    clear_threshold = models.FloatField(
        _("ambang pulih"),
        null=True,
        blank=True,
        help_text=_(
            "Histeresis: alarm baru pulih bila nilai melewati ambang ini "
            "(mis. naik di atas 80, pulih di bawah 75). Kosong: sama dengan ambang."
        ),
    )
    duration_minutes = models.PositiveIntegerField(
        _("selama (menit)"),
        default=0,
        help_text=_(
            "Ambang harus terlampaui terus-menerus selama ini sebelum alarm berbunyi; "
            "0: setiap pembacaan yang melampaui ambang, termasuk lonjakan singkat di antara "
            "dua evaluasi. Untuk laju perubahan: panjang jendela pengukuran. Untuk luring: tambahan "
            "waktu setelah batas luring perangkat."
        ),
    )
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="alarm_rules",
        verbose_name=_("pejabat penanggung jawab"),
    )
    responsible_groups = models.ManyToManyField(
        Group,
        blank=True,
        related_name="alarm_rules",
        verbose_name=_("kelompok penanggung jawab"),
        help_text=_("Semua anggota kelompok (mis. pejabat) menerima pemberitahuan."),
    )
    responsible_units = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="alarm_rules",
        verbose_name=_("unit kerja penanggung jawab"),
        help_text=_("Pejabat teknis yang aktif di unit ini menerima pemberitahuan."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Readings up to this time have been checked for a breach between two evaluations
    # (rules with no duration; see alarms/rules.py).
    peaks_checked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("aturan alarm")
        verbose_name_plural = pgettext_lazy("plural", "aturan alarm")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(metric__isnull=False) & Q(asset_kind="") & Q(metric_name=""))
                | (Q(metric__isnull=True) & ~Q(asset_kind="")),
                name="alarmrule_scope_one_metric_or_asset_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="offline") | Q(threshold__isnull=False),
                name="alarmrule_threshold_required",
            ),
            models.CheckConstraint(
                condition=Q(kind="offline") | ~Q(metric_name="") | Q(metric__isnull=False),
                name="alarmrule_metric_name_required",
            ),
            models.CheckConstraint(
                condition=(Q(escalated_severity="") & Q(escalated_threshold__isnull=True))
                | (~Q(escalated_severity="") & Q(escalated_threshold__isnull=False)),
                name="alarmrule_escalation_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="rate") | Q(duration_minutes__gte=1),
                name="alarmrule_rate_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.metric_id and (self.asset_kind or self.metric_name):
            errors["metric"] = _(
                "Pilih satu metrik, atau jenis aset dengan nama metrik — bukan keduanya."
            )
        if not self.metric_id and not self.asset_kind:
            errors["asset_kind"] = _("Pilih satu metrik, atau jenis aset dengan nama metrik.")
        if self.kind != self.Kind.OFFLINE:
            if not self.metric_id and not self.metric_name:
                errors["metric_name"] = _("Isi nama metrik untuk aturan per jenis aset.")
            if self.threshold is None:
                errors["threshold"] = _("Isi ambang.")
        if self.kind == self.Kind.RATE and self.duration_minutes < 1:
            errors["duration_minutes"] = _("Laju perubahan diukur atas jendela minimal 1 menit.")
        if bool(self.escalated_severity) != (self.escalated_threshold is not None):
            errors["escalated_threshold"] = _("Isi tingkat dan ambang eskalasi bersama-sama.")
        elif self.escalated_severity:
            if self.kind == self.Kind.OFFLINE:
                errors["escalated_severity"] = _("Aturan luring tidak memakai eskalasi.")
            elif SEVERITY_RANK[self.escalated_severity] <= SEVERITY_RANK[self.severity]:
                errors["escalated_severity"] = _(
                    "Tingkat eskalasi harus lebih tinggi dari tingkat dasar."
                )
            elif self.threshold is not None and not self.breaches(
                self.escalated_threshold, self.threshold, strict=True
            ):
                errors["escalated_threshold"] = _(
                    "Ambang eskalasi harus lebih jauh dari ambang dasar."
                )
        if (
            self.clear_threshold is not None
            and self.threshold is not None
            and self.breaches(self.clear_threshold, self.threshold)
        ):
            errors["clear_threshold"] = _(
                "Ambang pulih harus berada di sisi aman ambang (mis. di bawah ambang 'di atas')."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def clear_at(self) -> float | None:
        return self.threshold if self.clear_threshold is None else self.clear_threshold

    def breaches(self, value: float, threshold: float, *, strict: bool = True) -> bool:
        """Whether `value` is past `threshold` on the alarming side (rate: magnitude)."""
        if self.kind == self.Kind.BELOW:
            return value < threshold if strict else value <= threshold
        if self.kind == self.Kind.RATE:
            value = abs(value)
        return value > threshold if strict else value >= threshold

    def is_clear(self, value: float) -> bool:
        """Hysteresis: the alarm clears once the value is back at or past the clear threshold."""
        return not self.breaches(value, self.clear_at, strict=True)


class Alarm(models.Model):
    class Status(models.TextChoices):
        ACTIVE_UNACK = "active_unack", _("Aktif, belum diterima")
        ACTIVE_ACK = "active_ack", _("Aktif, diterima")
        CLEARED_UNACK = "cleared_unack", _("Pulih, belum diterima")
        CLEARED_ACK = "cleared_ack", _("Pulih, diterima")

    ACTIVE = (Status.ACTIVE_UNACK, Status.ACTIVE_ACK)

    rule = models.ForeignKey(
        AlarmRule, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("aturan")
    )
    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("perangkat")
    )
    metric = models.ForeignKey(
        Metric,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alarms",
        verbose_name=_("metrik"),
    )
    severity = models.CharField(_("tingkat"), max_length=10, choices=Severity.choices)
    status = FSMField(
        _("status"), max_length=15, choices=Status.choices, default=Status.ACTIVE_UNACK
    )
    started_at = models.DateTimeField(_("mulai"))
    # The value that raised it, the latest seen while active and the worst one.
    start_value = models.FloatField(_("nilai awal"), null=True, blank=True)
    last_value = models.FloatField(_("nilai terakhir"), null=True, blank=True)
    peak_value = models.FloatField(_("nilai puncak"), null=True, blank=True)
    updated_at = models.DateTimeField(_("diperbarui"))
    acknowledged_at = models.DateTimeField(_("diterima pada"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diterima oleh"),
    )
    ack_comment = models.TextField(_("catatan penerimaan"), blank=True)
    cleared_at = models.DateTimeField(_("pulih pada"), null=True, blank=True)
    # Empty when the evaluator cleared it because the readings recovered.
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditutup oleh"),
    )
    clear_comment = models.TextField(_("catatan penutupan"), blank=True)

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = pgettext_lazy("plural", "alarm")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "rule"],
                condition=Q(status__in=["active_unack", "active_ack"]),
                name="alarm_one_active_per_device_rule",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active_unack", "active_ack"], cleared_at__isnull=True)
                | Q(status__in=["cleared_unack", "cleared_ack"], cleared_at__isnull=False),
                name="alarm_cleared_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active_unack", "cleared_unack"])
                | Q(acknowledged_at__isnull=False),
                name="alarm_acknowledged_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-started_at"], name="alarm_status_started"),
            models.Index(fields=["severity", "-started_at"], name="alarm_severity_started"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} — {self.device}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    # The transitions say which moves exist; services.py and rules.py guard who makes them
    # and lock the row first (select_for_update), so two actors never both succeed.
    @transition(
        field=status,
        source=[Status.ACTIVE_UNACK, Status.CLEARED_UNACK],
        target=RETURN_VALUE(Status.ACTIVE_ACK, Status.CLEARED_ACK),
    )
    def acknowledge(self) -> str:
        return self.Status.ACTIVE_ACK if self.is_active else self.Status.CLEARED_ACK

    @transition(
        field=status,
        source=[Status.ACTIVE_UNACK, Status.ACTIVE_ACK],
        target=RETURN_VALUE(Status.CLEARED_UNACK, Status.CLEARED_ACK),
    )
    def clear(self) -> str:
        return (
            self.Status.CLEARED_ACK
            if self.status == self.Status.ACTIVE_ACK
            else self.Status.CLEARED_UNACK
        )

    @property
    def is_acknowledged(self) -> bool:
        return self.status in (self.Status.ACTIVE_ACK, self.Status.CLEARED_ACK)


class AlarmEvent(models.Model):
    """One step of an alarm's life, kept for audit and as the notification's idempotency key."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Berbunyi")
        ESCALATED = "escalated", _("Naik tingkat")
        DEESCALATED = "deescalated", _("Turun tingkat")
        ACKNOWLEDGED = "acknowledged", _("Diterima")
        CLEARED = "cleared", _("Pulih/ditutup")

    alarm = models.ForeignKey(
        Alarm, on_delete=models.CASCADE, related_name="events", verbose_name=_("alarm")
    )
    kind = models.CharField(_("peristiwa"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("waktu"))
    severity = models.CharField(_("tingkat"), max_length=10, choices=Severity.choices)
    value = models.FloatField(_("nilai"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
    )
    comment = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat alarm")
        verbose_name_plural = pgettext_lazy("plural", "riwayat alarm")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["alarm", "at"], name="alarmevent_alarm_at")]

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M:%S}"
