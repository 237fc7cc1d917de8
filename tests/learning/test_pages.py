"""The learning pages: who sees what, the answer key never in the quiz, bounded query counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from learning import services
from learning.models import Choice
from tests.factories import CitizenProfileFactory
from tests.learning.conftest import build_course, finish_lessons, pass_quiz
from tests.learning.factories import CourseFactory, EmployeeFactory
from tests.portal.test_pages import _inline_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(db):
    return CitizenProfileFactory().user


# --- catalogue ---------------------------------------------------------------------------


def test_visitors_and_citizens_see_only_public_courses(client, citizen):
    CourseFactory(title="Literasi Digital", audience="public")
    CourseFactory(title="Kebijakan ASN", audience="asn")
    CourseFactory(title="Untuk Pimpinan", audience="leaders")
    CourseFactory(title="Draf", audience="public", published=False)
    for user in (None, citizen):
        if user:
            client.force_login(user)
        text = client.get(reverse("learning:index")).text
        assert "Literasi Digital" in text
        assert "Kebijakan ASN" not in text and "Untuk Pimpinan" not in text and "Draf" not in text


def test_an_employee_sees_asn_courses_and_a_leader_also_leaders_courses(client, office):
    CourseFactory(title="Kebijakan ASN", audience="asn")
    CourseFactory(title="Untuk Pimpinan", audience="leaders")
    client.force_login(office.staff_a[0].user)
    text = client.get(reverse("learning:index")).text
    assert "Kebijakan ASN" in text and "Untuk Pimpinan" not in text
    client.force_login(office.leader_a.user)
    assert "Untuk Pimpinan" in client.get(reverse("learning:index")).text


def test_a_course_outside_ones_audience_is_a_404(client, citizen):
    course = CourseFactory(audience="asn")
    client.force_login(citizen)
    assert client.get(reverse("learning:course", args=[course.slug])).status_code == 404


def test_the_catalogue_searches_and_filters_with_a_plain_get_form(client):
    CourseFactory(title="Literasi Digital", audience="public", competency_area="digital")
    CourseFactory(title="Bahaya Hoaks", audience="public", competency_area="sociocultural")
    text = client.get(reverse("learning:index"), {"q": "hoaks"}).text
    assert "Bahaya Hoaks" in text and "Literasi Digital" not in text
    text = client.get(reverse("learning:index"), {"bidang": "digital"}).text
    assert "Literasi Digital" in text and "Bahaya Hoaks" not in text
    # A bad filter value is ignored, not a 500.
    assert client.get(reverse("learning:index"), {"bidang": "<x>"}).status_code == 200


def test_htmx_gets_only_the_results(client):
    CourseFactory(title="Literasi Digital", audience="public")
    response = client.get(
        reverse("learning:index"), {"q": "literasi"}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<section id="hasil"')
    assert "<html" not in response.text


def test_the_catalogue_query_count_does_not_grow_with_courses(
    client, office, django_assert_max_num_queries
):
    client.force_login(office.staff_a[0].user)
    for _ in range(3):
        build_course()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("learning:index"))
    for _ in range(9):
        build_course()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("learning:index"))


# --- course, lesson, quiz ------------------------------------------------------------------


def test_the_learner_completes_a_lesson_with_htmx_and_sees_progress_at_once(client, kit, enrolment):
    client.force_login(enrolment.user)
    lesson = kit.lessons[0]
    page = client.get(reverse("learning:lesson", args=[kit.course.slug, lesson.pk]))
    assert "Tandai selesai" in page.text
    response = client.post(
        reverse("learning:lesson_complete", args=[kit.course.slug, lesson.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="kemajuan"')
    assert "Materi ini sudah selesai" in response.text
    assert "1 dari 3 bagian wajib selesai" in response.text


def test_without_javascript_completing_a_lesson_moves_to_the_next(client, kit, enrolment):
    client.force_login(enrolment.user)
    response = client.post(
        reverse("learning:lesson_complete", args=[kit.course.slug, kit.lessons[0].pk])
    )
    assert response.url == reverse("learning:lesson", args=[kit.course.slug, kit.lessons[1].pk])


def test_the_course_page_resumes_where_the_learner_left_off(client, kit, enrolment):
    client.force_login(enrolment.user)
    client.get(reverse("learning:lesson", args=[kit.course.slug, kit.lessons[1].pk]))
    page = client.get(reverse("learning:course", args=[kit.course.slug]))
    resume = reverse("learning:lesson", args=[kit.course.slug, kit.lessons[1].pk])
    assert re.search(rf'href="{resume}">\s*Lanjutkan belajar', page.text)


def test_a_lesson_needs_an_enrolment(client, kit, office):
    client.force_login(office.staff_a[1].user)
    response = client.get(reverse("learning:lesson", args=[kit.course.slug, kit.lessons[0].pk]))
    assert response.url == reverse("learning:course", args=[kit.course.slug])


def test_the_answer_key_is_not_in_the_quiz_html(client, kit, enrolment):
    client.force_login(enrolment.user)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    url = reverse("learning:attempt", args=[attempt.pk])
    before = client.get(url).text
    # Flip every answer: if the page depended on the key in any way, it would change.
    for choice in Choice.objects.filter(question__quiz=kit.quiz):
        choice.is_correct = not choice.is_correct
        choice.save()
    after = client.get(url).text
    # Per-request tokens aside (CSRF, CSP nonce), the two pages are byte for byte the same.
    tokens = re.compile(r'(csrfmiddlewaretoken" value=|nonce=|X-CSRFToken": )"[^"]+"')
    assert tokens.sub("", before) == tokens.sub("", after)
    assert "is_correct" not in before and "correct" not in before.lower()


def test_the_quiz_is_taken_through_the_pages(client, kit, enrolment):
    finish_lessons(enrolment, kit.required_lessons)
    client.force_login(enrolment.user)
    start = client.post(reverse("learning:quiz", args=[kit.course.slug, kit.quiz.pk]))
    attempt_url = start.url
    answers = {f"soal-{pk}": values for pk, values in kit.answers(True, True, True).items()}
    result = client.post(attempt_url, answers, follow=True)
    assert "Lulus" in result.text
    assert "Selamat, kursus ini selesai!" in result.text
    assert "Sertifikat sedang diterbitkan" in result.text


def test_a_tampered_quiz_submission_is_refused_with_a_message(client, kit, enrolment):
    client.force_login(enrolment.user)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    response = client.post(reverse("learning:attempt", args=[attempt.pk]), {"soal-999999": ["1"]})
    assert response.status_code == 400
    assert "tidak ada pada percobaan ini" in response.text


def test_a_submission_after_the_attempt_was_sent_goes_to_the_result(client, kit, enrolment):
    client.force_login(enrolment.user)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    services.quiz_submit(attempt=attempt, answers={})
    response = client.post(reverse("learning:attempt", args=[attempt.pk]), {})
    assert response.url == reverse("learning:attempt_result", args=[attempt.pk])


def test_a_learner_cannot_see_anothers_attempt_or_result(client, kit, enrolment, office):
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    services.quiz_submit(attempt=attempt, answers=kit.answers(True, False, True))
    client.force_login(office.staff_a[1].user)
    assert client.get(reverse("learning:attempt", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("learning:attempt_result", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("learning:attempt", args=[attempt.pk]), {}).status_code == 404


def test_the_result_shows_the_key_only_when_no_attempt_is_left(client, kit, enrolment):
    client.force_login(enrolment.user)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    services.quiz_submit(attempt=attempt, answers=kit.answers(False, False, False))
    page = client.get(reverse("learning:attempt_result", args=[attempt.pk])).text
    assert "Belum lulus" in page and "kunci</strong>" not in page
    kit.quiz.max_attempts = 1
    kit.quiz.save()
    page = client.get(reverse("learning:attempt_result", args=[attempt.pk])).text
    assert "kunci</strong>" in page


# --- my learning, leader ------------------------------------------------------------------


def test_my_learning_lists_progress_and_certificates(client, kit, enrolment):
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)
    other = build_course(title="Kursus Kedua")
    second = services.enrolment_create(user=enrolment.user, course=other.course)
    finish_lessons(second, other.required_lessons[:1])
    client.force_login(enrolment.user)
    text = client.get(reverse("learning:mine")).text
    assert "Kursus Kedua" in text and "1 dari 3 bagian wajib selesai" in text
    assert "Pengelolaan Data Dasar" in text and "Sertifikat sedang diterbitkan" in text
    assert "6 dari target 20 JP" in text


def test_my_learning_query_count_does_not_grow_with_enrolments(
    client, learner, django_assert_max_num_queries
):
    client.force_login(learner.user)
    for _ in range(2):
        services.enrolment_create(user=learner.user, course=build_course().course)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("learning:mine"))
    for _ in range(6):
        services.enrolment_create(user=learner.user, course=build_course().course)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("learning:mine"))


def test_a_leader_sees_only_their_own_unit(client, office):
    client.force_login(office.leader_a.user)
    text = client.get(reverse("learning:leader")).text
    assert "Staf A0" in text and "Staf B0" not in text
    own = reverse("learning:leader_employee", args=[office.staff_a[0].pk])
    other = reverse("learning:leader_employee", args=[office.staff_b[0].pk])
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


def test_staff_who_lead_no_one_get_a_404_on_the_unit_page(client, office):
    client.force_login(office.staff_a[0].user)
    assert client.get(reverse("learning:leader")).status_code == 404
    assert client.get(reverse("learning:leader_export")).status_code == 404


def test_the_leader_page_query_count_does_not_grow_with_the_unit(
    client, office, django_assert_max_num_queries
):
    client.force_login(office.leader_a.user)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("learning:leader"))
    for _ in range(8):
        EmployeeFactory(unit=office.unit_a, superior=office.leader_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("learning:leader"))


def test_the_jp_wallet_is_for_employees_only(client, citizen, learner):
    client.force_login(citizen)
    assert client.get(reverse("learning:jp_wallet")).status_code == 404
    client.force_login(learner.user)
    assert client.get(reverse("learning:jp_wallet")).status_code == 200


PAGES = ["index", "course", "lesson", "quiz", "attempt", "mine", "jp_wallet", "jp_add", "leader"]


def test_the_pages_carry_no_inline_script_or_style(client, kit, office):
    enrolment = services.enrolment_create(user=office.leader_a.user, course=kit.course)
    attempt = services.quiz_start(enrolment=enrolment, quiz=kit.quiz)
    client.force_login(office.leader_a.user)
    slug = kit.course.slug
    urls = [
        reverse("learning:index"),
        reverse("learning:course", args=[slug]),
        reverse("learning:lesson", args=[slug, kit.lessons[0].pk]),
        reverse("learning:quiz", args=[slug, kit.quiz.pk]),
        reverse("learning:attempt", args=[attempt.pk]),
        reverse("learning:mine"),
        reverse("learning:jp_wallet"),
        reverse("learning:jp_add"),
        reverse("learning:leader"),
        reverse("portal:dashboard"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _inline_code(response.text).problems == [], url


@pytest.mark.parametrize(
    "model", ["course", "module", "quiz", "question", "assignment", "enrolment", "jpentry"]
)
def test_the_authoring_admin_pages_open(client, admin_user, kit, enrolment, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:learning_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:learning_{model}_add")).status_code == 200


def test_the_course_admin_edits_modules_inline_and_links_to_their_lessons(client, admin_user, kit):
    client.force_login(admin_user)
    page = client.get(reverse("admin:learning_course_change", args=[kit.course.pk])).text
    module = kit.lessons[0].module
    assert reverse("admin:learning_module_change", args=[module.pk]) in page
    module_page = client.get(reverse("admin:learning_module_change", args=[module.pk])).text
    assert "Pengantar" in module_page
    quiz_page = client.get(reverse("admin:learning_quiz_change", args=[kit.quiz.pk])).text
    assert reverse("admin:learning_question_change", args=[kit.questions[0].pk]) in quiz_page


def test_course_and_lesson_pages_cost_the_same_queries_for_a_bigger_course(
    client, kit, enrolment, django_assert_max_num_queries
):
    from tests.learning.factories import LessonFactory, ModuleFactory

    client.force_login(enrolment.user)
    course_url = reverse("learning:course", args=[kit.course.slug])
    lesson_url = reverse("learning:lesson", args=[kit.course.slug, kit.lessons[0].pk])
    client.get(lesson_url)  # the resume point is stored once
    with django_assert_max_num_queries(20) as course_queries:
        client.get(course_url)
    with django_assert_max_num_queries(20) as lesson_queries:
        client.get(lesson_url)
    for order in range(3, 8):
        module = ModuleFactory(course=kit.course, order=order)
        LessonFactory.create_batch(4, module=module)
    with django_assert_max_num_queries(len(course_queries.captured_queries)):
        client.get(course_url)
    with django_assert_max_num_queries(len(lesson_queries.captured_queries)):
        client.get(lesson_url)
