from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("Cuti dan presensi ASN")

    def ready(self) -> None:
        from leave import dashboard, notice_templates

        dashboard.register()
        post_migrate.connect(notice_templates.install, sender=self)
