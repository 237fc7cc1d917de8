"""Missions, the points ledger, streaks, badges, rewards and leaderboards.

Points are a ledger (PointsEntry, append-only, one unique key per payment);
PointsAccount is a lock row and a cache of the ledger's sums that the leaderboard
and the pages read, checked nightly against the ledger (`gamification_check`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Region

DEFAULT_THRESHOLDS = [1, 5, 10, 30, 60]


def default_thresholds() -> list[int]:
    return list(DEFAULT_THRESHOLDS)


class Badge(models.Model):
    """A levelled badge; its level follows a count that can always be recomputed from data."""

    class Metric(models.TextChoices):
        ACTIVITY = "activity", _("Jumlah aktivitas dengan kata kerja tertentu")
        MISSION = "mission", _("Jumlah misi selesai yang memberi lencana ini")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nama"), max_length=80)
    description = models.CharField(_("keterangan"), max_length=200, blank=True)
    metric = models.CharField(_("dasar hitungan"), max_length=10, choices=Metric.choices)
    verb = models.CharField(
        _("kata kerja aktivitas"),
        max_length=64,
        blank=True,
        help_text=_("Untuk lencana berdasar aktivitas, mis. letter.verified."),
    )
    thresholds = models.JSONField(
        _("ambang tingkat"),
        default=default_thresholds,
        help_text=_("Daftar naik, mis. [1, 5, 10, 30, 60]."),
    )
    icon = models.CharField(_("ikon"), max_length=8, blank=True)
    order = models.PositiveSmallIntegerField(default=50)

    class Meta:
        verbose_name = _("lencana")
        verbose_name_plural = pgettext_lazy("plural", "lencana")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(metric="activity") | ~models.Q(verb=""),
                name="badge_activity_needs_verb",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def level_for(self, count: int) -> int:
        return sum(1 for threshold in self.thresholds if count >= threshold)

    def next_threshold(self, count: int) -> int | None:
        return next((t for t in self.thresholds if t > count), None)


class Mission(models.Model):
    class Period(models.TextChoices):
        DAILY = "daily", _("Harian")
        WEEKLY = "weekly", _("Mingguan")
        ONCE = "once", _("Sekali")

    slug = models.SlugField(unique=True)
    title = models.CharField(_("judul"), max_length=120)
    description = models.CharField(_("keterangan"), max_length=250, blank=True)
    period = models.CharField(
        _("periode"), max_length=8, choices=Period.choices, default=Period.DAILY
    )
    verb = models.CharField(_("kata kerja aktivitas"), max_length=64, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("jenis objek (opsional)"),
    )
    goal = models.PositiveSmallIntegerField(_("target jumlah"), default=1)
    points = models.PositiveIntegerField(_("poin"), default=10)
    badge = models.ForeignKey(
        Badge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="missions",
        verbose_name=_("lencana"),
    )
    active_from = models.DateField(_("berlaku mulai"), null=True, blank=True)
    active_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    audience_role = models.CharField(
        _("peserta"),
        max_length=32,
        blank=True,
        help_text=_("Kosong: semua warga; atau nama peran, mis. pegawai."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(default=50)
    link_url = models.CharField(
        _("tautan untuk mengerjakan"), max_length=200, blank=True, help_text=_("mis. /profil/ubah/")
    )

    class Meta:
        verbose_name = _("misi")
        verbose_name_plural = pgettext_lazy("plural", "misi")
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(goal__gte=1), name="mission_goal_positive"),
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True)
                | models.Q(active_until__isnull=True)
                | models.Q(active_until__gte=models.F("active_from")),
                name="mission_active_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MissionProgress(models.Model):
    """Progress of one user on one mission in one period (a local date, an ISO week, or "once")."""

    # The unique key leads with user: a separate FK index would only slow scoring down.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mission_progress",
        db_index=False,
    )
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="progress")
    period_key = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)
    # The mission's goal when the period started: editing a mission mid-day neither
    # completes nor reopens anyone's progress, and completion is decided in one UPSERT.
    goal = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kemajuan misi")
        verbose_name_plural = pgettext_lazy("plural", "kemajuan misi")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "mission", "period_key"], name="missionprogress_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.mission_id} {self.period_key}: {self.count}"


class PointsRule(models.Model):
    """Points for every activity of a verb, paid at most `daily_cap` times a local day."""

    verb = models.CharField(_("kata kerja aktivitas"), max_length=64, unique=True)
    points = models.PositiveIntegerField(_("poin"), default=1)
    daily_cap = models.PositiveSmallIntegerField(
        _("batas per hari"), default=3, help_text=_("Berapa kali per hari poin ini dibayar.")
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("aturan poin")
        verbose_name_plural = pgettext_lazy("plural", "aturan poin")
        ordering = ["verb"]

    def __str__(self) -> str:
        return f"{self.verb} (+{self.points})"


class PointsEntry(models.Model):
    """One line of the points ledger. Never updated or deleted.

    The unique key (user, kind, source_id, period) is the idempotency key: an
    activity pays a rule once, a mission pays once per period, a redemption spends once.
    """

    class Kind(models.TextChoices):
        RULE = "rule", _("Aktivitas")
        MISSION = "mission", _("Misi")
        REDEMPTION = "redemption", _("Penukaran hadiah")
        ADJUSTMENT = "adjustment", _("Penyesuaian")

    # The unique key and the (user, -id) index lead with user: no separate FK indexes,
    # every index costs time on the scoring hot path.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="points_entries",
        db_index=False,
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    source_id = models.CharField(_("sumber"), max_length=64)
    period = models.CharField(_("periode"), max_length=16, blank=True)
    points = models.IntegerField(_("poin"))
    mission = models.ForeignKey(
        Mission, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    rule = models.ForeignKey(
        PointsRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    description = models.CharField(_("keterangan"), max_length=200)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("catatan poin")
        verbose_name_plural = pgettext_lazy("plural", "buku poin")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "source_id", "period"], name="pointsentry_paid_once"
            )
        ]
        indexes = [models.Index(fields=["user", "-id"], name="pointsentry_user_id_desc")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.points:+d} {self.kind}:{self.source_id}"


class PointsAccount(models.Model):
    """The user's ledger lock row, and a cache of the ledger's sums.

    Scoring and redemption lock this row (SELECT … FOR UPDATE) before they read or
    write the user's ledger, so caps and balances are decided one writer at a time.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="points_account",
    )
    balance = models.IntegerField(_("saldo"), default=0)
    earned = models.IntegerField(_("total diperoleh"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("akun poin")
        verbose_name_plural = pgettext_lazy("plural", "akun poin")
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="account_no_overspend")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.balance}"


