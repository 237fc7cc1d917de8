"""Quizzes are graded on the server, by weight; limits and tampering are refused cleanly."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from learning import services
from learning.models import QuizAttempt
from tests.learning.conftest import build_course
from tests.learning.factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_score_is_the_weight_of_right_answers_over_all_weights(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    # weights 1, 2, 3: the first wrong, the others right → 5/6
    graded = services.quiz_submit(attempt=attempt, answers=kit.answers(False, True, True))
    assert graded.score == Decimal("83.33")
    assert graded.passed is True


def test_a_heavy_question_wrong_fails_the_quiz(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    graded = services.quiz_submit(attempt=attempt, answers=kit.answers(True, True, False))
    assert graded.score == Decimal("50.00")
    assert graded.passed is False


def test_a_multiple_choice_question_counts_only_when_exactly_right(kit, enrolment):
    multiple = kit.questions[2]
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    answers = kit.answers(True, True, True)
    answers[str(multiple.pk)] = kit.right(multiple)[:1]  # one of the two right choices
    graded = services.quiz_submit(attempt=attempt, answers=answers)
    assert graded.score == Decimal("50.00")


def test_unanswered_questions_score_nothing(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    graded = services.quiz_submit(attempt=attempt, answers={})
    assert graded.score == Decimal("0.00")
    assert graded.passed is False


def test_the_attempt_limit_refuses_another_start(kit, enrolment):
    kit.quiz.max_attempts = 2
    kit.quiz.save()
    for _ in range(2):
        attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
        services.quiz_submit(attempt=attempt, answers=kit.answers(False, False, False))
    with pytest.raises(services.QuizError, match="Batas 2 kali percobaan"):
        services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    assert QuizAttempt.objects.filter(enrolment=enrolment).count() == 2


def test_a_submitted_attempt_cannot_be_submitted_again(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    services.quiz_submit(attempt=attempt, answers=kit.answers(False, False, False))
    with pytest.raises(services.QuizError, match="sudah dikirim"):
        services.quiz_submit(attempt=attempt, answers=kit.answers(True, True, True))
    attempt.refresh_from_db()
    assert attempt.passed is False


def test_starting_while_an_attempt_is_open_returns_that_attempt(kit, enrolment):
    first = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    assert services.quiz_start(enrolment=enrolment, quiz=kit.quiz).pk == first.pk


def test_a_passed_quiz_cannot_be_started_again(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    services.quiz_submit(attempt=attempt, answers=kit.answers(True, True, True))
    with pytest.raises(services.QuizError, match="sudah lulus"):
        services.quiz_start(enrolment=enrolment, quiz=kit.quiz)


def test_an_answer_to_a_question_not_drawn_is_refused_and_nothing_is_written(kit, enrolment):
    kit.quiz.pool_size = 2
    kit.quiz.save()
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    not_drawn = next(q for q in kit.questions if q.pk not in attempt.question_ids)
    answers = {str(not_drawn.pk): kit.right(not_drawn)}
    with pytest.raises(services.QuizError, match="tidak ada pada percobaan ini"):
        services.quiz_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.score is None


def test_a_choice_of_another_question_is_refused(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    first, second = kit.questions[0], kit.questions[1]
    with pytest.raises(services.QuizError, match="tidak ada pada soal ini"):
        services.quiz_submit(attempt=attempt, answers={str(first.pk): kit.right(second)})


def test_garbage_ids_are_refused(kit, enrolment):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    with pytest.raises(services.QuizError, match="tidak sah"):
        services.quiz_submit(attempt=attempt, answers={"1 OR 1=1": ["x"]})


def test_two_answers_to_a_single_choice_question_are_refused(kit, enrolment):
    question = kit.questions[0]
    ChoiceFactory(question=question, text="Benar lain", is_correct=False)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    every_choice = [str(c.pk) for c in question.choices.all()]
    with pytest.raises(services.QuizError, match="satu pilihan"):
        services.quiz_submit(attempt=attempt, answers={str(question.pk): every_choice})


def test_a_submission_after_the_time_limit_is_refused_and_the_attempt_closed(kit, enrolment):
    kit.quiz.time_limit_minutes = 10
    kit.quiz.save()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    with (
        time_machine.travel(datetime.datetime(2026, 3, 2, 9, 12, tzinfo=datetime.UTC), tick=False),
        pytest.raises(services.QuizError, match="Waktu pengerjaan kuis sudah habis"),
    ):
        services.quiz_submit(attempt=attempt, answers=kit.answers(True, True, True))
    attempt.refresh_from_db()
    assert attempt.expired and attempt.passed is False and attempt.score == 0


def test_a_submission_just_inside_the_time_limit_is_graded(kit, enrolment):
    kit.quiz.time_limit_minutes = 10
    kit.quiz.save()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 10, tzinfo=datetime.UTC), tick=False):
        graded = services.quiz_submit(attempt=attempt, answers=kit.answers(True, True, True))
    assert graded.passed


def test_the_pool_draws_n_distinct_questions_from_the_quiz(kit, enrolment):
    for _ in range(5):
        question = QuestionFactory(quiz=kit.quiz)
        ChoiceFactory(question=question, is_correct=True)
    kit.quiz.pool_size = 4
    kit.quiz.shuffle = True
    kit.quiz.save()
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    pool = set(kit.quiz.questions.values_list("pk", flat=True))
    assert len(attempt.question_ids) == 4
    assert len(set(attempt.question_ids)) == 4
    assert set(attempt.question_ids) <= pool


def test_graded_only_on_the_drawn_questions(kit, enrolment):
    kit.quiz.pool_size = 1
    kit.quiz.save()
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    drawn = kit.quiz.questions.get(pk=attempt.question_ids[0])
    graded = services.quiz_submit(attempt=attempt, answers={str(drawn.pk): kit.right(drawn)})
    assert graded.score == Decimal("100.00")


def test_a_quiz_of_another_course_cannot_be_started(kit, enrolment):
    other = build_course(slug="lain")
    with pytest.raises(services.QuizError):
        services.quiz_start(enrolment=enrolment, quiz=other.quiz)
