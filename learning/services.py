"""Writes of the learning app: enrolment, progress, quizzes, completion and the JP wallet.

Every write that changes an enrolment's progress first locks the enrolment row
(SELECT … FOR UPDATE), so two requests recording the last lesson at once complete
the course, create its JP entry and its certificate exactly once.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from learning import conf, tasks
from learning.models import (
    Assignment,
    Certificate,
    Course,
    Enrolment,
    JpEntry,
    Lesson,
    LessonCompletion,
    Question,
    Quiz,
    QuizAttempt,
)
from portal.models import Employee, User
from portal.services import activity_record


class LearningError(Exception):
    """A learner's request that cannot be done; the message is for them (Indonesian)."""


class QuizError(LearningError):
    pass


# --- Enrolment ------------------------------------------------------------------------


@transaction.atomic
def enrolment_create(
    *,
    user: User,
    course: Course,
    source: str = Enrolment.Source.SELF,
    due_on: datetime.date | None = None,
    assignment: Assignment | None = None,
) -> Enrolment:
    """Enrol `user` (idempotent: an existing enrolment is returned, with a due date added)."""
    enrolment, created = Enrolment.objects.get_or_create(
        user=user,
        course=course,
        defaults={"source": source, "due_on": due_on, "assignment": assignment},
    )
    if created:
        activity_record(actor=user, verb="course.enrolled", target=course)
    elif due_on and not enrolment.is_completed and source == Enrolment.Source.ASSIGNED:
        # An assignment turns a self-enrolment into an assigned one with the earlier due date.
        enrolment.source = source
        enrolment.assignment = assignment
        enrolment.due_on = min(filter(None, [enrolment.due_on, due_on]))
        enrolment.save(update_fields=["source", "assignment", "due_on"])
    return enrolment


def assignment_recipients(*, assignment: Assignment) -> list[int]:
    """Ids of the active users an assignment reaches through its units, roles and people."""
    unit_ids = list(assignment.units.values_list("pk", flat=True))
    role_ids = list(assignment.roles.values_list("pk", flat=True))
    people = Q(pk__in=assignment.people.values("pk"))
    reach = people
    if unit_ids:
        reach |= Q(employee__unit_id__in=unit_ids, employee__is_active=True)
    if role_ids:
        reach |= Q(groups__in=role_ids)
    return list(User.objects.filter(reach, is_active=True).values_list("pk", flat=True).distinct())


@transaction.atomic
def assignment_apply(*, assignment: Assignment) -> int:
    """Create the enrolments of an assignment; running it again adds only the missing ones.

    Returns how many enrolments were created or changed.
    """
    changed = 0
    users = User.objects.filter(pk__in=assignment_recipients(assignment=assignment))
    existing = {
        enrolment.user_id: enrolment
        for enrolment in Enrolment.objects.select_for_update().filter(
            course=assignment.course, user__in=users
        )
    }
    for user in users.order_by("pk"):
        enrolment = existing.get(user.pk)
        if enrolment is not None and (
            enrolment.is_completed
            or (enrolment.assignment_id == assignment.pk and enrolment.due_on)
        ):
            continue
        enrolment_create(
            user=user,
            course=assignment.course,
            source=Enrolment.Source.ASSIGNED,
            due_on=assignment.due_on,
            assignment=assignment,
        )
        changed += 1
    assignment.applied_at = timezone.now()
    assignment.save(update_fields=["applied_at"])
    return changed


@transaction.atomic
def assignment_create(
    *,
    course: Course,
    due_on: datetime.date,
    created_by: User | None,
    units: Iterable = (),
    roles: Iterable[Group] = (),
    people: Iterable[User] = (),
    note: str = "",
) -> Assignment:
    assignment = Assignment.objects.create(
        course=course, due_on=due_on, created_by=created_by, note=note
    )
    assignment.units.set(units)
    assignment.roles.set(roles)
    assignment.people.set(people)
    assignment_apply(assignment=assignment)
    return assignment