class ActivityCursor(models.Model):
    """How far the sweep has looked: every activity with id <= last_id is processed."""

    name = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kursor aktivitas")
        verbose_name_plural = pgettext_lazy("plural", "kursor aktivitas")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class ProcessedActivity(models.Model):
    """An activity that has been scored; inserting it is the claim (idempotency by activity id)."""

    activity_id = models.BigIntegerField(primary_key=True)
    processed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("aktivitas terproses")
        verbose_name_plural = pgettext_lazy("plural", "aktivitas terproses")

    def __str__(self) -> str:
        return str(self.activity_id)


class Streak(models.Model):
    """Consecutive active days in the user's own zone; a held freeze bridges one missed day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="streak"
    )
    current = models.PositiveIntegerField(_("beruntun"), default=0)
    longest = models.PositiveIntegerField(_("terpanjang"), default=0)
    last_active_on = models.DateField(_("terakhir aktif"), null=True, blank=True)
    freezes = models.PositiveSmallIntegerField(_("pembeku beruntun"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hari beruntun")
        verbose_name_plural = pgettext_lazy("plural", "hari beruntun")
        constraints = [
            models.CheckConstraint(condition=models.Q(freezes__lte=2), name="streak_max_2_freezes")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.current}"


class UserBadge(models.Model):
    """A user's count and level on a badge; a cache that `gamification_recompute` rebuilds."""

    # The unique key leads with user: no separate FK index.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges", db_index=False
    )
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="holders")
    count = models.PositiveIntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lencana pengguna")
        verbose_name_plural = pgettext_lazy("plural", "lencana pengguna")
        constraints = [models.UniqueConstraint(fields=["user", "badge"], name="userbadge_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.badge_id} L{self.level}"


class Reward(models.Model):
    class Kind(models.TextChoices):
        PULSA = "pulsa", _("Pulsa")
        DATA = "data", _("Paket data")
        EBOOK = "ebook", _("E-book")
        MERCH = "merch", _("Merchandise")

    name = models.CharField(_("nama"), max_length=120)
    description = models.CharField(_("keterangan"), max_length=250, blank=True)
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    price = models.PositiveIntegerField(_("harga (poin)"))
    stock = models.PositiveIntegerField(_("stok"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("hadiah")
        verbose_name_plural = pgettext_lazy("plural", "hadiah")
        ordering = ["price", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="reward_stock_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=1), name="reward_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="redemptions"
    )
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    points = models.PositiveIntegerField(_("poin"))
    code = models.CharField(_("kode voucher"), max_length=24, unique=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("penukaran hadiah")
        verbose_name_plural = pgettext_lazy("plural", "penukaran hadiah")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.reward_id} {self.code}"


class LeaderboardOptIn(models.Model):
    """A citizen who chose to appear on leaderboards, under a display name of their choice.

    `points` mirrors PointsAccount.earned (lifetime earned, so spending does not drop
    a rank); kept here so a leaderboard is one index scan.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="leaderboard_optin",
    )
    display_name = models.CharField(_("nama tampilan"), max_length=30)
    kelurahan = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    points = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("peserta papan peringkat")
        verbose_name_plural = pgettext_lazy("plural", "peserta papan peringkat")
        indexes = [
            models.Index(fields=["-points", "user"], name="optin_points_idx"),
            models.Index(fields=["kelurahan", "-points", "user"], name="optin_kel_points_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name
