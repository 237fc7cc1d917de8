"""Fixtures of the learning tests: a course with lessons and a weighted quiz, employees
in two units with a leader each, and Celery running tasks in-process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from learning import services
from learning.models import Course, Enrolment, Lesson, Question, Quiz
from portal.celery import app as celery_app
from portal.models import Employee
from tests.learning.factories import (
    ChoiceFactory,
    CourseFactory,
    EmployeeFactory,
    LessonFactory,
    ModuleFactory,
    OrgUnitFactory,
    QuestionFactory,
    QuizFactory,
)


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """The certificate task runs in the test's process, after commit, as a worker would."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _no_e_surat(monkeypatch) -> None:
    """Certificates stay pending unless a test provides a letter issuer (the e-Surat seam)."""
    monkeypatch.setattr("learning.certificates._letter_issuer", lambda: None)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class CourseKit:
    course: Course
    lessons: list[Lesson]  # two required lessons, then an optional one
    quiz: Quiz
    questions: list[Question]  # weights 1, 2, 3; the last is multiple choice

    @property
    def required_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.required]

    def right(self, question: Question) -> list[str]:
        return [str(c.pk) for c in question.choices.filter(is_correct=True)]

    def wrong(self, question: Question) -> list[str]:
        return [str(question.choices.filter(is_correct=False).first().pk)]

    def answers(self, *correct: bool) -> dict[str, list[str]]:
        return {
            str(q.pk): self.right(q) if ok else self.wrong(q)
            for q, ok in zip(self.questions, correct, strict=True)
        }


def build_course(**course_fields) -> CourseKit:
    course = CourseFactory(**course_fields)
    first = ModuleFactory(course=course, order=1)
    second = ModuleFactory(course=course, order=2)
    lessons = [
        LessonFactory(module=first, order=1, title="Pengantar"),
        LessonFactory(module=first, order=2, title="Inti"),
        LessonFactory(module=second, order=1, title="Bacaan tambahan", required=False),
    ]
    quiz = QuizFactory(module=second)
    questions = []
    for weight, kind in ((1, "single"), (2, "single"), (3, "multiple")):
        question = QuestionFactory(quiz=quiz, weight=weight, kind=kind)
        ChoiceFactory(question=question, text="Benar", is_correct=True)
        ChoiceFactory(question=question, text="Salah", is_correct=False)
        if kind == "multiple":
            ChoiceFactory(question=question, text="Benar juga", is_correct=True)
        questions.append(question)
    return CourseKit(course=course, lessons=lessons, quiz=quiz, questions=questions)


@pytest.fixture
def kit(db) -> CourseKit:
    return build_course(slug="kursus-uji", title="Pengelolaan Data Dasar")


@dataclass
class Office:
    unit_a: object
    unit_b: object
    leader_a: Employee
    leader_b: Employee
    staff_a: list[Employee]
    staff_b: list[Employee]


@pytest.fixture
def office(db) -> Office:
    atasan = Group.objects.get_or_create(name="atasan")[0]
    unit_a = OrgUnitFactory(code="BKPSDM", name="BKPSDM")
    unit_b = OrgUnitFactory(code="DISKOMINFO", name="Diskominfo")
    leader_a = EmployeeFactory(unit=unit_a, full_name="Kepala BKPSDM", position="Kepala")
    leader_b = EmployeeFactory(unit=unit_b, full_name="Kepala Diskominfo", position="Kepala")
    leader_a.user.groups.add(atasan)
    leader_b.user.groups.add(atasan)
    staff_a = [
        EmployeeFactory(unit=unit_a, superior=leader_a, full_name=f"Staf A{i}") for i in range(2)
    ]
    staff_b = [EmployeeFactory(unit=unit_b, superior=leader_b, full_name="Staf B0")]
    return Office(unit_a, unit_b, leader_a, leader_b, staff_a, staff_b)


@pytest.fixture
def learner(office) -> Employee:
    return office.staff_a[0]


@pytest.fixture
def enrolment(kit, learner) -> Enrolment:
    return services.enrolment_create(user=learner.user, course=kit.course)


def finish_lessons(enrolment: Enrolment, lessons) -> None:
    for lesson in lessons:
        services.lesson_complete(enrolment=enrolment, lesson=lesson)


def pass_quiz(kit: CourseKit, enrolment: Enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    return services.quiz_submit(attempt=attempt, answers=kit.answers(True, True, True))
