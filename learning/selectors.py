"""Reads of the learning app; each page gets what it needs in a fixed number of queries."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from learning import conf
from learning.models import (
    Audience,
    Certificate,
    Choice,
    Course,
    Enrolment,
    JpEntry,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    Quiz,
    QuizAttempt,
)
from portal.models import Employee, OrgUnit, User

ASN_ROLES = ("pegawai", "atasan", "pejabat", "admin")
LEADER_ROLES = ("atasan", "pejabat", "admin")


def audiences_for(user: User) -> list[str]:
    if not user.is_authenticated:
        return [Audience.PUBLIC]
    if user.is_superuser or user.has_role(*LEADER_ROLES):
        return [Audience.PUBLIC, Audience.ASN, Audience.LEADERS]
    if user.has_role(*ASN_ROLES):
        return [Audience.PUBLIC, Audience.ASN]
    return [Audience.PUBLIC]


def courses_visible_to(*, user: User) -> QuerySet[Course]:
    return Course.objects.filter(published=True, audience__in=audiences_for(user))


def _count(queryset, column: str = "pk", *, distinct: bool = False):
    """A correlated COUNT subquery: several counts on one row without a join blow-up."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    counted = queryset.order_by().annotate(n=Func(F(column), template=template)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _required_lessons(course_ref: str):
    return _count(Lesson.objects.filter(module__course=OuterRef(course_ref), required=True))


def _required_quizzes(course_ref: str):
    return _count(Quiz.objects.filter(module__course=OuterRef(course_ref), required=True))


def catalogue(
    *, user: User, query: str = "", audience: str = "", area: str = ""
) -> QuerySet[Course]:
    courses = courses_visible_to(user=user)
    if query:
        courses = courses.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    if audience:
        courses = courses.filter(audience=audience)
    if area:
        courses = courses.filter(competency_area=area)
    courses = courses.annotate(
        lesson_count=_count(Lesson.objects.filter(module__course=OuterRef("pk")))
    )
    if user.is_authenticated:
        mine = Enrolment.objects.filter(user=user, course=OuterRef("pk"))
        courses = courses.annotate(
            is_enrolled=Exists(mine),
            is_completed=Exists(mine.filter(status=Enrolment.Status.COMPLETED)),
        )
    return courses.order_by("title")


def course_for_user(*, user: User, slug: str) -> Course | None:
    return courses_visible_to(user=user).filter(slug=slug).first()


def enrolment_for(*, user: User, course: Course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(user=user, course=course)
        .select_related("last_lesson", "certificate")
        .first()
    )


def course_modules(*, course: Course) -> list[Module]:
    """Modules with their lessons and quizzes (two prefetches; no answer key)."""
    return list(
        course.modules.order_by("order", "pk").prefetch_related(
            Prefetch(
                "lessons",
                queryset=Lesson.objects.order_by("order", "pk").only(
                    "pk", "module_id", "title", "order", "required", "minutes"
                ),
            ),
            Prefetch("quizzes", queryset=Quiz.objects.order_by("order", "pk")),
        )
    )


@dataclass
class Progress:
    done_lessons: set[int] = field(default_factory=set)
    passed_quizzes: set[int] = field(default_factory=set)
    required_total: int = 0
    required_done: int = 0

    @property
    def percent(self) -> int:
        if not self.required_total:
            return 0
        return round(100 * self.required_done / self.required_total)


def progress_for(*, enrolment: Enrolment | None, modules: list[Module]) -> Progress:
    progress = Progress()
    if enrolment is not None:
        progress.done_lessons = set(
            LessonCompletion.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
        )
        progress.passed_quizzes = set(
            QuizAttempt.objects.filter(enrolment=enrolment, passed=True).values_list(
                "quiz_id", flat=True
            )
        )
    for module in modules:
        for lesson in module.lessons.all():
            if lesson.required:
                progress.required_total += 1
                progress.required_done += lesson.pk in progress.done_lessons
        for quiz in module.quizzes.all():
            if quiz.required:
                progress.required_total += 1
                progress.required_done += quiz.pk in progress.passed_quizzes
    return progress


def lesson_for_course(*, course: Course, lesson_id: int) -> Lesson | None:
    return (
        Lesson.objects.filter(pk=lesson_id, module__course=course).select_related("module").first()
    )


def enrolments_for_user(*, user: User) -> QuerySet[Enrolment]:
    """The learner's enrolments with counts for a progress bar, in one query."""
    done_lessons = _count(
        LessonCompletion.objects.filter(enrolment=OuterRef("pk"), lesson__required=True)
    )
    passed_quizzes = _count(
        QuizAttempt.objects.filter(enrolment=OuterRef("pk"), passed=True, quiz__required=True),
        "quiz_id",
        distinct=True,
    )
    return (
        Enrolment.objects.filter(user=user)
        .select_related("course", "last_lesson", "certificate")
        .annotate(
            required_total=_required_lessons("course") + _required_quizzes("course"),
            required_done=done_lessons + passed_quizzes,
        )
        .order_by("status", "due_on", "-enrolled_at")
    )


def attempt_for_user(*, user: User, attempt_id: int) -> QuizAttempt | None:
    return (
        QuizAttempt.objects.filter(pk=attempt_id, enrolment__user=user)
        .select_related("quiz__module__course", "enrolment")
        .first()
    )


