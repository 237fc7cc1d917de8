from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from portal import dashboard
        from portal.models import CitizenDocument, CitizenProfile, User

        dashboard.register()
        # Who changed what; encrypted identifiers are masked in the audit trail too.
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(
            CitizenProfile,
            mask_fields=["nik"],
            mask_callable="portal.masking.mask_identifier",
            exclude_fields=["nik_digest"],
        )
        auditlog.register(
            CitizenDocument, mask_fields=["number"], mask_callable="portal.masking.mask_identifier"
        )