# --- Progress -------------------------------------------------------------------------


def _locked(enrolment: Enrolment) -> Enrolment:
    # of=self: locking the course row too would queue every learner of the course.
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=enrolment.pk)
    )


@transaction.atomic
def enrolment_resume_point_set(*, enrolment: Enrolment, lesson: Lesson) -> None:
    """Remember the lesson the learner opened last (one UPDATE, no lock: last write wins)."""
    if enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson)
        enrolment.last_lesson = lesson


@transaction.atomic
def lesson_complete(*, enrolment: Enrolment, lesson: Lesson) -> tuple[LessonCompletion, bool]:
    """Record that the learner finished `lesson`; again is a no-op. Returns (row, created)."""
    if lesson.module.course_id != enrolment.course_id:
        raise LearningError(_("Materi ini bukan bagian dari kursus tersebut."))
    enrolment = _locked(enrolment)
    completion, created = LessonCompletion.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    if created:
        activity_record(
            actor=enrolment.user,
            verb="lesson.completed",
            target=lesson,
            data={"course": enrolment.course_id},
        )
        enrolment_completion_check(enrolment=enrolment)
    return completion, created


def _completion_met(enrolment: Enrolment) -> bool:
    required_lessons = set(
        Lesson.objects.filter(module__course_id=enrolment.course_id, required=True).values_list(
            "pk", flat=True
        )
    )
    done_lessons = set(
        LessonCompletion.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
    )
    if not required_lessons <= done_lessons:
        return False
    required_quizzes = set(
        Quiz.objects.filter(module__course_id=enrolment.course_id, required=True).values_list(
            "pk", flat=True
        )
    )
    passed_quizzes = set(
        QuizAttempt.objects.filter(enrolment=enrolment, passed=True).values_list(
            "quiz_id", flat=True
        )
    )
    return required_quizzes <= passed_quizzes and bool(required_lessons or required_quizzes)


@transaction.atomic
def enrolment_completion_check(*, enrolment: Enrolment) -> bool:
    """Mark the course completed when every required lesson is done and quiz passed.

    Happens once: the enrolment row is locked and its state checked under the lock.
    Completion writes the activity, the JP entry (for an employee) and a pending
    certificate, issued after commit. Returns True if this call completed the course.
    """
    enrolment = _locked(enrolment)
    if enrolment.is_completed or not _completion_met(enrolment):
        return False
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["status", "completed_at"])
    activity_record(
        actor=enrolment.user,
        verb="course.completed",
        target=enrolment.course,
        data={"jp": enrolment.course.jp},
    )
    _jp_entry_for_completion(enrolment)
    certificate = Certificate.objects.create(enrolment=enrolment)
    # robust: a failing certificate (e-Surat down) must never fail the learner's request;
    # the pending certificate is retried by the beat task.
    transaction.on_commit(
        lambda: tasks.certificate_issue.delay(certificate.enrolment_id), robust=True
    )
    return True


def _jp_entry_for_completion(enrolment: Enrolment) -> JpEntry | None:
    employee = Employee.objects.filter(user_id=enrolment.user_id).first()
    course = enrolment.course
    if employee is None or course.jp <= 0:
        return None
    day = timezone.localdate(enrolment.completed_at)
    return JpEntry.objects.create(
        employee=employee,
        year=day.year,
        source=JpEntry.Source.COURSE,
        kind=JpEntry.Kind.ELEARNING,
        enrolment=enrolment,
        provider=course.provider,
        subject=course.title,
        start_on=timezone.localdate(enrolment.enrolled_at),
        end_on=day,
        jp=course.jp,
        status=JpEntry.Status.APPROVED,
        decided_at=enrolment.completed_at,
    )


# --- Quizzes ----------------------------------------------------------------------------


def _attempt_expire(attempt: QuizAttempt, now: datetime.datetime) -> None:
    attempt.submitted_at = now
    attempt.expired = True
    attempt.score = Decimal("0")
    attempt.passed = False
    attempt.save(update_fields=["submitted_at", "expired", "score", "passed"])


