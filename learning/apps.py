from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Pelatihan daring")

    def ready(self) -> None:
        from learning import dashboard, demo, notices
        from portal.registry import register_seeder

        dashboard.register()
        register_seeder(demo.seed, order=60)
        post_migrate.connect(notices.templates_install, sender=self)
