"""An employee takes a course on a phone-sized screen: lessons, progress, quiz, and verifies
the certificate issued as an e-Surat letter."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from learning import certificates
from learning.models import Certificate, Enrolment
from portal.celery import app as celery_app
from tests.factories import UserFactory
from tests.learning.conftest import build_course
from tests.learning.factories import EmployeeFactory
from tests.learning.test_certificate_esurat import _adapter as esurat_adapter
from tests.letters.conftest import _letter_settings, letter_keys  # noqa: F401 - fixtures
from tests.letters.factories import (
    ClassificationFactory,
    IssuingUnitFactory,
    SigningOfficialFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _signed_in(page: Page, base: str, user) -> None:
    # Staff sign in with a password and TOTP; the login journey is tested elsewhere,
    # so this test starts from a signed-in session.
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


@pytest.fixture
def e_surat(monkeypatch):
    """e-Surat reference data and, until notifications re-exports it, its letter_issue."""
    from notifications import services as notification_services

    unit = IssuingUnitFactory(code="BKPSDM")
    ClassificationFactory(code="800.2.3", title="Sertifikat pelatihan")
    SigningOfficialFactory(unit=unit)
    UserFactory(email="admin@example.go.id", is_superuser=True, is_staff=True)
    if not hasattr(notification_services, "letter_issue"):
        monkeypatch.setattr(certificates, "_letter_issuer", lambda: esurat_adapter)


def test_an_employee_takes_a_course_passes_the_quiz_and_verifies_the_certificate(
    live_server, page, console_log, eager_celery, e_surat
):
    kit = build_course(slug="data-dasar", title="Pengelolaan Data Dasar")
    employee = EmployeeFactory(full_name="Siti Rahayu")
    _signed_in(page, live_server.url, employee.user)
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + "/belajar/")
    page.get_by_label("Cari kursus").fill("data")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Pengelolaan Data Dasar").click()
    page.get_by_role("button", name="Daftar kursus ini").click()
    expect(page.get_by_text("Anda terdaftar di kursus ini")).to_be_visible()

    page.get_by_role("link", name="Mulai belajar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pengantar")
    page.get_by_role("button", name="Tandai selesai").click()
    # htmx swaps the progress part in place: no reload, the tick shows at once.
    expect(page.get_by_text("Materi ini sudah selesai.")).to_be_visible()
    expect(page.get_by_text("1 dari 3 bagian wajib selesai")).to_be_visible()

    page.get_by_role("link", name="Inti").click()
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_text("2 dari 3 bagian wajib selesai")).to_be_visible()

    page.goto(live_server.url + f"/belajar/kursus/{kit.course.slug}/kuis/{kit.quiz.pk}/")
    page.get_by_role("button", name="Mulai kuis").click()
    for question in kit.questions:
        for choice in question.choices.filter(is_correct=True):
            page.locator(f"#pilihan-{choice.pk}").check()
    page.get_by_role("button", name="Kirim jawaban").click()

    expect(page.get_by_role("heading", name="Lulus")).to_be_visible()
    expect(page.get_by_text("Selamat, kursus ini selesai!")).to_be_visible()
    enrolment = Enrolment.objects.get(user=employee.user)
    assert enrolment.is_completed
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == Certificate.Status.ISSUED

    # The certificate is listed on the learner's page; its link opens the public
    # verification of the e-Surat letter.
    page.goto(live_server.url + "/belajar/saya/")
    expect(page.get_by_role("heading", name="Pengelolaan Data Dasar")).to_be_visible()
    expect(page.get_by_text("6 dari target 20 JP")).to_be_visible()
    expect(page.get_by_text(certificate.letter_number)).to_be_visible()
    page.get_by_role("link", name="Verifikasi sertifikat").click()
    expect(page.get_by_text(certificate.letter_number).first).to_be_visible()
    expect(page.get_by_role("heading", name="Surat terdaftar dan berlaku")).to_be_visible()
    assert console_log.csp_violations() == []
