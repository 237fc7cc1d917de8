"""Assignments enrol units, roles and people once, with a due date; reminders go via notify()."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from learning import notices, services
from learning.models import Enrolment
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 6, 30)


def test_an_assignment_to_a_unit_enrols_its_employees_once(kit, office):
    assignment = services.assignment_create(
        course=kit.course, due_on=DUE, created_by=None, units=[office.unit_a]
    )
    enrolled = set(Enrolment.objects.values_list("user_id", flat=True))
    assert enrolled == {office.leader_a.user_id, *(e.user_id for e in office.staff_a)}
    assert set(Enrolment.objects.values_list("source", "due_on")) == {("assigned", DUE)}

    assert services.assignment_apply(assignment=assignment) == 0
    assert Enrolment.objects.count() == 3


def test_applying_again_enrols_newcomers_only(kit, office):
    assignment = services.assignment_create(
        course=kit.course, due_on=DUE, created_by=None, units=[office.unit_a]
    )
    EmployeeFactory(unit=office.unit_a)
    assert services.assignment_apply(assignment=assignment) == 1
    assert Enrolment.objects.count() == 4


def test_an_assignment_to_a_role_and_a_person(kit, office):
    atasan = Group.objects.get(name="atasan")
    services.assignment_create(
        course=kit.course,
        due_on=DUE,
        created_by=None,
        roles=[atasan],
        people=[office.staff_b[0].user],
    )
    assert set(Enrolment.objects.values_list("user_id", flat=True)) == {
        office.leader_a.user_id,
        office.leader_b.user_id,
        office.staff_b[0].user_id,
    }


def test_an_assignment_turns_a_self_enrolment_into_an_assigned_one(kit, enrolment, learner):
    services.assignment_create(
        course=kit.course, due_on=DUE, created_by=None, people=[learner.user]
    )
    enrolment.refresh_from_db()
    assert (enrolment.source, enrolment.due_on) == ("assigned", DUE)
    assert Enrolment.objects.filter(user=learner.user).count() == 1


def test_due_reminders_go_through_notify_once_per_day_mark(kit, office, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "notifications.services.notify", lambda **kwargs: calls.append(kwargs) or []
    )
    services.assignment_create(
        course=kit.course, due_on=DUE, created_by=None, people=[office.staff_a[0].user]
    )
    assert notices.due_reminders_send(today=DUE - datetime.timedelta(days=7)) == 1
    assert notices.due_reminders_send(today=DUE - datetime.timedelta(days=5)) == 0
    (call,) = calls
    assert call["template_key"] == "learning.course_due"
    assert call["category"] == "services"
    assert call["context"]["days_left"] == 7
    assert call["idempotency_key"].startswith("learning.due:")


def test_a_missing_notice_template_skips_the_reminder_without_failing(kit, office):
    services.assignment_create(
        course=kit.course, due_on=DUE, created_by=None, people=[office.staff_a[0].user]
    )
    from notifications.models import TemplateKey

    TemplateKey.objects.filter(key=notices.DUE_TEMPLATE_KEY).delete()
    assert notices.due_reminders_send(today=DUE - datetime.timedelta(days=1)) == 0


def test_the_daily_task_sends_the_reminders_and_retries_pending_certificates(
    kit, office, monkeypatch
):
    from django.utils import timezone

    from learning import tasks

    calls = []
    monkeypatch.setattr(
        "notifications.services.notify", lambda **kwargs: calls.append(kwargs) or []
    )
    services.assignment_create(
        course=kit.course,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        created_by=None,
        people=[office.staff_a[0].user],
    )
    assert tasks.due_reminders.delay().get() == 1
    assert tasks.certificates_retry.delay().get() == 0  # e-Surat stand-in: none issued
    assert len(calls) == 1
