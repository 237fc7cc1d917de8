from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infrastructure import services
from infrastructure.models import (
    Asset,
    DeadLetter,
    Device,
    Inspection,
    InspectionPhoto,
    LatestValue,
    Metric,
    ProgressReport,
    Project,
    ProjectDocument,
)


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ["key", "name", "enabled", "offline_after", "last_seen"]
    readonly_fields = ["last_seen"]
    show_change_link = True


class InspectionInline(admin.TabularInline):
    model = Inspection
    extra = 0
    fields = ["inspected_on", "inspector", "condition", "findings"]
    readonly_fields = fields
    show_change_link = True
    ordering = ["-inspected_on"]

    def has_add_permission(self, request, obj=None) -> bool:
        # Inspections go through services.inspection_record (it updates the asset).
        return False


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "code",
        "kelurahan",
        "agency",
        "condition",
        "criticality",
        "traffic_weight",
        "is_public",
        "device_count",
    ]
    list_filter = ["kind", "is_public", "criticality", "agency"]
    search_fields = ["name", "code", "kelurahan__name"]
    list_select_related = ["kelurahan", "agency"]
    autocomplete_fields = ["kelurahan"]
    readonly_fields = ["condition", "condition_assessed_on"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [DeviceInline, InspectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_devices=Count("devices"))

    @admin.display(description=_("perangkat"), ordering="_devices")
    def device_count(self, obj: Asset) -> int:
        return obj._devices


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 1
    fields = ["name", "label", "unit", "expected_min", "expected_max"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "asset", "enabled", "last_seen", "secret_rotated_at"]
    list_filter = ["enabled", "asset__kind"]
    search_fields = ["key", "name", "asset__name"]
    list_select_related = ["asset"]
    readonly_fields = ["last_seen", "secret_rotated_at"]
    autocomplete_fields = ["asset"]
    inlines = [MetricInline]
    actions = ["rotate_secret", "disable", "enable"]

    def save_model(self, request, obj: Device, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            secret = services.device_secret_rotate(device=obj, actor=request.user)
            self.message_user(
                request,
                _("Rahasia perangkat %(key)s (hanya ditampilkan sekali): %(secret)s")
                % {"key": obj.key, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Ganti rahasia perangkat terpilih"))
    def rotate_secret(self, request, queryset) -> None:
        for device in queryset:
            secret = services.device_secret_rotate(device=device, actor=request.user)
            self.message_user(
                request,
                _("Rahasia baru %(key)s (hanya ditampilkan sekali): %(secret)s")
                % {"key": device.key, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=_("Nonaktifkan perangkat terpilih"))
    def disable(self, request, queryset) -> None:
        updated = queryset.update(enabled=False)
        self.message_user(
            request,
            ngettext("%d perangkat dinonaktifkan.", "%d perangkat dinonaktifkan.", updated)
            % updated,
        )

    @admin.action(description=_("Aktifkan perangkat terpilih"))
    def enable(self, request, queryset) -> None:
        updated = queryset.update(enabled=True)
        self.message_user(
            request,
            ngettext("%d perangkat diaktifkan.", "%d perangkat diaktifkan.", updated) % updated,
        )


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "unit", "device", "expected_min", "expected_max"]
    list_filter = ["device__asset__kind"]
    search_fields = ["name", "label", "device__key", "device__name"]
    list_select_related = ["device"]
    autocomplete_fields = ["device"]


@admin.register(LatestValue)
class LatestValueAdmin(admin.ModelAdmin):
    list_display = ["metric", "device", "value", "ts"]
    search_fields = ["metric__name", "metric__device__key"]
    list_select_related = ["metric__device"]
    readonly_fields = ["metric", "ts", "value"]

    @admin.display(description=_("perangkat"))
    def device(self, obj: LatestValue) -> str:
        return obj.metric.device.key

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["received_at", "reason", "count", "device_key", "topic", "message"]
    list_filter = ["reason"]
    search_fields = ["device_key", "topic", "message"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in DeadLetter._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ProgressReportInline(admin.TabularInline):
    model = ProgressReport
    extra = 1
    fields = [
        "period_end",
        "planned_physical",
        "actual_physical",
        "planned_financial",
        "actual_financial",
        "note",
    ]
    ordering = ["period_end"]


class ProjectDocumentInline(admin.TabularInline):
    model = ProjectDocument
    extra = 0
    fields = ["kind", "document_type", "title", "file", "content_type", "uploaded_at"]
    readonly_fields = ["file", "content_type", "uploaded_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        # Uploads go through the officials' page, which checks the file's real type.
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "code",
        "status",
        "agency",
        "budget",
        "contract_value",
        "planned_start",
        "planned_end",
        "is_public",
    ]
    list_filter = ["status", "project_type", "agency", "is_public"]
    search_fields = ["title", "code", "contractor", "kelurahan__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["kelurahan", "asset"]
    prepopulated_fields = {"code": ["title"]}
    date_hierarchy = "planned_start"
    inlines = [ProgressReportInline, ProjectDocumentInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "period_end",
        "planned_physical",
        "actual_physical",
        "planned_financial",
        "actual_financial",
    ]
    list_filter = ["project__status"]
    search_fields = ["project__title", "project__code"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    date_hierarchy = "period_end"

    # The public dashboard's cache key follows Project.updated_at: touch the project.
    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        Project.objects.filter(pk=obj.project_id).update(updated_at=timezone.now())

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        Project.objects.filter(pk=obj.project_id).update(updated_at=timezone.now())

    def delete_queryset(self, request, queryset) -> None:
        projects = list(queryset.values_list("project_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        Project.objects.filter(pk__in=projects).update(updated_at=timezone.now())


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "document_type", "content_type", "uploaded_at"]
    list_filter = ["kind", "document_type"]
    search_fields = ["title", "project__title", "original_name"]
    list_select_related = ["project"]
    readonly_fields = ["project", "file", "content_type", "size", "original_name", "uploaded_by"]

    def has_add_permission(self, request) -> bool:
        return False


class InspectionPhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0
    fields = ["file", "content_type", "original_name"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["asset", "inspected_on", "condition", "inspector"]
    list_filter = ["asset__kind", "inspected_on"]
    search_fields = ["asset__name", "asset__code", "findings", "inspector__email"]
    list_select_related = ["asset", "inspector"]
    autocomplete_fields = ["asset"]
    readonly_fields = ["inspector", "asset", "inspected_on", "condition"]
    date_hierarchy = "inspected_on"
    inlines = [InspectionPhotoInline]

    def has_add_permission(self, request) -> bool:
        return False
