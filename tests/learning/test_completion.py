"""A course is completed once: every required lesson done and every required quiz passed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from learning import certificates, services
from learning.models import Certificate, Enrolment, JpEntry, LessonCompletion
from portal.models import Activity
from tests.factories import CitizenProfileFactory
from tests.learning.conftest import build_course, finish_lessons, pass_quiz

pytestmark = pytest.mark.django_db


def test_course_is_not_completed_until_the_quiz_is_passed(kit, enrolment):
    finish_lessons(enrolment, kit.required_lessons)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.IN_PROGRESS
    assert enrolment.completed_at is None

    pass_quiz(kit, enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None


def test_course_is_not_completed_while_a_required_lesson_is_missing(kit, enrolment):
    finish_lessons(enrolment, kit.required_lessons[:1])
    pass_quiz(kit, enrolment)
    enrolment.refresh_from_db()
    assert not enrolment.is_completed


def test_the_optional_lesson_is_not_needed_to_complete(kit, enrolment):
    assert not kit.lessons[2].required
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    enrolment.refresh_from_db()
    assert enrolment.is_completed


def test_a_failed_quiz_does_not_complete_the_course(kit, enrolment):
    finish_lessons(enrolment, kit.required_lessons)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    services.quiz_submit(attempt=attempt, answers=kit.answers(True, False, False))
    enrolment.refresh_from_db()
    assert not enrolment.is_completed


def test_reopening_a_lesson_never_counts_twice(kit, enrolment):
    lesson = kit.lessons[0]
    first = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    again = services.lesson_complete(enrolment=enrolment, lesson=lesson)
    assert first[1] is True and again[1] is False
    assert LessonCompletion.objects.filter(enrolment=enrolment, lesson=lesson).count() == 1
    assert Activity.objects.filter(verb="lesson.completed", actor=enrolment.user).count() == 1


def test_a_lesson_of_another_course_is_refused(kit, enrolment):
    other = build_course(slug="lain")
    with pytest.raises(services.LearningError):
        services.lesson_complete(enrolment=enrolment, lesson=other.lessons[0])


def test_every_completion_records_an_activity(kit, enrolment):
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    verbs = list(
        Activity.objects.filter(actor=enrolment.user).order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == [
        "course.enrolled",
        "lesson.completed",
        "lesson.completed",
        "quiz.submitted",
        "quiz.passed",
        "course.completed",
    ]


def test_completion_writes_one_jp_entry_for_the_employee(kit, enrolment, learner):
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    entry = JpEntry.objects.get(employee=learner)
    assert (entry.source, entry.status, entry.jp, entry.enrolment_id) == (
        "course",
        "approved",
        kit.course.jp,
        enrolment.pk,
    )
    # Recording the completion again changes nothing.
    assert services.enrolment_completion_check(enrolment=enrolment) is False
    assert JpEntry.objects.filter(employee=learner).count() == 1


def test_a_citizen_completes_without_a_jp_entry(kit):
    kit.course.audience = "public"
    kit.course.save()
    citizen = CitizenProfileFactory().user
    enrolment = services.enrolment_create(user=citizen, course=kit.course)
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    enrolment.refresh_from_db()
    assert enrolment.is_completed
    assert not JpEntry.objects.exists()
    assert Certificate.objects.filter(enrolment=enrolment).exists()


def test_certificate_stays_pending_while_e_surat_is_not_wired(kit, enrolment, monkeypatch):
    monkeypatch.setattr(certificates, "_letter_issuer", lambda: None)
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == Certificate.Status.PENDING
    assert certificate.letter_number == ""


def test_certificate_is_issued_once_through_letter_issue(
    kit, enrolment, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def fake_letter_issue(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(
            number="800.1.11.1/0001/BKPSDM/2026",
            public_id="abc123",
            verify_url="/verifikasi/abc123/",
        )

    monkeypatch.setattr(certificates, "_letter_issuer", lambda: fake_letter_issue)
    finish_lessons(enrolment, kit.required_lessons)
    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(kit, enrolment)
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == Certificate.Status.ISSUED
    assert certificate.letter_number == "800.1.11.1/0001/BKPSDM/2026"
    assert calls[0]["kind"] == "certificate"
    assert calls[0]["recipient"] == enrolment.user
    assert calls[0]["context"]["course_title"] == kit.course.title
    assert calls[0]["issued_by"] == admin_user
    assert certificate.verify_url == "/verifikasi/abc123/"

    certificates.certificate_issue(enrolment)
    assert certificates.certificates_pending_issue() == 0
    assert len(calls) == 1


def test_pending_certificates_are_issued_when_e_surat_arrives(
    kit, enrolment, admin_user, monkeypatch
):
    monkeypatch.setattr(certificates, "_letter_issuer", lambda: None)
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    monkeypatch.setattr(
        certificates,
        "_letter_issuer",
        lambda: lambda **kwargs: SimpleNamespace(number="800/0002/X/2026", public_id="p2"),
    )
    assert certificates.certificates_pending_issue() == 1
    assert Certificate.objects.get(enrolment=enrolment).letter_number == "800/0002/X/2026"
