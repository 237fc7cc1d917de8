from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """e-Surat: numbered, signed official letters with a public transparency log.

    Part of the notifications domain (DESIGN.md); a Django app of its own so its
    models and migrations stay separate from message delivery.
    """

    name = "notifications.letters"
    label = "letters"
    verbose_name = _("e-Surat")

    def ready(self) -> None:
        from notifications.letters import dashboard, demo
        from portal.registry import register_seeder

        dashboard.register()
        register_seeder(demo.seed, order=45)
