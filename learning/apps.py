from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Pelatihan daring")

    def ready(self) -> None:
        from portal.registry import NavLink, register_nav

        register_nav(NavLink(_("E-Learning"), "learning:index", roles=(), public=True, order=40))