def attempt_choice_order(
    attempt: QuizAttempt, question_id: int, choice_ids: list[int]
) -> list[int]:
    """The order an attempt shows a question's choices in: shuffled, but stable per attempt."""
    if not attempt.quiz.shuffle:
        return choice_ids
    shuffled = list(choice_ids)
    random.Random(f"{attempt.pk}:{question_id}").shuffle(shuffled)  # noqa: S311 - display order only
    return shuffled


def attempt_questions(*, attempt: QuizAttempt) -> list[Question]:
    """The drawn questions in the attempt's order; choices carry no `is_correct`."""
    ids = [int(pk) for pk in attempt.question_ids]
    questions = {
        question.pk: question
        for question in Question.objects.filter(pk__in=ids).prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.order_by("order", "pk").only("pk", "question_id", "text"),
            )
        )
    }
    ordered = [questions[pk] for pk in ids if pk in questions]
    for question in ordered:
        choices = {choice.pk: choice for choice in question.choices.all()}
        order = attempt_choice_order(attempt, question.pk, list(choices))
        question.shown_choices = [choices[pk] for pk in order]
    return ordered


def attempt_review(*, attempt: QuizAttempt) -> list[dict]:
    """After submission only: each question with what was chosen and what was right."""
    if attempt.is_open:
        return []
    ids = [int(pk) for pk in attempt.question_ids]
    questions = {
        question.pk: question
        for question in Question.objects.filter(pk__in=ids).prefetch_related("choices")
    }
    review = []
    for pk in ids:
        question = questions.get(pk)
        if question is None:
            continue
        chosen = set(attempt.answers.get(str(pk), []))
        correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
        review.append(
            {
                "question": question,
                "choices": [
                    {"choice": choice, "chosen": choice.pk in chosen, "correct": choice.is_correct}
                    for choice in question.choices.all()
                ],
                "right": bool(chosen) and chosen == correct,
            }
        )
    return review


def attempts_for(*, enrolment: Enrolment, quiz: Quiz) -> list[QuizAttempt]:
    return list(QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("number"))


def certificates_for_user(*, user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(enrolment__user=user).select_related("enrolment__course")


# --- JP wallet ----------------------------------------------------------------------------


@dataclass
class JpSummary:
    kind: str
    year: int
    earned: int  # approved JP of the year, before any cap
    target: int | None
    cap: int | None

    @property
    def counted(self) -> int:
        return min(self.earned, self.cap) if self.cap is not None else self.earned

    @property
    def goal(self) -> int | None:
        """What the progress bar measures against: the target, or for PPPK the allowance."""
        return self.target if self.target is not None else self.cap

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.counted >= self.target

    @property
    def percent(self) -> int:
        if not self.goal:
            return 0
        return min(100, round(100 * self.counted / self.goal))


def jp_summary(*, employee: Employee, year: int, earned: int | None = None) -> JpSummary:
    if earned is None:
        earned = (
            JpEntry.objects.filter(
                employee=employee, year=year, status=JpEntry.Status.APPROVED
            ).aggregate(total=Sum("jp"))["total"]
            or 0
        )
    return JpSummary(
        kind=employee.kind,
        year=year,
        earned=earned,
        target=conf.jp_target(employee.kind),
        cap=conf.jp_cap(employee.kind),
    )


def jp_entries(*, employee: Employee, year: int | None = None) -> QuerySet[JpEntry]:
    entries = JpEntry.objects.filter(employee=employee).select_related("decided_by")
    if year is not None:
        entries = entries.filter(year=year)
    return entries.order_by("-year", "-end_on", "-pk")


def leader_unit(*, user: User) -> OrgUnit | None:
    """The unit a leader (atasan) oversees: the unit of their own employee record."""
    if not user.is_authenticated or not (user.is_superuser or user.has_role(*LEADER_ROLES)):
        return None
    employee = Employee.objects.filter(user=user).select_related("unit").first()
    return employee.unit if employee else None


def unit_compliance(*, unit: OrgUnit, year: int) -> list[tuple[Employee, JpSummary]]:
    approved = Q(jp_entries__year=year, jp_entries__status=JpEntry.Status.APPROVED)
    employees = (
        Employee.objects.filter(unit=unit, is_active=True)
        .annotate(
            earned=Coalesce(Sum("jp_entries__jp", filter=approved), 0),
            pending=Count(
                "jp_entries",
                filter=Q(jp_entries__year=year, jp_entries__status=JpEntry.Status.PENDING),
            ),
        )
        .order_by("full_name")
    )
    return [
        (employee, jp_summary(employee=employee, year=year, earned=employee.earned))
        for employee in employees
    ]


def unit_employee(*, unit: OrgUnit, employee_id: int) -> Employee | None:
    return Employee.objects.filter(unit=unit, pk=employee_id).select_related("unit").first()


def pending_decisions_for(*, user: User) -> QuerySet[JpEntry]:
    """External JP entries waiting for this superior's decision."""
    return (
        JpEntry.objects.filter(
            status=JpEntry.Status.PENDING,
            source=JpEntry.Source.EXTERNAL,
            employee__superior__user=user,
        )
        .select_related("employee")
        .order_by("created_at")
    )


def unit_record_rows(*, unit: OrgUnit, year: int) -> QuerySet[JpEntry]:
    return (
        JpEntry.objects.filter(employee__unit=unit, year=year, status=JpEntry.Status.APPROVED)
        .select_related("employee")
        .order_by("employee__full_name", "start_on", "pk")
    )