def _deadline_passed(attempt: QuizAttempt, now: datetime.datetime) -> bool:
    if attempt.deadline_at is None:
        return False
    return now > attempt.deadline_at + datetime.timedelta(seconds=conf.time_limit_grace_seconds())


@transaction.atomic
def quiz_start(*, enrolment: Enrolment, quiz: Quiz) -> QuizAttempt:
    """Start an attempt (or return the one still open) with its questions drawn now."""
    if quiz.module.course_id != enrolment.course_id:
        raise QuizError(_("Kuis ini bukan bagian dari kursus tersebut."))
    enrolment = _locked(enrolment)
    now = timezone.now()
    attempts = list(QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz))
    for attempt in attempts:
        if attempt.is_open:
            if not _deadline_passed(attempt, now):
                return attempt
            _attempt_expire(attempt, now)
    if any(attempt.passed for attempt in attempts):
        raise QuizError(_("Anda sudah lulus kuis ini."))
    if quiz.max_attempts is not None and len(attempts) >= quiz.max_attempts:
        raise QuizError(
            _("Batas %(limit)s kali percobaan untuk kuis ini sudah habis.")
            % {"limit": quiz.max_attempts}
        )
    pool = list(quiz.questions.order_by("order", "pk").values_list("pk", flat=True))
    if not pool:
        raise QuizError(_("Kuis ini belum memiliki soal."))
    if quiz.shuffle:
        secrets.SystemRandom().shuffle(pool)
    drawn = pool[: quiz.pool_size] if quiz.pool_size else pool
    number = (max((attempt.number for attempt in attempts), default=0)) + 1
    deadline = (
        now + datetime.timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None
    )
    return QuizAttempt.objects.create(
        enrolment=enrolment,
        quiz=quiz,
        number=number,
        started_at=now,
        deadline_at=deadline,
        question_ids=drawn,
    )


def _parse_answers(
    attempt: QuizAttempt, submitted: Mapping[str, Iterable[str]]
) -> tuple[dict[int, set[int]], dict[int, Question]]:
    """Check the submitted answers belong to this attempt; refuse anything else."""
    drawn = [int(pk) for pk in attempt.question_ids]
    questions = {
        question.pk: question
        for question in Question.objects.filter(pk__in=drawn).prefetch_related("choices")
    }
    answers: dict[int, set[int]] = {pk: set() for pk in drawn}
    for key, values in submitted.items():
        try:
            question_id = int(key)
            choice_ids = {int(value) for value in values}
        except (TypeError, ValueError):
            raise QuizError(_("Jawaban yang dikirim tidak sah. Muat ulang halaman kuis.")) from None
        if question_id not in answers or question_id not in questions:
            raise QuizError(
                _(
                    "Jawaban untuk soal yang tidak ada pada percobaan ini ditolak. Muat ulang halaman kuis."
                )
            )
        question = questions[question_id]
        valid = {choice.pk for choice in question.choices.all()}
        if not choice_ids <= valid:
            raise QuizError(
                _("Pilihan jawaban yang tidak ada pada soal ini ditolak. Muat ulang halaman kuis.")
            )
        if question.kind == Question.Kind.SINGLE and len(choice_ids) > 1:
            raise QuizError(_("Soal pilihan tunggal hanya boleh dijawab dengan satu pilihan."))
        answers[question_id] = choice_ids
    return answers, questions


