"""Course authoring: a course with its modules; a module with lessons and quizzes; a quiz
with questions and their choices. Ordering is the `order` column, editable inline."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from learning import certificates, services
from learning.models import (
    Assignment,
    Certificate,
    Choice,
    Course,
    Enrolment,
    JpEntry,
    Lesson,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ("order", "title", "edit_link")
    readonly_fields = ("edit_link",)
    ordering = ("order", "pk")

    @admin.display(description=_("isi modul"))
    def edit_link(self, module: Module) -> str:
        if not module.pk:
            return "—"
        url = reverse("admin:learning_module_change", args=[module.pk])
        return format_html('<a href="{}">{}</a>', url, _("Ubah materi dan kuis"))


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "audience",
        "competency_area",
        "jp",
        "published",
        "module_count",
        "enrolment_count",
    )
    list_filter = ("published", "audience", "competency_area")
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ModuleInline]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _modules=Count("modules", distinct=True),
                _enrolments=Count("enrolments", distinct=True),
            )
        )

    @admin.display(description=_("modul"), ordering="_modules")
    def module_count(self, course: Course) -> int:
        return course._modules

    @admin.display(description=_("peserta"), ordering="_enrolments")
    def enrolment_count(self, course: Course) -> int:
        return course._enrolments

    @admin.action(description=_("Terbitkan kursus terpilih"))
    def publish(self, request, queryset) -> None:
        queryset.update(published=True)

    @admin.action(description=_("Tarik kursus terpilih dari katalog"))
    def unpublish(self, request, queryset) -> None:
        queryset.update(published=False)


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = (("order", "title", "required", "minutes"), "body", "video_url", "attachment")
    ordering = ("order", "pk")


class QuizInline(admin.TabularInline):
    model = Quiz
    extra = 0
    fields = (
        "order",
        "title",
        "pass_mark",
        "max_attempts",
        "time_limit_minutes",
        "pool_size",
        "shuffle",
        "required",
        "edit_link",
    )
    readonly_fields = ("edit_link",)
    ordering = ("order", "pk")

    @admin.display(description=_("soal"))
    def edit_link(self, quiz: Quiz) -> str:
        if not quiz.pk:
            return "—"
        url = reverse("admin:learning_quiz_change", args=[quiz.pk])
        return format_html('<a href="{}">{}</a>', url, _("Ubah soal"))


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "order")
    list_filter = ("course",)
    search_fields = ("title", "course__title")
    list_select_related = ("course",)
    list_editable = ("order",)
    inlines = [LessonInline, QuizInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ("order", "text", "is_correct")
    ordering = ("order", "pk")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "quiz", "kind", "weight", "order")
    list_filter = ("kind", "quiz__module__course")
    search_fields = ("text",)
    list_select_related = ("quiz",)
    inlines = [ChoiceInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = (("order", "kind", "weight"), "text", "edit_link")
    readonly_fields = ("edit_link",)
    ordering = ("order", "pk")

    @admin.display(description=_("pilihan jawaban"))
    def edit_link(self, question: Question) -> str:
        if not question.pk:
            return "—"
        url = reverse("admin:learning_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, _("Ubah pilihan jawaban"))


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "module",
        "pass_mark",
        "max_attempts",
        "time_limit_minutes",
        "pool_size",
    )
    list_filter = ("module__course", "required", "shuffle")
    search_fields = ("title", "module__title", "module__course__title")
    list_select_related = ("module",)
    inlines = [QuestionInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("course", "due_on", "created_by", "created_at", "applied_at")
    list_filter = ("course", "due_on")
    search_fields = ("course__title", "note")
    list_select_related = ("course", "created_by")
    filter_horizontal = ("units", "roles", "people")
    readonly_fields = ("created_by", "created_at", "applied_at")
    actions = ["apply"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        count = services.assignment_apply(assignment=form.instance)
        self.message_user(
            request,
            ngettext("%d peserta didaftarkan.", "%d peserta didaftarkan.", count) % count,
        )

    @admin.action(description=_("Terapkan lagi (daftarkan anggota baru)"))
    def apply(self, request, queryset) -> None:
        total = sum(services.assignment_apply(assignment=assignment) for assignment in queryset)
        self.message_user(request, _("%d peserta didaftarkan.") % total)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "source", "status", "due_on", "enrolled_at", "completed_at")
    list_filter = ("status", "source", "course")
    search_fields = ("user__email", "user__display_name", "course__title")
    list_select_related = ("user", "course")
    date_hierarchy = "enrolled_at"
    raw_id_fields = ("user", "assignment", "last_lesson")
    readonly_fields = ("status", "completed_at", "enrolled_at")


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ("quiz", "enrolment", "number", "started_at", "submitted_at", "score", "passed")
    list_filter = ("passed", "expired", "quiz")
    search_fields = ("enrolment__user__email", "quiz__title")
    list_select_related = ("quiz", "enrolment__user", "enrolment__course")
    raw_id_fields = ("enrolment",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # graded on the server; an attempt is a record, not editable


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "enrolment", "status", "issued_at", "last_error")
    list_filter = ("status",)
    search_fields = ("letter_number", "enrolment__user__email", "enrolment__course__title")
    list_select_related = ("enrolment__user", "enrolment__course")
    readonly_fields = [field.name for field in Certificate._meta.fields]
    actions = ["issue_now"]

    @admin.action(description=_("Terbitkan sekarang (jika e-Surat tersedia)"))
    def issue_now(self, request, queryset) -> None:
        issued = 0
        for certificate in queryset.select_related("enrolment"):
            result = certificates.certificate_issue(certificate.enrolment)
            issued += bool(result and result.status == Certificate.Status.ISSUED)
        level = messages.SUCCESS if issued else messages.WARNING
        self.message_user(request, _("%d sertifikat terbit.") % issued, level)


@admin.register(JpEntry)
class JpEntryAdmin(admin.ModelAdmin):
    list_display = ("employee", "year", "subject", "kind", "jp", "source", "status", "decided_by")
    list_filter = ("year", "status", "source", "kind", "employee__unit")
    search_fields = ("employee__full_name", "employee__nip", "subject", "provider")
    list_select_related = ("employee", "decided_by")
    raw_id_fields = ("employee", "enrolment")
    readonly_fields = ("status", "decided_by", "decided_at", "decision_note", "source", "enrolment")
    actions = ["approve"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # Course entries are written by completion; the admin records external ones.
            obj.source = JpEntry.Source.EXTERNAL
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Setujui catatan JP eksternal terpilih (bila tidak ada atasan)"))
    def approve(self, request, queryset) -> None:
        approved = 0
        for entry in queryset.filter(status=JpEntry.Status.PENDING, source=JpEntry.Source.EXTERNAL):
            try:
                services.jp_entry_decide(entry=entry, decider=request.user, approve=True)
            except (PermissionError, services.LearningError) as error:
                self.message_user(request, f"{entry}: {error}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, _("%d catatan JP disetujui.") % approved)
