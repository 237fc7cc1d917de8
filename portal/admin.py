from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import Activity, CitizenDocument, CitizenProfile, Employee, OrgUnit, Region, User
from portal.validators import nik_digest, normalize_nik


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "role_list", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Data diri"), {"fields": ["display_name", "time_zone"]}),
        (
            _("Hak akses"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Waktu penting"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("peran"))
    def role_list(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "nik_masked", "user", "kelurahan", "updated_at"]
    list_select_related = ["user", "kelurahan"]
    list_filter = [("kelurahan", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["full_name", "user__email"]
    search_help_text = _("Cari nama, email, atau NIK lengkap (16 angka).")
    autocomplete_fields = ["user", "kelurahan"]
    exclude = ["nik"]
    readonly_fields = ["nik_masked"]

    def get_search_results(self, request, queryset, search_term):
        # NIKs are encrypted: an exact NIK is found through its keyed digest.
        nik = normalize_nik(search_term)
        if len(nik) == 16 and nik.isdigit():
            return queryset.filter(nik_digest=nik_digest(nik)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("NIK"))
    def nik_masked(self, obj: CitizenProfile) -> str:
        return obj.nik_masked


@admin.register(CitizenDocument)
class CitizenDocumentAdmin(admin.ModelAdmin):
    list_display = ["kind", "number_masked", "owner", "expires_on"]
    list_filter = ["kind", "expires_on"]
    list_select_related = ["owner"]
    search_fields = ["owner__email"]
    date_hierarchy = "expires_on"
    exclude = ["number"]
    readonly_fields = ["number_masked", "owner"]

    @admin.display(description=_("nomor"))
    def number_masked(self, obj: CitizenDocument) -> str:
        return obj.number_masked


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The activity log is an outbox: read-only here."""

    list_display = ["created_at", "actor", "verb", "target_type", "target_id"]
    list_filter = ["verb", "target_type"]
    list_select_related = ["actor", "target_type"]
    search_fields = ["actor__email", "verb", "target_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["actor", "verb", "target_type", "target_id", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["full_name", "nip", "kind", "unit", "position", "superior", "is_active"]
    list_filter = ["kind", "is_active", "unit"]
    list_select_related = ["unit", "superior"]
    search_fields = ["full_name", "nip", "user__email", "position"]
    autocomplete_fields = ["user", "unit", "superior"]
