from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = _("Misi, poin dan hadiah")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from gamification import dashboard, demo
        from gamification.signals import activity_saved
        from portal.models import Activity
        from portal.registry import register_seeder

        post_save.connect(
            activity_saved, sender=Activity, dispatch_uid="gamification.activity_saved"
        )
        dashboard.register()
        register_seeder(demo.seed, order=90)
