from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = _("Misi, poin dan hadiah")

    def ready(self) -> None:
        from portal.registry import NavLink, register_nav

        register_nav(
            NavLink(
                _("Misi Harian"), "gamification:index", roles=("warga",), public=False, order=50
            )
        )
