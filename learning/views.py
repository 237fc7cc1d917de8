from __future__ import annotations

import csv
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learning import conf, content, selectors, services
from learning.forms import CatalogueFilterForm, ExternalJpForm, JpDecisionForm, YearForm
from learning.models import Certificate, Course, Enrolment, JpEntry, Lesson, Quiz, QuizAttempt
from portal.models import Employee

# --- Catalogue and course ------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    courses = selectors.catalogue(
        user=request.user,
        query=filters.get("q", ""),
        audience=filters.get("sasaran", ""),
        area=filters.get("bidang", ""),
    )
    page = Paginator(courses, conf.catalogue_page_size()).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    template = "learning/index.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


def _course_for_user(request: HttpRequest, slug: str) -> Course:
    course = selectors.course_for_user(user=request.user, slug=slug)
    if course is None:
        raise Http404
    return course


def _resume_lesson(modules, enrolment: Enrolment | None, progress) -> Lesson | None:
    lessons = [lesson for module in modules for lesson in module.lessons.all()]
    if enrolment is not None and enrolment.last_lesson_id:
        for lesson in lessons:
            if lesson.pk == enrolment.last_lesson_id:
                return lesson
    for lesson in lessons:
        if lesson.pk not in progress.done_lessons:
            return lesson
    return lessons[0] if lessons else None


