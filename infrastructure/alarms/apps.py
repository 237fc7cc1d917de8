from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _active_card(request) -> dict:
    from infrastructure.alarms.selectors import active_alarm_summary

    return active_alarm_summary()


class AlarmsConfig(AppConfig):
    """Alarm rules over sensor readings, their alarms and the officials' inbox.

    Part of the infrastructure domain (DESIGN.md); a Django app of its own so its models
    and migrations stay apart from the ingestion tables.
    """

    name = "infrastructure.alarms"
    label = "infra_alarms"
    verbose_name = _("Alarm infrastruktur")

    def ready(self) -> None:
        from infrastructure.alarms import demo, notices
        from portal.registry import (
            DashboardCard,
            NavLink,
            register_card,
            register_nav,
            register_seeder,
            register_verb,
        )

        register_nav(
            NavLink(_("Alarm"), "infra_alarms:inbox", roles=("pejabat", "admin"), order=11)
        )
        register_card(
            DashboardCard(
                "infrastructure/alarms/cards/_active.html",
                _active_card,
                roles=("pejabat", "admin"),
                order=15,
            )
        )
        register_verb("infrastructure.alarm_acknowledged", _("menerima alarm"))
        register_verb("infrastructure.alarm_cleared", _("menutup alarm"))
        register_seeder(demo.seed, order=35)
        post_migrate.connect(notices.install, sender=self)
