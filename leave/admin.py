from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leave import services
from leave.models import (
    AttendanceRecord,
    DayStatus,
    Delegation,
    DutyTrip,
    Holiday,
    KnownDevice,
    LeaveDecision,
    LeaveEvidence,
    LeaveLedgerEntry,
    LeaveRequest,
    UnitAuthority,
    WorkLocation,
    WorkSchedule,
)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "source"]
    list_filter = ["kind", "source", "date"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "valid_from", "valid_to", "weekly_hours"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(UnitAuthority)
class UnitAuthorityAdmin(admin.ModelAdmin):
    list_display = ["unit", "official"]
    list_select_related = ["unit", "official"]
    search_fields = ["unit__name", "official__full_name", "official__nip"]
    autocomplete_fields = ["official"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["principal", "delegate", "kind", "starts_on", "ends_on", "decree_number"]
    list_filter = ["kind", "starts_on"]
    list_select_related = ["principal", "delegate"]
    search_fields = ["principal__full_name", "delegate__full_name", "decree_number"]
    autocomplete_fields = ["principal", "delegate"]


class EvidenceInline(admin.TabularInline):
    model = LeaveEvidence
    extra = 0
    readonly_fields = ["kind", "file", "original_name", "content_type", "size", "uploaded_at"]
    can_delete = False


class DecisionInline(admin.TabularInline):
    model = LeaveDecision
    extra = 0
    readonly_fields = [
        "stage",
        "outcome",
        "decided_by",
        "acting_for",
        "delegation",
        "note",
        "changed_start",
        "changed_end",
        "created_at",
    ]
    can_delete = False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    list_display = ["employee", "leave_type", "start_date", "end_date", "working_days", "state"]
    list_filter = ["state", "leave_type", "start_date", "employee__unit"]
    list_select_related = ["employee", "employee__unit"]
    search_fields = ["employee__full_name", "employee__nip", "reason"]
    date_hierarchy = "start_date"
    readonly_fields = ["state", "working_days", "created_at", "updated_at", "decree_reference"]
    inlines = [EvidenceInline, DecisionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the ledger points at requests; cancel them instead


@admin.register(LeaveLedgerEntry)
class LeaveLedgerEntryAdmin(admin.ModelAdmin):
    list_display = [
        "employee",
        "year",
        "leave_type",
        "kind",
        "days",
        "leave_request",
        "note",
        "created_at",
    ]
    list_filter = ["year", "kind", "leave_type"]
    list_select_related = ["employee", "leave_request"]
    search_fields = ["employee__full_name", "employee__nip", "note"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WorkLocation)
class WorkLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "latitude", "longitude", "radius_m"]
    list_filter = ["unit"]
    list_select_related = ["unit"]
    search_fields = ["name"]
    filter_horizontal = ["employees"]


@admin.action(description=_("Setujui dinas luar terpilih"))
def approve_trips(modeladmin, request, queryset):
    approver = getattr(request.user, "employee", None)
    if approver is None:
        modeladmin.message_user(
            request, _("Akun Anda tidak terhubung ke data pegawai."), messages.ERROR
        )
        return
    count = (
        queryset.filter(approved_at__isnull=True)
        .exclude(employee=approver)
        .update(approved_by=approver, approved_at=timezone.now())
    )
    modeladmin.message_user(request, _("%(n)s dinas luar disetujui.") % {"n": count})


@admin.register(DutyTrip)
class DutyTripAdmin(admin.ModelAdmin):
    list_display = ["employee", "starts_on", "ends_on", "destination", "approved_by", "approved_at"]
    list_filter = ["starts_on", "employee__unit"]
    list_select_related = ["employee", "approved_by"]
    search_fields = ["employee__full_name", "destination", "purpose"]
    autocomplete_fields = ["employee", "approved_by"]
    actions = [approve_trips]


@admin.register(KnownDevice)
class KnownDeviceAdmin(admin.ModelAdmin):
    list_display = ["employee", "fingerprint", "user_agent", "first_seen", "reviewed_by"]
    list_select_related = ["employee", "reviewed_by"]
    search_fields = ["employee__full_name", "fingerprint"]
    list_filter = ["first_seen"]


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(admin.ModelAdmin):
    list_display = [
        "employee",
        "kind",
        "at",
        "local_date",
        "mode",
        "distance_m",
        "late",
        "early",
        "new_device",
    ]
    list_filter = ["kind", "mode", "late", "early", "new_device", "local_date"]
    list_select_related = ["employee", "location"]
    search_fields = ["employee__full_name", "employee__nip"]
    date_hierarchy = "local_date"


@admin.action(description=_("Tutup status harian kemarin (tanpa keterangan/libur)"))
def close_yesterday(modeladmin, request, queryset):
    day = timezone.localdate() - datetime.timedelta(days=1)
    counts = services.day_statuses_close(day=day)
    modeladmin.message_user(request, f"{day}: {counts}")


@admin.register(DayStatus)
class DayStatusAdmin(admin.ModelAdmin):
    list_display = ["employee", "date", "status", "leave_request"]
    list_filter = ["status", "date"]
    list_select_related = ["employee", "leave_request"]
    search_fields = ["employee__full_name", "employee__nip"]
    date_hierarchy = "date"
    actions = [close_yesterday]