@require_GET
def course(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_for_user(request, slug)
    enrolment = selectors.enrolment_for(user=request.user, course=course)
    modules = selectors.course_modules(course=course)
    progress = selectors.progress_for(enrolment=enrolment, modules=modules)
    return render(
        request,
        "learning/course.html",
        {
            "course": course,
            "enrolment": enrolment,
            "modules": modules,
            "progress": progress,
            "resume": _resume_lesson(modules, enrolment, progress),
            "certificate": _certificate(enrolment),
        },
    )


def _certificate(enrolment: Enrolment | None) -> Certificate | None:
    if enrolment is None:
        return None
    try:
        return enrolment.certificate
    except Certificate.DoesNotExist:
        return None


@require_POST
@login_required
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course_for_user(request, slug)
    services.enrolment_create(user=request.user, course=course)
    messages.success(request, _("Anda terdaftar di kursus ini. Selamat belajar!"))
    return redirect("learning:course", slug=course.slug)


def _enrolment_or_redirect(request: HttpRequest, course: Course) -> Enrolment | None:
    enrolment = selectors.enrolment_for(user=request.user, course=course)
    if enrolment is None:
        messages.info(request, _("Daftar ke kursus ini dulu untuk membuka materinya."))
    return enrolment


def _lesson_context(request, course, enrolment, lesson) -> dict:
    modules = selectors.course_modules(course=course)
    progress = selectors.progress_for(enrolment=enrolment, modules=modules)
    lessons = [item for module in modules for item in module.lessons.all()]
    position = next(index for index, item in enumerate(lessons) if item.pk == lesson.pk)
    return {
        "course": course,
        "enrolment": enrolment,
        "lesson": lesson,
        "modules": modules,
        "progress": progress,
        "done": lesson.pk in progress.done_lessons,
        "previous": lessons[position - 1] if position > 0 else None,
        "next": lessons[position + 1] if position + 1 < len(lessons) else None,
        "video_provider": content.video_provider(lesson.video_url) if lesson.video_url else "",
        "certificate": _certificate(enrolment),
    }


@require_GET
@login_required
def lesson(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    course = _course_for_user(request, slug)
    lesson = selectors.lesson_for_course(course=course, lesson_id=lesson_id)
    if lesson is None:
        raise Http404
    enrolment = _enrolment_or_redirect(request, course)
    if enrolment is None:
        return redirect("learning:course", slug=course.slug)
    services.enrolment_resume_point_set(enrolment=enrolment, lesson=lesson)
    return render(
        request, "learning/lesson.html", _lesson_context(request, course, enrolment, lesson)
    )


@require_POST
@login_required
def lesson_complete(request: HttpRequest, slug: str, lesson_id: int) -> HttpResponse:
    course = _course_for_user(request, slug)
    lesson = selectors.lesson_for_course(course=course, lesson_id=lesson_id)
    if lesson is None:
        raise Http404
    enrolment = _enrolment_or_redirect(request, course)
    if enrolment is None:
        return redirect("learning:course", slug=course.slug)
    services.lesson_complete(enrolment=enrolment, lesson=lesson)
    enrolment.refresh_from_db()
    context = _lesson_context(request, course, enrolment, lesson)
    if request.htmx:
        return render(request, "learning/lesson.html#progress", context)
    if enrolment.is_completed:
        messages.success(request, _("Selamat! Kursus ini sudah Anda selesaikan."))
    following = context["next"]
    if following is not None:
        return redirect("learning:lesson", slug=course.slug, lesson_id=following.pk)
    return redirect("learning:course", slug=course.slug)


@require_GET
@login_required
def lesson_file(request: HttpRequest, slug: str, lesson_id: int) -> FileResponse:
    course = _course_for_user(request, slug)
    lesson = selectors.lesson_for_course(course=course, lesson_id=lesson_id)
    if (
        lesson is None
        or not lesson.attachment
        or not selectors.enrolment_for(user=request.user, course=course)
    ):
        raise Http404
    return FileResponse(
        lesson.attachment.open("rb"),
        as_attachment=True,
        filename=lesson.attachment.name.rsplit("/", 1)[-1],
    )


# --- Quizzes ----------------------------------------------------------------------------------


def _quiz_for_course(course: Course, quiz_id: int) -> Quiz:
    return get_object_or_404(
        Quiz.objects.select_related("module"), pk=quiz_id, module__course=course
    )


@require_http_methods(["GET", "POST"])
@login_required
def quiz(request: HttpRequest, slug: str, quiz_id: int) -> HttpResponse:
    course = _course_for_user(request, slug)
    quiz = _quiz_for_course(course, quiz_id)
    enrolment = _enrolment_or_redirect(request, course)
    if enrolment is None:
        return redirect("learning:course", slug=course.slug)
    if request.method == "POST":
        try:
            attempt = services.quiz_start(enrolment=enrolment, quiz=quiz)
        except services.QuizError as error:
            messages.error(request, str(error))
            return redirect("learning:quiz", slug=course.slug, quiz_id=quiz.pk)
        return redirect("learning:attempt", attempt_id=attempt.pk)
    attempts = selectors.attempts_for(enrolment=enrolment, quiz=quiz)
    used = len(attempts)
    return render(
        request,
        "learning/quiz.html",
        {
            "course": course,
            "quiz": quiz,
            "enrolment": enrolment,
            "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "passed": any(a.passed for a in attempts),
            "remaining": None if quiz.max_attempts is None else max(0, quiz.max_attempts - used),
            "question_count": quiz.pool_size or quiz.questions.count(),
        },
    )


def _attempt_for_user(request: HttpRequest, attempt_id: int) -> QuizAttempt:
    attempt = selectors.attempt_for_user(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    return attempt


def _submitted_answers(request: HttpRequest) -> dict[str, list[str]]:
    """Form fields `soal-<question id>` → the chosen choice ids, as sent."""
    answers: dict[str, list[str]] = {}
    for key in request.POST:
        if key.startswith("soal-"):
            answers[key.removeprefix("soal-")] = request.POST.getlist(key)
    return answers


@require_http_methods(["GET", "POST"])
@login_required
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for_user(request, attempt_id)
    course = attempt.quiz.module.course
    if not attempt.is_open:
        return redirect("learning:attempt_result", attempt_id=attempt.pk)
    status = 200
    if request.method == "POST":
        try:
            services.quiz_submit(attempt=attempt, answers=_submitted_answers(request))
        except services.QuizError as error:
            attempt.refresh_from_db()
            if not attempt.is_open:
                messages.error(request, str(error))
                return redirect("learning:attempt_result", attempt_id=attempt.pk)
            messages.error(request, str(error))
            status = 400
        else:
            return redirect("learning:attempt_result", attempt_id=attempt.pk)
    return render(
        request,
        "learning/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "course": course,
            "questions": selectors.attempt_questions(attempt=attempt),
        },
        status=status,
    )


@require_GET
@login_required
def attempt_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for_user(request, attempt_id)
    if attempt.is_open:
        return redirect("learning:attempt", attempt_id=attempt.pk)
    enrolment = attempt.enrolment
    quiz = attempt.quiz
    attempts = selectors.attempts_for(enrolment=enrolment, quiz=quiz)
    can_retry = not any(a.passed for a in attempts) and (
        quiz.max_attempts is None or len(attempts) < quiz.max_attempts
    )
    return render(
        request,
        "learning/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "course": quiz.module.course,
            "enrolment": enrolment,
            "review": selectors.attempt_review(attempt=attempt),
            "can_retry": can_retry,
            # The key only once it can no longer help a further attempt.
            "show_key": not can_retry,
            "certificate": _certificate(enrolment),
        },
    )


# --- My learning and the JP wallet ---------------------------------------------------------


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    enrolments = list(selectors.enrolments_for_user(user=request.user))
    employee = Employee.objects.filter(user=request.user).first()
    summary = (
        selectors.jp_summary(employee=employee, year=timezone.localdate().year)
        if employee
        else None
    )
    return render(
        request,
        "learning/mine.html",
        {
            "in_progress": [e for e in enrolments if not e.is_completed],
            "completed": [e for e in enrolments if e.is_completed],
            "jp": summary,
        },
    )


def _employee_or_404(request: HttpRequest) -> Employee:
    employee = Employee.objects.filter(user=request.user).select_related("unit", "superior").first()
    if employee is None:
        raise Http404
    return employee


@require_GET
@login_required
def jp_wallet(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    year = YearForm(request.GET or None).year()
    return render(
        request,
        "learning/jp_wallet.html",
        {
            "employee": employee,
            "year": year,
            "years": _years(),
            "summary": selectors.jp_summary(employee=employee, year=year),
            "entries": selectors.jp_entries(employee=employee, year=year),
        },
    )


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 5, -1))


