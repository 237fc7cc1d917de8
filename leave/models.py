"""Leave (cuti) and attendance (presensi) of ASN.

Identity (who is an employee, their unit and direct superior) lives in portal
(`portal.Employee`, `portal.OrgUnit`); this app only adds what leave and attendance
need and points at those rows. Balances are never stored: they are sums of the
append-only `LeaveLedgerEntry` rows (see leave/selectors.py).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from leave.storage import evidence_storage


class LeaveType(models.TextChoices):
    TAHUNAN = "tahunan", _("Cuti tahunan")
    BESAR = "besar", _("Cuti besar")
    SAKIT = "sakit", _("Cuti sakit")
    MELAHIRKAN = "melahirkan", _("Cuti melahirkan")
    ALASAN_PENTING = "alasan_penting", _("Cuti karena alasan penting")
    CLTN = "cltn", _("Cuti di luar tanggungan negara")


# --- Calendar ----------------------------------------------------------------------


class Holiday(models.Model):
    """A day off for everyone: a national holiday or a cuti bersama day (decree)."""

    class Kind(models.TextChoices):
        NATIONAL = "national", _("Hari libur nasional")
        CUTI_BERSAMA = "cuti_bersama", _("Cuti bersama")

    class Source(models.TextChoices):
        PACKAGE = "holidays", _("Paket holidays (kalender Indonesia)")
        DECREE = "decree", _("SKB/Keppres (tabel bawaan)")
        MANUAL = "manual", _("Diisi admin")

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("nama"), max_length=150)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    source = models.CharField(
        _("sumber"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        verbose_name = _("hari libur")
        verbose_name_plural = pgettext_lazy("plural", "hari libur")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class WorkSchedule(models.Model):
    """Office hours. The normal one has no dates; a Ramadan one covers its dates.

    Mon-Thu share one set of hours and Friday has its own (longer Friday prayer break).
    """

    class Kind(models.TextChoices):
        NORMAL = "normal", _("Normal")
        RAMADAN = "ramadan", _("Bulan Ramadan")

    name = models.CharField(_("nama"), max_length=80)
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    valid_from = models.DateField(_("berlaku mulai"), null=True, blank=True)
    valid_to = models.DateField(_("berlaku sampai"), null=True, blank=True)
    mon_thu_start = models.TimeField(_("masuk Senin-Kamis"))
    mon_thu_end = models.TimeField(_("pulang Senin-Kamis"))
    mon_thu_break_minutes = models.PositiveSmallIntegerField(_("istirahat Senin-Kamis (menit)"))
    fri_start = models.TimeField(_("masuk Jumat"))
    fri_end = models.TimeField(_("pulang Jumat"))
    fri_break_minutes = models.PositiveSmallIntegerField(_("istirahat Jumat (menit)"))

    class Meta:
        verbose_name = _("jadwal kerja")
        verbose_name_plural = pgettext_lazy("plural", "jadwal kerja")
        ordering = ["kind", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="normal", valid_from=None, valid_to=None)
                | Q(kind="ramadan", valid_from__isnull=False, valid_to__gte=models.F("valid_from")),
                name="workschedule_dates_by_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="normal"), name="workschedule_one_normal"
            ),
            models.CheckConstraint(
                condition=Q(mon_thu_end__gt=models.F("mon_thu_start"))
                & Q(fri_end__gt=models.F("fri_start")),
                name="workschedule_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def hours_for(self, day: datetime.date) -> tuple[datetime.time, datetime.time]:
        return (
            (self.fri_start, self.fri_end)
            if day.weekday() == 4
            else (
                self.mon_thu_start,
                self.mon_thu_end,
            )
        )

    @property
    def weekly_hours(self) -> float:
        def span(start: datetime.time, end: datetime.time, pause: int) -> float:
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) - pause
            return minutes / 60

        return 4 * span(self.mon_thu_start, self.mon_thu_end, self.mon_thu_break_minutes) + span(
            self.fri_start, self.fri_end, self.fri_break_minutes
        )


# --- Authorities -------------------------------------------------------------------


class UnitAuthority(models.Model):
    """The PYBMC (pejabat yang berwenang memberikan cuti) of a unit."""

    unit = models.OneToOneField(
        "portal.OrgUnit",
        on_delete=models.CASCADE,
        related_name="leave_authority",
        verbose_name=_("unit kerja"),
    )
    official = models.ForeignKey(
        "portal.Employee",
        on_delete=models.PROTECT,
        related_name="leave_authorities",
        verbose_name=_("PYBMC"),
    )

    class Meta:
        verbose_name = _("PYBMC unit")
        verbose_name_plural = pgettext_lazy("plural", "PYBMC unit")

    def __str__(self) -> str:
        return f"{self.unit} — {self.official.full_name}"


class Delegation(models.Model):
    """A stand-in (Plt/Plh) who acts for an absent superior or PYBMC between two dates."""

    class Kind(models.TextChoices):
        PLT = "plt", _("Plt (pelaksana tugas)")
        PLH = "plh", _("Plh (pelaksana harian)")

    principal = models.ForeignKey(
        "portal.Employee",
        on_delete=models.CASCADE,
        related_name="delegations_given",
        verbose_name=_("pejabat definitif"),
    )
    delegate = models.ForeignKey(
        "portal.Employee",
        on_delete=models.CASCADE,
        related_name="delegations_held",
        verbose_name=_("pelaksana"),
    )
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai"))
    decree_number = models.CharField(_("nomor surat perintah"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("pelaksana Plt/Plh")
        verbose_name_plural = pgettext_lazy("plural", "pelaksana Plt/Plh")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("delegate")), name="delegation_not_self"
            ),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delegate} untuk {self.principal}"


# --- Requests ----------------------------------------------------------------------


class LeaveRequest(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu pertimbangan atasan")
        RECOMMENDED = "recommended", _("Menunggu keputusan PYBMC")
        APPROVED = "approved", _("Disetujui")
        DEFERRED = "deferred", _("Ditangguhkan")
        REJECTED = "rejected", _("Tidak disetujui")
        CANCELLED = "cancelled", _("Dibatalkan")
        TAKEN = "taken", _("Sedang/telah dijalani")

    class Reason(models.TextChoices):
        """Cuti karena alasan penting: the reasons the regulation lists."""

        FAMILY_ILL = "family_ill", _("Keluarga inti sakit keras")
        FAMILY_DIED = "family_died", _("Keluarga inti meninggal dunia")
        FAMILY_RIGHTS = "family_rights", _("Mengurus hak keluarga yang meninggal dunia")
        MARRIAGE = "marriage", _("Melangsungkan perkawinan")
        WIFE_BIRTH = "wife_birth", _("Istri melahirkan/operasi caesar")
        DISASTER = "disaster", _("Mengalami musibah kebakaran/bencana alam")
        OTHER = "other", _("Alasan lain menurut peraturan")

    employee = models.ForeignKey(
        "portal.Employee",
        on_delete=models.PROTECT,
        related_name="leave_requests",
        verbose_name=_("pegawai"),
    )
    leave_type = models.CharField(_("jenis cuti"), max_length=16, choices=LeaveType.choices)
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("sampai"))
    working_days = models.PositiveSmallIntegerField(_("hari kerja"), default=0)
    reason = models.CharField(_("alasan"), max_length=300)
    important_reason = models.CharField(
        _("alasan penting"), max_length=16, choices=Reason.choices, blank=True
    )
    delivery_number = models.PositiveSmallIntegerField(_("persalinan ke-"), null=True, blank=True)
    first_hajj = models.BooleanField(_("ibadah haji pertama"), default=False)
    emergency = models.BooleanField(
        _("izin sementara darurat"),
        default=False,
        help_text=_("Izin sementara dari pejabat setempat yang tertinggi, menyusul permohonan."),
    )
    address_during_leave = models.CharField(_("alamat selama cuti"), max_length=200, blank=True)
    state = FSMField(_("status"), default=State.DRAFT, choices=State.choices, protected=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    decree_reference = models.CharField(_("nomor surat izin cuti"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("permohonan cuti")
        verbose_name_plural = pgettext_lazy("plural", "permohonan cuti")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["employee", "start_date"]),
            models.Index(fields=["state", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="leaverequest_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_leave_type_display()} {self.employee.full_name} {self.start_date}"

    # The transitions only say which moves exist; services.py guards who may make
    # them and writes the ledger, decisions and notices in the same transaction.
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self) -> None: ...

    @transition(field=state, source=State.SUBMITTED, target=State.RECOMMENDED)
    def recommend(self) -> None: ...

    @transition(field=state, source=[State.SUBMITTED, State.RECOMMENDED], target=State.APPROVED)
    def approve(self) -> None: ...

    @transition(field=state, source=[State.SUBMITTED, State.RECOMMENDED], target=State.DEFERRED)
    def defer(self) -> None: ...

    @transition(field=state, source=[State.SUBMITTED, State.RECOMMENDED], target=State.REJECTED)
    def reject(self) -> None: ...

    @transition(
        field=state,
        source=[State.DRAFT, State.SUBMITTED, State.RECOMMENDED, State.APPROVED],
        target=State.CANCELLED,
    )
    def cancel(self) -> None: ...

    @transition(field=state, source=State.APPROVED, target=State.TAKEN)
    def take(self) -> None: ...

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.RECOMMENDED)


class LeaveDecision(models.Model):
    """One step of the approval chain, with who acted and for whom (Plt/Plh)."""

    class Stage(models.TextChoices):
        SUPERIOR = "superior", _("Atasan langsung")
        PYBMC = "pybmc", _("PYBMC")

    class Outcome(models.TextChoices):
        RECOMMENDED = "recommended", _("Disetujui/direkomendasikan")
        CHANGED = "changed", _("Perubahan")
        DEFERRED = "deferred", _("Ditangguhkan")
        REJECTED = "rejected", _("Tidak disetujui")
        APPROVED = "approved", _("Disetujui")

    leave_request = models.ForeignKey(
        LeaveRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    stage = models.CharField(_("tahap"), max_length=8, choices=Stage.choices)
    outcome = models.CharField(_("keputusan"), max_length=12, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        "portal.Employee", on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    acting_for = models.ForeignKey(
        "portal.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("atas nama"),
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    changed_start = models.DateField(null=True, blank=True)
    changed_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("keputusan cuti")
        verbose_name_plural = pgettext_lazy("plural", "keputusan cuti")
        ordering = ["created_at", "id"]
        constraints = [
            # One decision per stage: a double-submitted form cannot decide twice.
            models.UniqueConstraint(
                fields=["leave_request", "stage"], name="leavedecision_one_per_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_outcome_display()}"


class LeaveEvidence(models.Model):
    class Kind(models.TextChoices):
        DOCTOR = "doctor", _("Surat keterangan dokter")
        GOVERNMENT_DOCTOR = "gov_doctor", _("Surat keterangan dokter pemerintah")
        OTHER = "other", _("Dokumen pendukung")

    leave_request = models.ForeignKey(
        LeaveRequest, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("berkas"), upload_to="%Y/%m/", storage=evidence_storage)
    original_name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bukti cuti")
        verbose_name_plural = pgettext_lazy("plural", "bukti cuti")

    def __str__(self) -> str:
        return self.original_name


# --- Ledger ------------------------------------------------------------------------


class LedgerKind(models.TextChoices):
    ALLOCATION = "allocation", _("Hak tahun berjalan")
    CARRY_OVER = "carry_over", _("Sisa tahun lalu")
    DEDUCTION = "deduction", _("Pemakaian")
    REVERSAL = "reversal", _("Pembatalan pemakaian")
    EXPIRY = "expiry", _("Hangus")
    TOP_UP = "top_up", _("Tambahan (cuti bersama dijalani bekerja)")


class AppendOnlyError(RuntimeError):
    pass


class LeaveLedgerEntry(models.Model):
    """One movement of a leave balance. Rows are never updated or deleted."""

    employee = models.ForeignKey(
        "portal.Employee", on_delete=models.PROTECT, related_name="leave_ledger"
    )
    leave_type = models.CharField(max_length=16, choices=LeaveType.choices)
    year = models.PositiveSmallIntegerField(_("tahun"))
    kind = models.CharField(_("jenis"), max_length=10, choices=LedgerKind.choices)
    days = models.SmallIntegerField(_("hari kerja"))
    leave_request = models.ForeignKey(
        LeaveRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    holiday = models.ForeignKey(
        Holiday, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger"
    )
    note = models.CharField(_("keterangan"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mutasi saldo cuti")
        verbose_name_plural = pgettext_lazy("plural", "mutasi saldo cuti")
        ordering = ["year", "created_at", "id"]
        indexes = [models.Index(fields=["employee", "leave_type", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["allocation", "carry_over", "reversal", "top_up"], days__gt=0)
                    | Q(kind__in=["deduction", "expiry"], days__lt=0)
                ),
                name="ledger_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["deduction", "reversal"]) | Q(leave_request__isnull=False),
                name="ledger_usage_points_at_request",
            ),
            models.CheckConstraint(
                condition=~Q(kind="top_up") | Q(holiday__isnull=False),
                name="ledger_top_up_points_at_holiday",
            ),
            models.UniqueConstraint(
                fields=["employee", "leave_type", "year", "kind"],
                condition=Q(kind__in=["allocation", "carry_over"]),
                name="ledger_one_allocation_per_year",
            ),
            models.UniqueConstraint(
                fields=["leave_request", "kind"],
                condition=Q(kind__in=["deduction", "reversal"]),
                name="ledger_one_usage_per_request",
            ),
            models.UniqueConstraint(
                fields=["employee", "leave_type", "year", "kind"],
                condition=Q(kind="expiry", leave_request__isnull=True),
                name="ledger_one_year_close_expiry",
            ),
            models.UniqueConstraint(
                fields=["employee", "holiday"],
                condition=Q(kind="top_up"),
                name="ledger_one_top_up_per_holiday",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.days:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Ledger rows are append-only; record a new movement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger rows are append-only; record a reversal instead.")


# --- Attendance --------------------------------------------------------------------


class WorkLocation(models.Model):
    name = models.CharField(_("nama lokasi"), max_length=120)
    unit = models.ForeignKey(
        "portal.OrgUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="work_locations",
        verbose_name=_("unit kerja"),
    )
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=100)
    employees = models.ManyToManyField(
        "portal.Employee", related_name="work_locations", blank=True, verbose_name=_("pegawai")
    )

    class Meta:
        verbose_name = _("lokasi kerja")
        verbose_name_plural = pgettext_lazy("plural", "lokasi kerja")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180)
                & Q(radius_m__gte=10, radius_m__lte=5000),
                name="worklocation_valid_geofence",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DutyTrip(models.Model):
    """Off-site duty (dinas luar / perjalanan dinas) approved for some days."""

    employee = models.ForeignKey(
        "portal.Employee", on_delete=models.CASCADE, related_name="duty_trips"
    )
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai"))
    destination = models.CharField(_("tujuan"), max_length=150)
    purpose = models.CharField(_("keperluan"), max_length=200)
    approved_by = models.ForeignKey(
        "portal.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disetujui oleh"),
    )
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("dinas luar")
        verbose_name_plural = pgettext_lazy("plural", "dinas luar")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="dutytrip_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(approved_by=models.F("employee")), name="dutytrip_not_self_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.full_name} → {self.destination}"


class KnownDevice(models.Model):
    """A device an employee has checked in from; the first use is flagged for the superior."""

    employee = models.ForeignKey(
        "portal.Employee", on_delete=models.CASCADE, related_name="devices"
    )
    fingerprint = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=200, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        "portal.Employee", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("perangkat presensi")
        verbose_name_plural = pgettext_lazy("plural", "perangkat presensi")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "fingerprint"], name="knowndevice_unique_per_employee"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee.full_name} {self.fingerprint[:8]}"


class AttendanceRecord(models.Model):
    class Kind(models.TextChoices):
        CHECK_IN = "in", pgettext_lazy("presensi", "Masuk")
        CHECK_OUT = "out", _("Pulang")

    class Mode(models.TextChoices):
        ONSITE = "onsite", _("Di lokasi kerja")
        DUTY = "duty", _("Dinas luar")

    employee = models.ForeignKey(
        "portal.Employee", on_delete=models.PROTECT, related_name="attendance"
    )
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices)
    at = models.DateTimeField(_("waktu"))
    local_date = models.DateField(_("tanggal (waktu setempat)"))
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    accuracy_m = models.PositiveIntegerField(_("akurasi (m)"))
    location = models.ForeignKey(
        WorkLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distance_m = models.PositiveIntegerField(_("jarak (m)"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=6, choices=Mode.choices)
    duty_trip = models.ForeignKey(
        DutyTrip, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    late = models.BooleanField(_("terlambat"), default=False)
    early = models.BooleanField(_("pulang cepat"), default=False)
    device = models.ForeignKey(KnownDevice, on_delete=models.PROTECT, related_name="records")
    new_device = models.BooleanField(_("perangkat baru"), default=False)

    class Meta:
        verbose_name = _("presensi")
        verbose_name_plural = pgettext_lazy("plural", "presensi")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "local_date", "kind"], name="attendance_once_per_day_and_kind"
            ),
            models.CheckConstraint(
                condition=Q(mode="onsite", location__isnull=False)
                | Q(mode="duty", duty_trip__isnull=False),
                name="attendance_mode_has_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.full_name} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class DayStatus(models.Model):
    """Each employee's status for each day, derived from attendance, leave and the calendar."""

    class Status(models.TextChoices):
        HADIR = "hadir", _("Hadir")
        TERLAMBAT = "terlambat", _("Terlambat")
        CUTI = "cuti", _("Cuti")
        DINAS_LUAR = "dinas_luar", _("Dinas luar")
        LIBUR = "libur", _("Libur")
        TANPA_KETERANGAN = "tk", _("Tanpa keterangan")

    employee = models.ForeignKey(
        "portal.Employee", on_delete=models.CASCADE, related_name="day_statuses"
    )
    date = models.DateField(_("tanggal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    leave_request = models.ForeignKey(
        LeaveRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="day_statuses"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("status harian")
        verbose_name_plural = pgettext_lazy("plural", "status harian")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="daystatus_one_per_day"),
        ]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.status}"
