from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Pengingat, pemberitahuan dan e-Surat")

    def ready(self) -> None:
        from portal.registry import NavLink, register_nav

        register_nav(
            NavLink(_("Notifikasi"), "notifications:index", roles=(), public=False, order=20)
        )
