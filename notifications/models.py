"""Notices to citizens: categories, templates, preferences, messages and reminder rules.

A Message is one notice on one channel to one person. Its idempotency key is unique per
(recipient, channel): callers that retry, and jobs that run twice, cannot send twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]


class Channel(models.TextChoices):
    INBOX = "inbox", _("Kotak masuk")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Notifikasi push")


def _default_channels() -> list[str]:
    return [Channel.INBOX, Channel.EMAIL]


def _validate_channels(value: object) -> None:
    if not isinstance(value, list) or any(item not in Channel.values for item in value):
        raise ValidationError(
            _("Kanal harus daftar dari: %(choices)s."),
            params={"choices": ", ".join(Channel.values)},
        )


class Category(models.Model):
    """What a notice is about; a citizen chooses channels per category unless it is transactional."""

    key = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=80)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    transactional = models.BooleanField(
        _("transaksional"),
        default=False,
        help_text=_("Pemberitahuan wajib (surat, keamanan akun): tidak dapat dimatikan warga."),
    )
    default_channels = models.JSONField(
        _("kanal bawaan"), default=_default_channels, validators=[_validate_channels]
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=50)

    class Meta:
        verbose_name = _("kategori notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "kategori notifikasi")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.name


class TemplateKey(models.Model):
    """A kind of notice callers send by key, and the variables its templates may use."""

    key = models.CharField(_("kunci"), max_length=80, unique=True)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="template_keys", verbose_name=_("kategori")
    )
    variables = models.JSONField(
        _("variabel yang boleh dipakai"),
        default=list,
        blank=True,
        help_text=_('Nama variabel yang dikirim pemanggil, mis. ["name", "expires_on"].'),
    )
    sample_context = models.JSONField(_("contoh nilai untuk pratinjau"), default=dict, blank=True)

    class Meta:
        verbose_name = _("jenis notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "jenis notifikasi")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class NotificationTemplate(models.Model):
    """Texts of one notice kind in one language; placeholders are checked on save."""

    template_key = models.ForeignKey(
        TemplateKey,
        on_delete=models.CASCADE,
        related_name="templates",
        verbose_name=_("jenis notifikasi"),
    )
    language = models.CharField(_("bahasa"), max_length=5, choices=LANGUAGES, default="id")
    subject = models.CharField(_("judul / subjek email"), max_length=200)
    body_text = models.TextField(_("isi (teks biasa)"))
    body_html = models.TextField(
        _("isi email (HTML)"), blank=True, help_text=_("Kosong: email hanya teks biasa.")
    )
    sms_text = models.CharField(
        _("isi SMS / push"),
        max_length=320,
        blank=True,
        help_text=_("Kosong: notifikasi ini tidak dikirim lewat SMS atau push."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("templat notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "templat notifikasi")
        ordering = ["template_key__key", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["template_key", "language"],
                name="notificationtemplate_key_language_unique",
                violation_error_message=_("Templat untuk jenis dan bahasa ini sudah ada."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_key_id and self.template_key.key} ({self.language})"

    def clean(self) -> None:
        from notifications.rendering import check_template

        if not self.template_key_id:
            return
        allowed = set(self.template_key.variables)
        errors: dict[str, list[str]] = {}
        for field in ("subject", "body_text", "body_html", "sms_text"):
            problems = check_template(getattr(self, field), allowed=allowed)
            if problems:
                errors[field] = problems
        if errors:
            raise ValidationError(errors)


class Preference(models.Model):
    """A citizen's choice for one category on one channel; no row means the category's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="preferences")
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("aktif"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "preferensi notifikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category", "channel"], name="preference_user_category_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category_id} {self.channel}: {self.enabled}"


