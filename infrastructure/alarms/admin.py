from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infrastructure.alarms import services
from infrastructure.alarms.models import Alarm, AlarmEvent, AlarmRule


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "scope",
        "threshold",
        "clear_threshold",
        "duration_minutes",
        "severity",
        "escalated_severity",
        "enabled",
    ]
    list_filter = ["enabled", "kind", "severity", "asset_kind"]
    search_fields = ["name", "metric_name", "metric__name", "metric__device__key"]
    list_select_related = ["metric__device"]
    autocomplete_fields = ["metric", "responsible_users"]
    filter_horizontal = ["responsible_groups", "responsible_units"]
    fieldsets = [
        (None, {"fields": ["name", "description", "enabled", "kind"]}),
        (_("Cakupan"), {"fields": ["metric", "asset_kind", "metric_name"]}),
        (
            _("Ambang"),
            {
                "fields": [
                    "severity",
                    "threshold",
                    "duration_minutes",
                    "clear_threshold",
                    "escalated_severity",
                    "escalated_threshold",
                ]
            },
        ),
        (
            _("Penanggung jawab"),
            {"fields": ["responsible_users", "responsible_groups", "responsible_units"]},
        ),
    ]
    actions = ["enable", "disable"]

    @admin.display(description=_("cakupan"))
    def scope(self, obj: AlarmRule) -> str:
        if obj.metric_id:
            return f"{obj.metric.device.key} / {obj.metric.name}"
        return f"{obj.get_asset_kind_display()} / {obj.metric_name or '*'}"

    @admin.action(description=_("Aktifkan aturan terpilih"))
    def enable(self, request, queryset) -> None:
        queryset.update(enabled=True)

    @admin.action(description=_("Nonaktifkan aturan terpilih"))
    def disable(self, request, queryset) -> None:
        queryset.update(enabled=False)


class AlarmEventInline(admin.TabularInline):
    model = AlarmEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "severity", "value", "actor", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "device",
        "metric",
        "severity",
        "status",
        "started_at",
        "last_value",
        "acknowledged_by",
        "cleared_at",
    ]
    list_filter = ["status", "severity", "rule__kind", "device__asset__kind", "rule"]
    search_fields = ["rule__name", "device__key", "device__name", "device__asset__name"]
    list_select_related = ["rule", "device", "metric", "acknowledged_by"]
    date_hierarchy = "started_at"
    inlines = [AlarmEventInline]
    actions = ["acknowledge", "clear"]
    readonly_fields = [
        field.name for field in Alarm._meta.get_fields() if getattr(field, "concrete", False)
    ]

    def has_add_permission(self, request) -> bool:
        return False  # alarms come from rules only

    def _bulk(self, request, queryset, service, done) -> None:
        comment = _("Ditangani dari halaman admin oleh %(name)s.") % {
            "name": request.user.get_short_name()
        }
        count = 0
        for alarm in queryset:
            try:
                service(alarm_id=alarm.pk, user=request.user, comment=comment)
            except (ValidationError, PermissionDenied):
                continue
            count += 1
        self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Terima alarm terpilih"))
    def acknowledge(self, request, queryset) -> None:
        self._bulk(
            request,
            queryset,
            services.alarm_acknowledge,
            lambda n: ngettext("%(n)d alarm diterima.", "%(n)d alarm diterima.", n) % {"n": n},
        )

    @admin.action(description=_("Tutup alarm terpilih"))
    def clear(self, request, queryset) -> None:
        self._bulk(
            request,
            queryset,
            services.alarm_clear,
            lambda n: ngettext("%(n)d alarm ditutup.", "%(n)d alarm ditutup.", n) % {"n": n},
        )