def _grade(answers: dict[int, set[int]], questions: dict[int, Question]) -> Decimal:
    """Score in percent: the weights of the questions answered exactly right, over all weights.

    A multiple-answer question counts only when the chosen set is exactly the correct set.
    """
    total = sum(question.weight for question in questions.values())
    earned = 0
    for question_id, chosen in answers.items():
        question = questions[question_id]
        correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
        if chosen and chosen == correct:
            earned += question.weight
    if total == 0:
        return Decimal("0")
    return (Decimal(earned) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def quiz_submit(*, attempt: QuizAttempt, answers: Mapping[str, Iterable[str]]) -> QuizAttempt:
    """Grade an attempt on the server. `answers` maps question id → chosen choice ids.

    Refused (QuizError, nothing written) when the attempt was already submitted,
    answers name questions or choices not drawn for it, or its time ran out — in
    which case it is closed as expired with a score of 0.
    """
    expired = False
    with transaction.atomic():
        # Lock order as in quiz_start and lesson_complete: the enrolment, then the attempt.
        _locked(attempt.enrolment)
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "enrolment")
            .get(pk=attempt.pk)
        )
        now = timezone.now()
        if not attempt.is_open:
            raise QuizError(_("Percobaan ini sudah dikirim; jawaban tidak dapat diubah."))
        if _deadline_passed(attempt, now):
            _attempt_expire(attempt, now)
            expired = True
        else:
            parsed, questions = _parse_answers(attempt, answers)
            attempt.answers = {str(pk): sorted(chosen) for pk, chosen in parsed.items()}
            attempt.score = _grade(parsed, questions)
            attempt.passed = attempt.score >= attempt.quiz.pass_mark
            attempt.submitted_at = now
            attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
            activity_record(
                actor=attempt.enrolment.user,
                verb="quiz.submitted",
                target=attempt.quiz,
                data={"score": str(attempt.score), "passed": attempt.passed},
            )
            if attempt.passed:
                activity_record(
                    actor=attempt.enrolment.user,
                    verb="quiz.passed",
                    target=attempt.quiz,
                    data={"score": str(attempt.score)},
                )
                enrolment_completion_check(enrolment=attempt.enrolment)
    if expired:
        raise QuizError(_("Waktu pengerjaan kuis sudah habis; jawaban tidak dapat diterima."))
    return attempt


# --- JP wallet -------------------------------------------------------------------------


@transaction.atomic
def jp_external_submit(
    *,
    employee: Employee,
    kind: str,
    provider: str,
    subject: str,
    start_on: datetime.date,
    end_on: datetime.date,
    jp: int,
    evidence,
) -> JpEntry:
    """An employee records training or coaching done elsewhere; their superior decides."""
    entry = JpEntry(
        employee=employee,
        year=end_on.year,
        source=JpEntry.Source.EXTERNAL,
        kind=kind,
        provider=provider,
        subject=subject,
        start_on=start_on,
        end_on=end_on,
        jp=jp,
        evidence=evidence,
    )
    entry.full_clean()
    entry.save()
    activity_record(actor=employee.user, verb="jp.submitted", target=entry, data={"jp": jp})
    return entry


def jp_entry_can_decide(*, entry: JpEntry, user: User) -> bool:
    superior = entry.employee.superior
    return user.is_superuser or (superior is not None and superior.user_id == user.pk)


@transaction.atomic
def jp_entry_decide(*, entry: JpEntry, decider: User, approve: bool, note: str = "") -> JpEntry:
    entry = (
        JpEntry.objects.select_for_update(of=("self",))
        .select_related("employee__superior")
        .get(pk=entry.pk)
    )
    if not jp_entry_can_decide(entry=entry, user=decider):
        raise PermissionError("Only the employee's direct superior decides their JP entries.")
    if entry.source != JpEntry.Source.EXTERNAL or entry.status != JpEntry.Status.PENDING:
        raise LearningError(_("Catatan JP ini sudah diputuskan."))
    if not approve and not note.strip():
        raise LearningError(_("Tuliskan alasan penolakan agar pegawai dapat memperbaikinya."))
    entry.status = JpEntry.Status.APPROVED if approve else JpEntry.Status.REJECTED
    entry.decided_by = decider
    entry.decided_at = timezone.now()
    entry.decision_note = note.strip()
    entry.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    activity_record(
        actor=decider,
        verb="jp.approved" if approve else "jp.rejected",
        target=entry,
        data={"employee": entry.employee_id, "jp": entry.jp},
    )
    return entry
