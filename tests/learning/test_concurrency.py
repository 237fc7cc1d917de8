"""Two requests recording the last step at the same moment complete the course once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from learning import services
from learning.models import Certificate, Enrolment, JpEntry, LessonCompletion
from portal.models import Activity
from tests.learning.conftest import build_course, finish_lessons, pass_quiz
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(target, count: int = 2) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_course_completed_once_when_the_last_lesson_is_recorded_twice_concurrently():
    kit = build_course(slug="serentak")
    employee = EmployeeFactory()
    enrolment = services.enrolment_create(user=employee.user, course=kit.course)
    finish_lessons(enrolment, kit.required_lessons[:1])
    pass_quiz(kit, enrolment)
    last = kit.required_lessons[1]

    errors = _run_together(
        lambda: services.lesson_complete(
            enrolment=Enrolment.objects.get(pk=enrolment.pk), lesson=last
        )
    )

    assert errors == []
    enrolment.refresh_from_db()
    assert enrolment.is_completed
    assert LessonCompletion.objects.filter(enrolment=enrolment, lesson=last).count() == 1
    assert Activity.objects.filter(verb="course.completed", actor=employee.user).count() == 1
    assert JpEntry.objects.filter(enrolment=enrolment).count() == 1
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_two_concurrent_quiz_starts_make_one_attempt():
    kit = build_course(slug="mulai-serentak")
    employee = EmployeeFactory()
    enrolment = services.enrolment_create(user=employee.user, course=kit.course)
    attempts = []

    def start() -> None:
        attempts.append(
            services.quiz_start(enrolment=Enrolment.objects.get(pk=enrolment.pk), quiz=kit.quiz)
        )

    assert _run_together(start) == []
    assert len({attempt.pk for attempt in attempts}) == 1
