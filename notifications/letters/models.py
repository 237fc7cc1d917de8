from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.letters import conf

validate_nip = RegexValidator(r"^\d{18}$", _("NIP harus terdiri dari 18 angka."), code="nip")
validate_classification = RegexValidator(
    r"^\d{3}(\.\d{1,3})*$",
    _("Kode klasifikasi seperti 800.1.11.1 (angka dipisah titik)."),
    code="classification",
)
validate_unit_code = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$",
    _("Kode unit: huruf dan angka tanpa spasi, misalnya BKPSDM."),
    code="unit_code",
)


class PrivateLetterStorage(FileSystemStorage):
    """Letter PDFs live outside MEDIA_ROOT: only the permission-checked view hands them out."""

    # Properties, not cached: the folder follows the settings (tests point it elsewhere).
    @property
    def base_location(self) -> str:
        return str(conf.pdf_dir())

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self) -> None:
        return None


def private_storage() -> PrivateLetterStorage:
    return PrivateLetterStorage()


def new_public_id() -> str:
    """22 URL-safe characters (132 bits): the unguessable id in the QR code's URL."""
    return secrets.token_urlsafe(16)[:22]


def _pdf_path(instance: Letter, filename: str) -> str:
    # A random name: a guessed path must not lead to someone's letter.
    return f"{instance.year}/{secrets.token_urlsafe(18)}.pdf"


class IssuingUnit(models.Model):
    code = models.CharField(
        _("kode unit"), max_length=20, unique=True, validators=[validate_unit_code]
    )
    name = models.CharField(_("nama unit"), max_length=150)
    address = models.CharField(_("alamat"), max_length=250)
    region_name = models.CharField(
        _("nama pemerintah daerah"),
        max_length=150,
        help_text=_("Baris pertama kop surat, mis. PEMERINTAH KABUPATEN SUKAMAJU."),
    )
    contact = models.CharField(_("telepon / email / laman"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit penerbit")
        verbose_name_plural = pgettext_lazy("plural", "unit penerbit")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class SigningOfficial(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signing_roles",
        verbose_name=_("akun"),
    )
    name = models.CharField(_("nama dan gelar"), max_length=150)
    nip = models.CharField(_("NIP"), max_length=18, validators=[validate_nip])
    position = models.CharField(_("jabatan"), max_length=150)
    unit = models.ForeignKey(
        IssuingUnit, on_delete=models.PROTECT, related_name="officials", verbose_name=_("unit")
    )
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("pejabat penanda tangan")
        verbose_name_plural = pgettext_lazy("plural", "pejabat penanda tangan")
        ordering = ["unit__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "nip"], name="signingofficial_unit_nip_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"


class Classification(models.Model):
    """An archive classification code (SRIKANDI / Permendagri 83/2022 style), e.g. 800.1.11.1."""

    code = models.CharField(
        _("kode klasifikasi"), max_length=20, unique=True, validators=[validate_classification]
    )
    title = models.CharField(_("judul"), max_length=200)

    class Meta:
        verbose_name = _("klasifikasi arsip")
        verbose_name_plural = pgettext_lazy("plural", "klasifikasi arsip")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class LetterSequence(models.Model):
    """The last number used per (unit, classification, year); locked FOR UPDATE while numbering."""

    unit = models.ForeignKey(IssuingUnit, on_delete=models.PROTECT, related_name="+")
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("urutan nomor surat")
        verbose_name_plural = pgettext_lazy("plural", "urutan nomor surat")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "classification", "year"], name="lettersequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.classification.code}/{self.unit.code}/{self.year}: {self.last_number}"


class Letter(models.Model):
    class Kind(models.TextChoices):
        NOTICE = "notice", _("Surat pemberitahuan")
        LEAVE_DECREE = "leave_decree", _("Surat keputusan cuti")
        CERTIFICATE = "certificate", _("Sertifikat")
        DECISION = "decision", _("Surat keputusan")
        STATEMENT = "statement", _("Surat keterangan")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Berlaku")
        REVOKED = "revoked", _("Dicabut")

    kind = models.CharField(_("jenis surat"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        IssuingUnit, on_delete=models.PROTECT, related_name="letters", verbose_name=_("unit")
    )
    classification = models.ForeignKey(
        Classification,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("klasifikasi"),
    )
    number = models.CharField(_("nomor surat"), max_length=80, unique=True)
    sequence = models.PositiveIntegerField(_("nomor urut"))
    year = models.PositiveSmallIntegerField(_("tahun"))
    official = models.ForeignKey(
        SigningOfficial,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("penanda tangan"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("penerima (akun)"),
    )
    recipient_name = models.CharField(_("nama penerima"), max_length=150)
    subject = models.CharField(_("perihal"), max_length=250)
    body = models.TextField(_("isi surat (HTML dari templat)"))
    issued_at = models.DateTimeField(_("diterbitkan"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diterbitkan oleh"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    revoked_reason = models.CharField(_("alasan pencabutan"), max_length=300, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicabut oleh"),
    )
    pdf = models.FileField(_("berkas PDF"), upload_to=_pdf_path, storage=private_storage)
    pdf_sha256 = models.CharField(_("SHA-256 PDF"), max_length=64, unique=True)
    public_id = models.CharField(
        _("kode verifikasi"), max_length=22, unique=True, default=new_public_id, editable=False
    )

    class Meta:
        verbose_name = _("surat")
        verbose_name_plural = pgettext_lazy("plural", "surat")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "classification", "year", "sequence"],
                name="letter_number_unique_per_series",
            ),
            models.CheckConstraint(
                condition=models.Q(status="issued", revoked_at__isnull=True)
                | models.Q(status="revoked", revoked_at__isnull=False)
                & ~models.Q(revoked_reason=""),
                name="letter_revocation_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="letter_sequence_positive"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "-issued_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED


# --- Transparency log -----------------------------------------------------------------


class LogHead(models.Model):
    """One row: the log's size. Appends lock it FOR UPDATE, so leaf indices have no gaps."""

    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("kepala log")
        verbose_name_plural = pgettext_lazy("plural", "kepala log")

    def __str__(self) -> str:
        return str(self.size)


class LogLeaf(models.Model):
    class Event(models.TextChoices):
        ISSUED = "issued", _("diterbitkan")
        REVOKED = "revoked", _("dicabut")

    index = models.PositiveBigIntegerField(_("indeks"), unique=True)
    leaf_hash = models.CharField(_("hash daun"), max_length=64)
    record = models.TextField(_("rekaman kanonik (JSON)"))
    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, related_name="log_leaves", verbose_name=_("surat")
    )
    event = models.CharField(_("peristiwa"), max_length=10, choices=Event.choices)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("daun log")
        verbose_name_plural = pgettext_lazy("plural", "daun log")
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "event"], name="logleaf_one_event_per_letter")
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.event}"


class TreeNode(models.Model):
    """Hash of a perfect subtree: 2**level leaves from index << level. Level 0 holds the leaves."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("simpul pohon")
        verbose_name_plural = pgettext_lazy("plural", "simpul pohon")
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="treenode_level_index_unique")
        ]

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class Checkpoint(models.Model):
    size = models.PositiveBigIntegerField(_("ukuran"), unique=True)
    root_hash = models.CharField(_("akar"), max_length=64)
    note = models.TextField(_("catatan bertanda tangan"))
    signature = models.CharField(_("tanda tangan (base64)"), max_length=100)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = pgettext_lazy("plural", "checkpoint")
        ordering = ["-size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"{self.size} {self.root_hash[:12]}…"