@require_http_methods(["GET", "POST"])
@login_required
def jp_add(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    form = ExternalJpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.jp_external_submit(employee=employee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Catatan JP terkirim dan menunggu persetujuan atasan langsung Anda.")
            )
            return redirect("learning:jp_wallet")
    return render(
        request,
        "learning/jp_add.html",
        {"form": form, "employee": employee},
        status=400 if form.errors else 200,
    )


def _entry_for_viewer(request: HttpRequest, entry_id: int) -> JpEntry:
    """The entry's owner, their direct superior or a leader of their unit may see it."""
    entry = get_object_or_404(
        JpEntry.objects.select_related("employee__superior", "employee__unit"), pk=entry_id
    )
    user = request.user
    unit = selectors.leader_unit(user=user)
    if not (
        entry.employee.user_id == user.pk
        or services.jp_entry_can_decide(entry=entry, user=user)
        or (unit is not None and entry.employee.unit_id == unit.pk)
    ):
        raise Http404
    return entry


@require_GET
@login_required
def jp_evidence(request: HttpRequest, entry_id: int) -> FileResponse:
    entry = _entry_for_viewer(request, entry_id)
    if not entry.evidence:
        raise Http404
    return FileResponse(
        entry.evidence.open("rb"),
        as_attachment=True,
        filename=entry.evidence.name.rsplit("/", 1)[-1],
    )


CSV_HEADER = [
    "NIP",
    "Nama",
    "Jenis pengembangan kompetensi",
    "Penyelenggara",
    "Nama kegiatan / materi",
    "Tanggal mulai",
    "Tanggal selesai",
    "JP",
    "Bukti",
]


def _cell(value) -> str:
    """Spreadsheet-safe text: a leading = + - @ would be read as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_response(request: HttpRequest, rows: Iterable[JpEntry], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for entry in rows:
        if entry.source == JpEntry.Source.COURSE:
            certificate = _certificate(entry.enrolment)
            evidence = (
                f"Sertifikat {certificate.letter_number}"
                if certificate and certificate.letter_number
                else "Sertifikat e-learning (sedang diterbitkan)"
            )
        else:
            evidence = (
                request.build_absolute_uri(reverse("learning:jp_evidence", args=[entry.pk]))
                if entry.evidence
                else ""
            )
        writer.writerow(
            [
                _cell(entry.employee.nip),
                _cell(entry.employee.full_name),
                _cell(entry.get_kind_display()),
                _cell(entry.provider),
                _cell(entry.subject),
                entry.start_on.isoformat(),
                entry.end_on.isoformat(),
                entry.jp,
                _cell(evidence),
            ]
        )
    return response


@require_GET
@login_required
def jp_export(request: HttpRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    year = YearForm(request.GET or None).year()
    rows = (
        selectors.jp_entries(employee=employee, year=year)
        .filter(status=JpEntry.Status.APPROVED)
        .select_related("employee", "enrolment__certificate")
    )
    return _csv_response(request, rows, f"jp-{employee.nip}-{year}.csv")


# --- Leader ----------------------------------------------------------------------------------


def _leader_unit_or_404(request: HttpRequest):
    unit = selectors.leader_unit(user=request.user)
    if unit is None:
        raise Http404
    return unit


@require_GET
@login_required
def leader(request: HttpRequest) -> HttpResponse:
    unit = _leader_unit_or_404(request)
    year = YearForm(request.GET or None).year()
    rows = selectors.unit_compliance(unit=unit, year=year)
    return render(
        request,
        "learning/leader.html",
        {
            "unit": unit,
            "year": year,
            "years": _years(),
            "rows": rows,
            "met_count": sum(1 for _employee, summary in rows if summary.met),
            "target_count": sum(1 for _employee, summary in rows if summary.target is not None),
            "pending": selectors.pending_decisions_for(user=request.user),
            "decision_form": JpDecisionForm(),
        },
    )


@require_GET
@login_required
def leader_employee(request: HttpRequest, employee_id: int) -> HttpResponse:
    unit = _leader_unit_or_404(request)
    employee = selectors.unit_employee(unit=unit, employee_id=employee_id)
    if employee is None:
        raise Http404
    year = YearForm(request.GET or None).year()
    return render(
        request,
        "learning/leader_employee.html",
        {
            "unit": unit,
            "employee": employee,
            "year": year,
            "years": _years(),
            "summary": selectors.jp_summary(employee=employee, year=year),
            "entries": selectors.jp_entries(employee=employee, year=year),
            "enrolments": selectors.enrolments_for_user(user=employee.user),
        },
    )


@require_POST
@login_required
def jp_decide(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(
        JpEntry.objects.select_related("employee__superior"),
        pk=entry_id,
        source=JpEntry.Source.EXTERNAL,
    )
    if not services.jp_entry_can_decide(entry=entry, user=request.user):
        raise Http404
    form = JpDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih setujui atau tolak."))
        return redirect("learning:leader")
    try:
        services.jp_entry_decide(
            entry=entry,
            decider=request.user,
            approve=form.cleaned_data["keputusan"] == "setujui",
            note=form.cleaned_data["catatan"],
        )
    except services.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Keputusan tersimpan."))
    return redirect("learning:leader")


@require_GET
@login_required
def leader_export(request: HttpRequest) -> HttpResponse:
    unit = _leader_unit_or_404(request)
    year = YearForm(request.GET or None).year()
    rows = selectors.unit_record_rows(unit=unit, year=year).select_related("enrolment__certificate")
    return _csv_response(request, rows, f"jp-{unit.code}-{year}.csv")