class Message(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("dibuat")
        SENDING = "sending", _("sedang dikirim")
        DELIVERED = "delivered", _("terkirim")
        TEMPORARY_FAILURE = "temporary_failure", _("gagal sementara")
        PERMANENT_FAILURE = "permanent_failure", _("gagal permanen")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_messages",
        verbose_name=_("penerima"),
    )
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    address = models.CharField(
        _("alamat tujuan"), max_length=254, blank=True, help_text=_("Email atau nomor HP.")
    )
    template_key = models.CharField(_("jenis notifikasi"), max_length=80)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="messages", verbose_name=_("kategori")
    )
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    subject = models.CharField(_("judul"), max_length=200)
    body_text = models.TextField(_("isi"))
    body_html = models.TextField(_("isi HTML"), blank=True)
    idempotency_key = models.CharField(_("kunci idempotensi"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    provider_reference = models.CharField(max_length=200, blank=True)
    campaign = models.ForeignKey(
        "Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        verbose_name = _("pesan")
        verbose_name_plural = pgettext_lazy("plural", "pesan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "idempotency_key"],
                name="message_recipient_channel_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "created",
                        "sending",
                        "delivered",
                        "temporary_failure",
                        "permanent_failure",
                    ]
                ),
                name="message_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(channel="inbox"),
                name="message_read_only_in_inbox",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="message_inbox_idx"),
            # The unread badge: a count over a user's few unread inbox rows.
            models.Index(
                fields=["recipient"],
                condition=Q(channel="inbox", read_at__isnull=True),
                name="message_unread_idx",
            ),
            # Sweeps for messages still to send or stuck in sending.
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=["created", "sending", "temporary_failure"]),
                name="message_pending_idx",
            ),
            models.Index(fields=["created_at", "channel", "status"], name="message_stats_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_id}: {self.subject}"

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.INBOX and self.read_at is None


class ReminderRule(models.Model):
    """Remind citizens some days before a document lapses (or before they turn 17)."""

    class Subject(models.TextChoices):
        SIM = "sim", _("SIM")
        STNK = "stnk", _("STNK")
        PASPOR = "paspor", _("Paspor")
        KTP_WNA = "ktp_wna", _("KTP-el WNA")
        PBB = "pbb", _("PBB")
        SPT = "spt", _("SPT Tahunan")
        TURNING_17 = "turning_17", _("Berusia 17 tahun (rekam KTP-el)")

    name = models.CharField(_("nama"), max_length=100)
    subject = models.CharField(_("tentang"), max_length=20, choices=Subject.choices)
    template_key = models.ForeignKey(
        TemplateKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("jenis notifikasi")
    )
    offsets = models.JSONField(
        _("hari sebelum tanggal"),
        default=list,
        help_text=_("Mis. [30, 7, 1]: diingatkan 30, 7 dan 1 hari sebelumnya."),
    )
    channels = models.JSONField(
        _("kanal"),
        default=list,
        blank=True,
        validators=[_validate_channels],
        help_text=_("Kosong: kanal bawaan kategori."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aturan pengingat")
        verbose_name_plural = pgettext_lazy("plural", "aturan pengingat")
        ordering = ["subject", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        offsets = self.offsets
        if (
            not isinstance(offsets, list)
            or not offsets
            or any(not isinstance(day, int) or isinstance(day, bool) for day in offsets)
            or any(day < 0 or day > 366 for day in offsets)
        ):
            raise ValidationError(
                {"offsets": _("Isi daftar bilangan bulat 0 sampai 366, mis. [30, 7, 1].")}
            )
        self.offsets = sorted(set(offsets), reverse=True)


class Campaign(models.Model):
    """A bulk notice to a segment of citizens or to the rows of an uploaded CSV file."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("konsep")
        REJECTED = "rejected", _("berkas ditolak")
        VALIDATING = "validating", _("berkas sedang diperiksa")
        SCHEDULED = "scheduled", _("terjadwal")
        SENDING = "sending", _("sedang dikirim")
        DONE = "done", _("selesai")
        CANCELLED = "cancelled", _("dibatalkan")

    name = models.CharField(_("nama"), max_length=120)
    template_key = models.ForeignKey(
        TemplateKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("jenis notifikasi")
    )
    channels = models.JSONField(
        _("kanal"),
        default=list,
        blank=True,
        validators=[_validate_channels],
        help_text=_("Kosong: kanal bawaan kategori dan pilihan warga."),
    )
    context = models.JSONField(
        _("nilai bersama"),
        default=dict,
        blank=True,
        help_text=_('Nilai variabel templat yang sama untuk semua penerima, mis. {"title": …}.'),
    )
    # Segment (used when no CSV file is given); every filter set must match.
    kelurahan = models.ForeignKey(
        "portal.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": 4},
        verbose_name=_("kelurahan/desa"),
    )
    age_min = models.PositiveSmallIntegerField(_("usia minimal"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("usia maksimal"), null=True, blank=True)
    document_kind = models.CharField(
        _("memiliki dokumen"),
        max_length=10,
        blank=True,
        choices=[(k, k) for k in ("sim", "stnk", "paspor", "ktp_wna", "pbb", "spt")],
    )
    csv_file = models.FileField(
        _("berkas CSV penerima"),
        upload_to="notifications/campaigns/",
        blank=True,
        help_text=_("Kolom nik atau email, ditambah kolom variabel templat."),
    )
    error_report = models.FileField(upload_to="notifications/campaigns/errors/", blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipients_total = models.PositiveIntegerField(_("jumlah penerima"), default=0)
    recipients_done = models.PositiveIntegerField(_("penerima diproses"), default=0)
    rows_checked = models.PositiveIntegerField(_("baris CSV diperiksa"), default=0)
    rows_rejected = models.PositiveIntegerField(_("baris ditolak"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kampanye")
        verbose_name_plural = pgettext_lazy("plural", "kampanye")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="campaign_due_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def idempotency_key(self) -> str:
        return f"campaign:{self.pk}"
