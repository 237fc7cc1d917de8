"""Navigation links, dashboard card and activity labels of the learning app."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.registry import DashboardCard, NavLink, register_card, register_nav, register_verb


def _learning_card(request: HttpRequest) -> dict | None:
    from django.utils import timezone

    from learning import selectors
    from portal.models import Employee

    enrolments = list(
        selectors.enrolments_for_user(user=request.user).filter(status="in_progress")[:3]
    )
    employee = Employee.objects.filter(user=request.user).first()
    summary = (
        selectors.jp_summary(employee=employee, year=timezone.localdate().year)
        if employee
        else None
    )
    return {"enrolments": enrolments, "jp": summary}


def register() -> None:
    register_nav(NavLink(_("E-Learning"), "learning:index", public=True, order=40))
    register_nav(NavLink(_("Belajar saya"), "learning:mine", order=41))
    register_nav(
        NavLink(_("Pelatihan unit"), "learning:leader", roles=("atasan", "pejabat"), order=42)
    )
    register_card(
        DashboardCard(
            "learning/cards/_learning.html",
            _learning_card,
            order=30,
            invalidated_by=("learning.Enrolment.user_id",),
        )
    )
    register_verb("course.enrolled", _("Mendaftar kursus"))
    register_verb("lesson.completed", _("Menyelesaikan materi"))
    register_verb("quiz.submitted", _("Mengerjakan kuis"))
    register_verb("quiz.passed", _("Lulus kuis"))
    register_verb("course.completed", _("Menyelesaikan kursus"))
    register_verb("jp.submitted", _("Mengajukan catatan JP"))
    register_verb("jp.approved", _("Menyetujui catatan JP"))
    register_verb("jp.rejected", _("Menolak catatan JP"))
