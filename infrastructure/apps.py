from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    name = "infrastructure"
    verbose_name = _("Proyek pembangunan, aset dan sensor")

    def ready(self) -> None:
        from portal.registry import NavLink, register_nav

        register_nav(
            NavLink(_("Infrastruktur"), "infrastructure:index", roles=(), public=True, order=10)
        )
