"""The final approval issues the surat izin cuti through e-Surat's letter_issue, when present."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from leave import services
from leave.models import LeaveRequest
from tests.leave.conftest import TODAY

pytestmark = pytest.mark.django_db


def _approve(cast):
    request = services.leave_request_submit(
        employee=cast.staff,
        leave_type="tahunan",
        start=datetime.date(2026, 7, 6),
        end=datetime.date(2026, 7, 7),
        reason="x",
        today=TODAY,
    )
    for actor, action in ((cast.head, "recommend"), (cast.pybmc, "approve")):
        services.leave_request_decide(
            leave_request_id=request.pk, actor=actor, action=action, today=TODAY
        )
    return LeaveRequest.objects.get(pk=request.pk)


def test_approval_issues_one_leave_decree_signed_by_the_pybmc(cast, monkeypatch):
    calls = []

    def letter_issue(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(number="800.1.11.1/0001/BKPSDM/2026")

    monkeypatch.setattr("notifications.services.letter_issue", letter_issue, raising=False)
    request = _approve(cast)
    assert len(calls) == 1
    call = calls[0]
    assert call["kind"] == "leave_decree" and call["classification_code"] == "800.1.11.1"
    assert call["official_user"] == cast.pybmc.user and call["recipient"] == cast.staff.user
    assert call["context"]["working_days"] == 2
    assert request.decree_reference == "800.1.11.1/0001/BKPSDM/2026"


def test_a_failing_decree_does_not_undo_the_approval(cast, monkeypatch):
    def letter_issue(**kwargs):
        raise ValueError("no signing official")

    monkeypatch.setattr("notifications.services.letter_issue", letter_issue, raising=False)
    request = _approve(cast)
    assert request.state == "approved" and request.decree_reference == ""


def test_without_e_surat_approval_works_and_no_decree_is_recorded(cast, monkeypatch):
    monkeypatch.delattr("notifications.services.letter_issue", raising=False)
    request = _approve(cast)
    assert request.state == "approved" and request.decree_reference == ""


def test_every_step_notifies_the_next_person_and_the_employee(cast, monkeypatch):
    sent = []

    def notify(*, recipients, template_key, context, category, idempotency_key, **kwargs):
        sent.append((template_key, sorted(user.email for user in recipients)))
        return []

    monkeypatch.setattr("notifications.services.notify", notify)
    _approve(cast)
    assert sent == [
        ("leave.submitted", [cast.head.user.email]),
        ("leave.decided", [cast.staff.user.email]),
        ("leave.recommended", [cast.pybmc.user.email]),
        ("leave.decided", [cast.staff.user.email]),
    ]
