"""Certificates issued as real e-Surat letters: numbered, signed, publicly verifiable.

learning reaches e-Surat only through `notifications.services.letter_issue`, with the
unit and classification as codes. Until notifications re-exports it, `_adapter`
stands in for that re-export (resolving the codes as it will), so the certificate's
kwargs and body template are checked against the real letter machinery today.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from learning import certificates
from learning.models import Certificate
from notifications.letters import services as letter_services
from notifications.letters.models import Classification, IssuingUnit, Letter, SigningOfficial
from tests.learning.conftest import finish_lessons, pass_quiz
from tests.letters.conftest import _letter_settings, letter_keys  # noqa: F401 - fixtures
from tests.letters.factories import (
    ClassificationFactory,
    IssuingUnitFactory,
    SigningOfficialFactory,
)

pytestmark = pytest.mark.django_db


def _adapter(*, unit_code: str, classification_code: str, **kwargs) -> Letter:
    unit = IssuingUnit.objects.get(code=unit_code)
    return letter_services.letter_issue(
        unit=unit,
        classification=Classification.objects.get(code=classification_code),
        official=SigningOfficial.objects.filter(unit=unit, active=True).order_by("pk").first(),
        **kwargs,
    )


@pytest.fixture
def e_surat(db):
    unit = IssuingUnitFactory(code="BKPSDM")
    ClassificationFactory(code="800.2.3", title="Sertifikat pelatihan")
    SigningOfficialFactory(unit=unit)


def test_a_completed_course_gets_a_verifiable_e_surat_certificate(
    client,
    kit,
    enrolment,
    learner,
    admin_user,
    e_surat,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(certificates, "_letter_issuer", lambda: _adapter)
    finish_lessons(enrolment, kit.required_lessons)
    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(kit, enrolment)

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.status == Certificate.Status.ISSUED
    letter = Letter.objects.get(number=certificate.letter_number)
    assert letter.kind == "certificate"
    assert letter.recipient == learner.user
    assert letter.recipient_name == learner.full_name
    assert kit.course.title in letter.body and "6 jam pelajaran" in letter.body
    assert certificate.letter_number.startswith("800.2.3/0001/BKPSDM/")
    assert certificate.verify_url == reverse("letters:verify_letter", args=[letter.public_id])

    page = client.get(certificate.verify_url)
    assert page.status_code == 200
    assert certificate.letter_number in page.text

    # Recording the completion again issues nothing more.
    certificates.certificate_issue(enrolment)
    assert Letter.objects.filter(kind="certificate").count() == 1


@pytest.mark.skipif(
    not hasattr(__import__("notifications.services").services, "letter_issue"),
    reason="notifications.services does not re-export letter_issue yet",
)
def test_the_wired_letter_issue_takes_the_certificate_as_learning_sends_it(
    kit, enrolment, admin_user, e_surat, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.undo()  # drop the learning conftest's "no e-Surat" stand-in
    finish_lessons(enrolment, kit.required_lessons)
    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(kit, enrolment)
    assert Certificate.objects.get(enrolment=enrolment).status == Certificate.Status.ISSUED
