from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from encrypted_fields.fields import EncryptedCharField

from portal import validators
from portal.masking import mask_identifier


class EmailUserManager(UserManager):
    """Users sign in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("alamat email"), unique=True)
    display_name = models.CharField(_("nama tampilan"), max_length=80, blank=True)
    time_zone = models.CharField(
        _("zona waktu"),
        max_length=32,
        default="Asia/Jakarta",
        choices=[
            ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
            ("Asia/Makassar", "WITA (Asia/Makassar)"),
            ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
        ],
    )
    # The language of notices (email, SMS, inbox) sent to this person.
    language = models.CharField(
        _("bahasa pemberitahuan"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="id",
        # Also for rows written outside the ORM (COPY in benchmarks, raw SQL imports).
        db_default="id",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = pgettext_lazy("plural", "pengguna")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        profile = getattr(self, "citizen_profile", None)
        return (profile.full_name if profile else "") or self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    @property
    def role_names(self) -> frozenset[str]:
        """The user's role groups, cached per instance (navigation asks several times)."""
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._role_names = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def is_staff_role(self) -> bool:
        return self.is_staff or self.is_superuser or self.has_role(*settings.STAFF_ROLES)


class Region(models.Model):
    """Kemendagri administrative regions, from province down to kelurahan/desa."""

    class Level(models.IntegerChoices):
        PROVINSI = 1, _("Provinsi")
        KABUPATEN = 2, _("Kabupaten/Kota")
        KECAMATAN = 3, _("Kecamatan")
        KELURAHAN = 4, _("Kelurahan/Desa")

    code = models.CharField(_("kode wilayah"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = pgettext_lazy("plural", "wilayah")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name


class CitizenProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profile"
    )
    full_name = models.CharField(_("nama lengkap"), max_length=120)
    # NIK is personal data: encrypted at rest; nik_digest (a keyed hash) finds a
    # citizen by NIK and keeps it unique without decrypting every row.
    nik = EncryptedCharField(_("NIK"), max_length=16, blank=True)
    nik_digest = models.CharField(max_length=64, blank=True, editable=False)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    phone = models.CharField(
        _("nomor HP"), max_length=16, blank=True, validators=[validators.validate_phone]
    )
    kelurahan = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": Region.Level.KELURAHAN},
        related_name="residents",
        verbose_name=_("kelurahan/desa"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil warga")
        verbose_name_plural = pgettext_lazy("plural", "profil warga")
        constraints = [
            models.UniqueConstraint(
                fields=["nik_digest"],
                condition=~models.Q(nik_digest=""),
                name="citizenprofile_nik_digest_unique",
                violation_error_message=_("NIK ini sudah terdaftar pada akun lain."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self._set_nik_digest()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Before full_clean() checks constraints, so a duplicate NIK is a form error.
        self._set_nik_digest()

    def _set_nik_digest(self) -> None:
        self.nik_digest = validators.nik_digest(self.nik) if self.nik else ""

    @property
    def nik_masked(self) -> str:
        return mask_identifier(self.nik)


class CitizenDocument(models.Model):
    """A document the citizen holds, kept so reminders can be sent before it lapses."""

    class Kind(models.TextChoices):
        SIM = "sim", _("SIM (Surat Izin Mengemudi)")
        STNK = "stnk", _("STNK (Surat Tanda Nomor Kendaraan)")
        PASPOR = "paspor", _("Paspor")
        KTP_WNA = "ktp_wna", _("KTP-el Warga Negara Asing")
        PBB = "pbb", _("PBB (Pajak Bumi dan Bangunan)")
        SPT = "spt", _("SPT Tahunan")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("jenis dokumen"), max_length=10, choices=Kind.choices)
    number = EncryptedCharField(_("nomor dokumen"), max_length=40)
    expires_on = models.DateField(_("berlaku sampai / jatuh tempo"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dokumen warga")
        verbose_name_plural = pgettext_lazy("plural", "dokumen warga")
        ordering = ["expires_on"]
        indexes = [
            models.Index(fields=["owner", "expires_on"]),
            models.Index(fields=["kind", "expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number_masked}"

    @property
    def number_masked(self) -> str:
        return mask_identifier(self.number, keep_start=2, keep_end=3)

    @property
    def days_left(self) -> int:
        return (self.expires_on - timezone.localdate()).days


class Activity(models.Model):
    """What a person did, written in the same transaction as the change (the outbox).

    Gamification and other consumers read new rows by id; rows are never updated.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    verb = models.CharField(max_length=64, validators=[validators.validate_verb])
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("aktivitas")
        verbose_name_plural = pgettext_lazy("plural", "aktivitas")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor", "-created_at"]),
            models.Index(fields=["verb", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.target_id}"


class OrgUnit(models.Model):
    """A unit of the regional government's organisation tree (dinas, bidang, seksi…).

    Shared by the domain apps: leave routes approvals through it and learning
    reports training compliance per unit, and neither may import the other.
    """

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama unit"), max_length=150)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("unit induk"),
    )
    address = models.CharField(_("alamat"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = pgettext_lazy("plural", "unit kerja")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """An ASN (civil servant): the identity that leave, attendance and training share."""

    class Kind(models.TextChoices):
        PNS = "pns", _("PNS")
        PPPK = "pppk", _("PPPK")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    nip = models.CharField(
        _("NIP"), max_length=18, unique=True, validators=[validators.validate_nip]
    )
    full_name = models.CharField(_("nama lengkap"), max_length=120)
    kind = models.CharField(_("status kepegawaian"), max_length=4, choices=Kind.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit kerja")
    )
    position = models.CharField(_("jabatan"), max_length=150)
    superior = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("atasan langsung"),
    )
    service_start = models.DateField(_("TMT (mulai bekerja)"))
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("pegawai ASN")
        verbose_name_plural = pgettext_lazy("plural", "pegawai ASN")
        ordering = ["unit__code", "full_name"]
        indexes = [models.Index(fields=["unit", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(superior=models.F("pk")), name="employee_not_own_superior"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.nip})"
