from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("Cuti dan presensi ASN")

    def ready(self) -> None:
        from portal.registry import NavLink, register_nav

        register_nav(
            NavLink(
                _("Cuti & Presensi"),
                "leave:index",
                roles=("pegawai", "atasan"),
                public=False,
                order=30,
            )
        )
