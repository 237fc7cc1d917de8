from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gamification import selectors, services
from gamification.models import (
    Badge,
    LeaderboardOptIn,
    Mission,
    PointsEntry,
    PointsRule,
    Redemption,
    Reward,
)


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "metric", "verb", "thresholds", "order"]
    list_filter = ["metric"]
    search_fields = ["name", "slug", "verb"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["recompute"]

    @admin.action(description=_("Hitung ulang lencana semua pengguna dari data"))
    def recompute(self, request, queryset):
        fixed = services.badges_recompute()
        self.message_user(request, _("%(n)s lencana pengguna diperbaiki.") % {"n": fixed})


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "period",
        "verb",
        "target_type",
        "goal",
        "points",
        "badge",
        "audience_role",
        "active_from",
        "active_until",
        "is_active",
    ]
    list_filter = ["period", "is_active", "audience_role", "badge"]
    search_fields = ["title", "slug", "verb"]
    list_select_related = ["badge", "target_type"]
    list_editable = ["is_active"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["activate", "deactivate"]

    @admin.action(description=_("Aktifkan misi terpilih"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)

    @admin.action(description=_("Nonaktifkan misi terpilih"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    list_display = ["verb", "points", "daily_cap", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["verb"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "price", "stock", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    actions = ["deactivate"]

    @admin.action(description=_("Tarik hadiah terpilih dari katalog"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger and redemptions are append-only: admins read them, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "points", "description", "period", "source_id"]
    list_filter = ["kind", "mission", "rule", "created_at"]
    search_fields = ["user__email", "source_id", "description"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    actions = ["check_ledger"]

    @admin.action(description=_("Periksa kecocokan buku poin dengan saldo"))
    def check_ledger(self, request, queryset):
        problems = selectors.ledger_mismatches(limit=20)
        if problems:
            for problem in problems:
                self.message_user(request, problem, level=messages.ERROR)
        else:
            self.message_user(request, _("Buku poin cocok dengan semua saldo."))


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "reward", "points", "code"]
    list_filter = ["reward", "created_at"]
    search_fields = ["user__email", "code"]
    list_select_related = ["user", "reward"]


@admin.register(LeaderboardOptIn)
class LeaderboardOptInAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "kelurahan", "points", "created_at"]
    search_fields = ["display_name", "user__email"]
    list_select_related = ["user", "kelurahan"]
    readonly_fields = ["user", "points", "kelurahan", "created_at"]
    actions = ["remove"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Keluarkan dari papan peringkat (nama tidak pantas)"))
    def remove(self, request, queryset):
        queryset.delete()
