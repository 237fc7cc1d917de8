"""The core app's own navigation links, dashboard cards and activity labels."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.registry import DashboardCard, NavLink, register_card, register_nav, register_verb


def _profile_card(request: HttpRequest) -> dict:
    profile = getattr(request.user, "citizen_profile", None)
    return {"profile": profile}


def _documents_card(request: HttpRequest) -> dict:
    from portal.selectors import document_list_for_user

    documents = list(document_list_for_user(user=request.user)[:3])
    return {"documents": documents}


def _activity_card(request: HttpRequest) -> dict:
    from portal.selectors import activity_list_for_user

    return {"activities": list(activity_list_for_user(user=request.user, limit=5))}


def register() -> None:
    register_nav(NavLink(_("Beranda"), "portal:home", public=True, order=0))
    register_nav(NavLink(_("Dasbor"), "portal:dashboard", order=1))
    register_nav(NavLink(_("Profil"), "portal:profile", order=90))
    register_nav(NavLink(_("Admin"), "admin:index", roles=("admin",), order=99))
    register_card(
        DashboardCard(
            "portal/cards/_profile.html",
            _profile_card,
            order=0,
            invalidated_by=("portal.CitizenProfile.user_id",),
        )
    )
    register_card(
        DashboardCard(
            "portal/cards/_documents.html",
            _documents_card,
            order=10,
            invalidated_by=("portal.CitizenDocument.owner_id",),
        )
    )
    # Every app records what the user did as an activity: watching them refreshes
    # the whole dashboard after any of the user's own actions.
    register_card(
        DashboardCard(
            "portal/cards/_activity.html",
            _activity_card,
            order=95,
            invalidated_by=("portal.Activity.actor_id",),
        )
    )
    register_verb("profile.updated", _("Memperbarui profil"))
    register_verb("document.added", _("Menambahkan dokumen"))
    register_verb("document.updated", _("Memperbarui dokumen"))
    register_verb("document.deleted", _("Menghapus dokumen"))
