"""e-Surat's navigation links, dashboard card and activity labels."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.registry import DashboardCard, NavLink, register_card, register_nav, register_verb


def _letters_card(request: HttpRequest) -> dict:
    from notifications.letters.selectors import letter_list_for_user

    return {"letters": list(letter_list_for_user(user=request.user)[:3])}


def register() -> None:
    register_nav(NavLink(_("Surat saya"), "letters:letter_list", order=30))
    register_nav(NavLink(_("Cek keaslian surat"), "letters:verify_upload", public=True, order=31))
    register_card(
        DashboardCard(
            "letters/cards/_letters.html",
            _letters_card,
            order=20,
            invalidated_by=("letters.Letter.recipient_id",),
        )
    )
    register_verb("letter.issued", _("Menerbitkan surat"))
    register_verb("letter.revoked", _("Mencabut surat"))
    register_verb("letter.opened", _("Membuka surat"))
    register_verb("letter.verified", _("Memeriksa keaslian surat"))
