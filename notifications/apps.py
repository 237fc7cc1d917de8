from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _inbox_card(request) -> dict:
    from notifications import conf, selectors

    return {
        "unread": selectors.unread_count(user=request.user),
        "latest": list(selectors.inbox_for_user(user=request.user)[:3]),
        "poll_s": conf.get("NOTIFICATIONS_BADGE_POLL_S"),
    }


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Pengingat, pemberitahuan dan e-Surat")

    def ready(self) -> None:
        from notifications import demo
        from portal.registry import (
            DashboardCard,
            NavLink,
            register_card,
            register_nav,
            register_seeder,
            register_verb,
        )

        register_nav(NavLink(_("Notifikasi"), "notifications:index", order=20))
        register_card(
            DashboardCard(
                "notifications/cards/_inbox.html",
                _inbox_card,
                order=5,
                invalidated_by=("notifications.Message.recipient_id",),
            )
        )
        register_verb("notifications.all_read", _("Menandai semua notifikasi sudah dibaca"))
        register_verb("notifications.preferences_updated", _("Mengubah pengaturan notifikasi"))
        register_verb("notifications.unsubscribed", _("Berhenti berlangganan email"))
        register_seeder(demo.seed, order=40)
