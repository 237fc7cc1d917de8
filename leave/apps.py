from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("Cuti dan presensi ASN")

    def ready(self) -> None:
        from leave import dashboard

        dashboard.register()
