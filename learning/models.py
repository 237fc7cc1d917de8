"""Courses, their content and quizzes; enrolments, progress, attempts and the JP wallet.

Progress is recorded as rows (one LessonCompletion per lesson, one QuizAttempt per
attempt, one JpEntry per course completion or approved external training), never as
counters, so re-opening a lesson or retrying a request can never count twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from learning import content
from portal.models import Employee, OrgUnit


class Audience(models.TextChoices):
    ASN = "asn", _("ASN")
    LEADERS = "leaders", _("Pimpinan")
    PUBLIC = "public", _("Masyarakat umum")


class CompetencyArea(models.TextChoices):
    TECHNICAL = "technical", _("Kompetensi teknis")
    MANAGERIAL = "managerial", _("Kompetensi manajerial")
    SOCIOCULTURAL = "sociocultural", _("Kompetensi sosial kultural")
    DIGITAL = "digital", _("Literasi digital")


class Course(models.Model):
    title = models.CharField(_("judul"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("ringkasan"), max_length=1000)
    audience = models.CharField(_("sasaran"), max_length=10, choices=Audience.choices)
    jp = models.PositiveSmallIntegerField(
        _("JP (jam pelajaran)"),
        default=0,
        validators=[MaxValueValidator(200)],
        help_text=_("Jam pelajaran yang dicatat di dompet JP saat kursus selesai."),
    )
    competency_area = models.CharField(
        _("bidang kompetensi"), max_length=20, choices=CompetencyArea.choices
    )
    provider = models.CharField(
        _("penyelenggara"), max_length=150, default="BKPSDM", help_text=_("Untuk catatan JP.")
    )
    published = models.BooleanField(_("terbit"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kursus")
        verbose_name_plural = pgettext_lazy("plural", "kursus")
        ordering = ["title"]
        indexes = [models.Index(fields=["published", "audience"])]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("kursus")
    )
    title = models.CharField(_("judul"), max_length=200)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("modul")
        verbose_name_plural = pgettext_lazy("plural", "modul")
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("modul")
    )
    title = models.CharField(_("judul"), max_length=200)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    body = models.TextField(
        _("isi"), blank=True, help_text=_("HTML sederhana; skrip dan gaya dihapus otomatis.")
    )
    video_url = models.URLField(
        _("tautan video"),
        blank=True,
        validators=[content.validate_video_url],
        help_text=_("YouTube atau Vimeo; ditampilkan sebagai tautan."),
    )
    attachment = models.FileField(
        _("berkas unduhan"),
        upload_to="learning/materi/%Y/",
        blank=True,
        validators=[content.validate_attachment],
    )
    required = models.BooleanField(_("wajib"), default=True)
    minutes = models.PositiveSmallIntegerField(_("perkiraan menit"), default=10)

    class Meta:
        verbose_name = _("materi")
        verbose_name_plural = pgettext_lazy("plural", "materi")
        ordering = ["module__order", "module_id", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body = content.sanitize_html(self.body)
        super().save(*args, **kwargs)


class Quiz(models.Model):
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="quizzes", verbose_name=_("modul")
    )
    title = models.CharField(_("judul"), max_length=200)
    order = models.PositiveSmallIntegerField(_("urutan"), default=100)
    pass_mark = models.PositiveSmallIntegerField(
        _("nilai lulus (%)"), default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("batas percobaan"), null=True, blank=True, help_text=_("Kosong: tanpa batas.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("batas waktu (menit)"), null=True, blank=True, help_text=_("Kosong: tanpa batas waktu.")
    )
    shuffle = models.BooleanField(_("acak urutan soal dan pilihan"), default=True)
    pool_size = models.PositiveSmallIntegerField(
        _("jumlah soal yang diambil"),
        null=True,
        blank=True,
        help_text=_("Ambil N soal dari bank soal untuk tiap percobaan; kosong: semua soal."),
    )
    required = models.BooleanField(_("wajib lulus"), default=True)

    class Meta:
        verbose_name = _("kuis")
        verbose_name_plural = pgettext_lazy("plural", "kuis")
        ordering = ["module__order", "module_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100),
                name="quiz_pass_mark_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__isnull=True) | models.Q(max_attempts__gte=1),
                name="quiz_max_attempts_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(pool_size__isnull=True) | models.Q(pool_size__gte=1),
                name="quiz_pool_size_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Pilihan tunggal")
        MULTIPLE = "multiple", _("Pilihan ganda (lebih dari satu benar)")

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("kuis")
    )
    text = models.TextField(_("pertanyaan"))
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    weight = models.PositiveSmallIntegerField(_("bobot"), default=1)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("soal")
        verbose_name_plural = pgettext_lazy("plural", "soal")
        ordering = ["quiz", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1), name="question_weight_positive"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("soal")
    )
    text = models.CharField(_("pilihan"), max_length=300)
    # Never rendered before an attempt is submitted: pages get choices through
    # selectors that leave this field out.
    is_correct = models.BooleanField(_("jawaban benar"), default=False)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("pilihan jawaban")
        verbose_name_plural = pgettext_lazy("plural", "pilihan jawaban")
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Assignment(models.Model):
    """An admin assigns a course to units, roles or people, with a due date."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("kursus")
    )
    units = models.ManyToManyField(OrgUnit, blank=True, verbose_name=_("unit kerja"))
    roles = models.ManyToManyField("auth.Group", blank=True, verbose_name=_("peran"))
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("orang")
    )
    due_on = models.DateField(_("tenggat"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditugaskan oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("diterapkan"), null=True, blank=True)

    class Meta:
        verbose_name = _("penugasan kursus")
        verbose_name_plural = pgettext_lazy("plural", "penugasan kursus")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.course} ({self.due_on:%d-%m-%Y})"


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Mendaftar sendiri")
        ASSIGNED = "assigned", _("Ditugaskan")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Sedang belajar")
        COMPLETED = "completed", _("Selesai")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("peserta"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("kursus")
    )
    source = models.CharField(_("asal"), max_length=10, choices=Source.choices)
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    due_on = models.DateField(_("tenggat"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    enrolled_at = models.DateTimeField(_("terdaftar"), auto_now_add=True)
    completed_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    # Where the learner left off: the lesson they opened last.
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("peserta kursus")
        verbose_name_plural = pgettext_lazy("plural", "peserta kursus")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrolment_once_per_course"),
            models.CheckConstraint(
                condition=models.Q(status="in_progress", completed_at__isnull=True)
                | models.Q(status="completed", completed_at__isnull=False),
                name="enrolment_completed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["course", "status"]), models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("materi selesai")
        verbose_name_plural = pgettext_lazy("plural", "materi selesai")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="lesson_completed_once_per_enrolment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.lesson_id}"


class QuizAttempt(models.Model):
    """One try at a quiz; the questions drawn for it are kept here, on the server."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("percobaan ke"))
    started_at = models.DateTimeField(_("dimulai"))
    deadline_at = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    question_ids = models.JSONField(_("soal yang diambil"), default=list)
    answers = models.JSONField(_("jawaban"), default=dict, blank=True)
    score = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("lulus"), null=True, blank=True)
    expired = models.BooleanField(_("waktu habis"), default=False)

    class Meta:
        verbose_name = _("percobaan kuis")
        verbose_name_plural = pgettext_lazy("plural", "percobaan kuis")
        ordering = ["-started_at"]
        constraints = [
            # Two concurrent "start" requests cannot both become attempt n.
            models.UniqueConstraint(
                fields=["enrolment", "quiz", "number"], name="quiz_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "quiz"],
                condition=models.Q(submitted_at__isnull=True),
                name="quiz_attempt_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True, passed__isnull=True)
                | models.Q(submitted_at__isnull=False, passed__isnull=False),
                name="quiz_attempt_graded_when_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Certificate(models.Model):
    """The certificate of one completed enrolment: at most one, issued as an e-Surat letter.

    Created `pending` when the course completes; `learning.certificates` turns it
    into a letter (number, QR code, public verification) when e-Surat is available.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Sedang diterbitkan")
        ISSUED = "issued", _("Terbit")

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    letter_number = models.CharField(_("nomor surat"), max_length=80, blank=True)
    letter_public_id = models.CharField(_("kode verifikasi"), max_length=40, blank=True)
    verify_url = models.CharField(_("tautan verifikasi"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(_("diterbitkan"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sertifikat")
        verbose_name_plural = pgettext_lazy("plural", "sertifikat")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | models.Q(status="issued", issued_at__isnull=False) & ~models.Q(letter_number=""),
                name="certificate_issued_has_letter",
            )
        ]

    def __str__(self) -> str:
        return self.letter_number or str(_("Sertifikat (menunggu)"))


def _evidence_path(instance: JpEntry, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"learning/bukti/{instance.year}/{uuid.uuid4().hex}.{extension}"


class JpEntry(models.Model):
    """One line of an employee's JP wallet for a year (a ledger row, never edited in place)."""

    class Source(models.TextChoices):
        COURSE = "course", _("Kursus e-learning")
        EXTERNAL = "external", _("Pelatihan/pengembangan di luar portal")

    class Kind(models.TextChoices):
        # The forms of competency development an ASN record distinguishes.
        ELEARNING = "elearning", _("E-learning")
        TRAINING = "training", _("Pelatihan (diklat)")
        COACHING = "coaching", _("Coaching / mentoring")
        SEMINAR = "seminar", _("Seminar / lokakarya")
        WORKSHOP = "workshop", _("Bimbingan teknis")
        OTHER = "other", _("Lainnya")

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu persetujuan atasan")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="jp_entries", verbose_name=_("pegawai")
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    source = models.CharField(_("sumber"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jp_entry",
        verbose_name=_("kursus yang diselesaikan"),
    )
    provider = models.CharField(_("penyelenggara"), max_length=150)
    subject = models.CharField(_("nama kegiatan / materi"), max_length=200)
    start_on = models.DateField(_("tanggal mulai"))
    end_on = models.DateField(_("tanggal selesai"))
    jp = models.PositiveSmallIntegerField(
        _("JP"), validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    evidence = models.FileField(
        _("bukti (sertifikat/surat)"),
        upload_to=_evidence_path,
        blank=True,
        validators=[content.validate_evidence],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decision_note = models.CharField(_("catatan atasan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("catatan JP")
        verbose_name_plural = pgettext_lazy("plural", "catatan JP")
        ordering = ["-year", "-end_on", "-id"]
        indexes = [models.Index(fields=["employee", "year", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source="course", enrolment__isnull=False, status="approved")
                | models.Q(source="external", enrolment__isnull=True),
                name="jpentry_source_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="jpentry_dates_ordered"
            ),
            models.CheckConstraint(condition=models.Q(jp__gte=1), name="jpentry_jp_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.year}: {self.subject} ({self.jp} JP)"
