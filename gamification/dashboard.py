"""Navigation link, dashboard card and activity labels of the gamification app."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.registry import DashboardCard, NavLink, register_card, register_nav, register_verb


def _missions_card(request: HttpRequest) -> dict:
    from gamification.selectors import dashboard_summary

    return dashboard_summary(user=request.user)


def register() -> None:
    register_nav(NavLink(_("Misi Harian"), "gamification:index", roles=("warga",), order=50))
    register_card(
        DashboardCard(
            "gamification/cards/_missions.html",
            _missions_card,
            roles=("warga",),
            order=40,
            invalidated_by=(
                "gamification.PointsEntry.user_id",
                "gamification.MissionProgress.user_id",
            ),
        )
    )
    register_verb("reward.redeemed", _("Menukar poin dengan hadiah"))
