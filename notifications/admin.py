from __future__ import annotations

import contextlib
import datetime

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import campaigns, rendering
from notifications.models import (
    Campaign,
    Category,
    Message,
    NotificationTemplate,
    Preference,
    ReminderRule,
    TemplateKey,
)
from notifications.services import enqueue_delivery


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "transactional", "default_channels", "order"]
    list_filter = ["transactional"]
    search_fields = ["key", "name"]


class NotificationTemplateInline(admin.StackedInline):
    model = NotificationTemplate
    extra = 0
    fields = ["language", "subject", "body_text", "body_html", "sms_text"]


@admin.register(TemplateKey)
class TemplateKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "category", "description", "variable_list"]
    list_filter = ["category"]
    list_select_related = ["category"]
    search_fields = ["key", "description"]
    inlines = [NotificationTemplateInline]

    @admin.display(description=_("variabel"))
    def variable_list(self, obj: TemplateKey) -> str:
        return ", ".join(obj.variables)


def _sample(kind: TemplateKey) -> dict:
    sample = {}
    for name in kind.variables:
        value = kind.sample_context.get(name, f"[{name}]")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.date.fromisoformat(value)
        sample[name] = value
    return sample


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ["template_key", "language", "subject", "updated_at"]
    list_filter = ["language", "template_key__category"]
    list_select_related = ["template_key"]
    search_fields = ["template_key__key", "subject", "body_text"]
    readonly_fields = ["allowed_variables", "preview"]
    fields = [
        "template_key",
        "language",
        "allowed_variables",
        "subject",
        "body_text",
        "body_html",
        "sms_text",
        "preview",
    ]

    @admin.display(description=_("variabel yang boleh dipakai"))
    def allowed_variables(self, obj: NotificationTemplate) -> str:
        if not obj.template_key_id:
            return "-"
        return ", ".join("{{ %s }}" % name for name in obj.template_key.variables) or "-"  # noqa: UP031

    @admin.display(description=_("pratinjau (dengan contoh nilai)"))
    def preview(self, obj: NotificationTemplate) -> str:
        if not obj.pk:
            return _("Simpan dulu untuk melihat pratinjau.")
        context = _sample(obj.template_key)
        parts = []
        for label, field, html in [
            (_("Judul"), "subject", False),
            (_("Teks"), "body_text", False),
            (_("SMS / push"), "sms_text", False),
        ]:
            try:
                parts.append((label, rendering.render(getattr(obj, field), context, html=html)))
            except Exception as error:
                parts.append((label, f"[{error}]"))
        text = format_html_join(
            "", "<dt>{}</dt><dd><pre>{}</pre></dd>", ((str(lbl), val) for lbl, val in parts)
        )
        html_body = ""
        if obj.body_html:
            try:
                # Staff-written markup around escaped sample values (autoescape on).
                html_body = rendering.render(obj.body_html, context, html=True)
            except Exception as error:
                html_body = f"[{error}]"
        return format_html(
            '<dl>{}<dt>{}</dt><dd><iframe sandbox title="{}" srcdoc="{}" width="100%" height="240"></iframe></dd></dl>',
            text,
            _("Email HTML"),
            _("Pratinjau email HTML"),
            html_body,
        )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "channel", "enabled", "updated_at"]
    list_filter = ["category", "channel", "enabled"]
    list_select_related = ["user", "category"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "channel",
        "template_key",
        "subject",
        "status",
        "attempts",
        "delivered_at",
        "read_at",
    ]
    list_filter = ["status", "channel", "category", "created_at"]
    list_select_related = ["recipient", "category"]
    search_fields = ["recipient__email", "=address", "template_key", "=idempotency_key", "subject"]
    search_help_text = _(
        "Cari email penerima, alamat tujuan, jenis, kunci idempotensi, atau judul."
    )
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry_failed"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Kirim ulang pesan yang gagal"))
    def retry_failed(self, request, queryset) -> None:
        failed = queryset.filter(
            status__in=[Message.Status.TEMPORARY_FAILURE, Message.Status.PERMANENT_FAILURE]
        )
        ids = list(failed.values_list("pk", flat=True))
        # A permanent failure is retried only by hand, here; attempts start over.
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.TEMPORARY_FAILURE, attempts=0
        )
        enqueue_delivery(ids)
        self.message_user(
            request,
            ngettext("%d pesan dijadwalkan ulang.", "%d pesan dijadwalkan ulang.", len(ids))
            % len(ids),
            messages.SUCCESS,
        )

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "statistik/",
                self.admin_site.admin_view(self.stats_view),
                name="notifications_message_stats",
            ),
            *urls,
        ]

    def stats_view(self, request):
        """Delivery per day and channel over the last 30 days (one grouped query)."""
        since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
        rows = (
            Message.objects.filter(created_at__gte=since)
            .annotate(day=TruncDate("created_at"))
            .values("day", "channel")
            .annotate(
                total=Count("id"),
                delivered=Count("id", filter=Q(status=Message.Status.DELIVERED)),
                failed=Count("id", filter=Q(status=Message.Status.PERMANENT_FAILURE)),
                pending=Count(
                    "id",
                    filter=Q(
                        status__in=[
                            Message.Status.CREATED,
                            Message.Status.SENDING,
                            Message.Status.TEMPORARY_FAILURE,
                        ]
                    ),
                ),
                read=Count("id", filter=Q(read_at__isnull=False)),
            )
            .order_by("-day", "channel")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Statistik pengiriman per hari dan kanal"),
            "rows": rows,
        }
        return TemplateResponse(request, "notifications/admin/stats.html", context)


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "template_key", "offsets", "channels", "active"]
    list_filter = ["subject", "active"]
    list_select_related = ["template_key"]
    search_fields = ["name"]
    actions = ["activate", "deactivate"]

    @admin.action(description=_("Aktifkan"))
    def activate(self, request, queryset) -> None:
        queryset.update(active=True)

    @admin.action(description=_("Nonaktifkan"))
    def deactivate(self, request, queryset) -> None:
        queryset.update(active=False)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "template_key",
        "status",
        "scheduled_at",
        "recipients_done",
        "rows_checked",
        "rows_rejected",
        "created_at",
    ]
    list_filter = ["status", "template_key"]
    list_select_related = ["template_key"]
    search_fields = ["name"]
    autocomplete_fields = ["kelurahan"]
    exclude = ["error_report"]
    readonly_fields = [
        "status",
        "error_report_link",
        "recipients_total",
        "recipients_done",
        "rows_checked",
        "rows_rejected",
        "progress",
        "created_by",
        "started_at",
        "finished_at",
    ]
    actions = ["schedule_now", "cancel"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/galat.csv",
                self.admin_site.admin_view(self.error_report_view),
                name="notifications_campaign_error_report",
            ),
            *super().get_urls(),
        ]

    def error_report_view(self, request, pk: int):
        campaign = Campaign.objects.filter(pk=pk).first()
        if campaign is None or not campaign.error_report or not self.has_view_permission(request):
            raise Http404
        return FileResponse(
            campaign.error_report.open("rb"),
            as_attachment=True,
            filename=f"kampanye-{campaign.pk}-galat.csv",
            content_type="text/csv",
        )

    @admin.display(description=_("laporan galat"))
    def error_report_link(self, obj: Campaign) -> str:
        if not obj.error_report:
            return "-"
        url = reverse("admin:notifications_campaign_error_report", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Unduh laporan galat (CSV)"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("kemajuan pengiriman"))
    def progress(self, obj: Campaign) -> str:
        if not obj.pk:
            return "-"
        counts = campaigns.campaign_progress(campaign=obj)
        return ", ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "-"

    @admin.action(description=_("Jadwalkan (berkas CSV diperiksa dulu)"))
    def schedule_now(self, request, queryset) -> None:
        for campaign in queryset:
            at = campaign.scheduled_at if campaign.scheduled_at else None
            if campaigns.campaign_schedule(campaign=campaign, at=at):
                if campaign.status == Campaign.Status.VALIDATING:
                    text = _("%s: berkas CSV sedang diperiksa; kemajuannya tampil di halamannya.")
                else:
                    text = _("%s terjadwal.")
                self.message_user(request, text % campaign, messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    _("%(name)s ditolak: %(count)d baris bermasalah; unduh laporan galatnya.")
                    % {"name": campaign, "count": campaign.rows_rejected},
                    messages.ERROR,
                )

    @admin.action(description=_("Batalkan"))
    def cancel(self, request, queryset) -> None:
        for campaign in queryset:
            stopped = campaigns.campaign_cancel(campaign=campaign)
            self.message_user(
                request,
                _("%(name)s dibatalkan; %(n)d pesan dihentikan.")
                % {"name": campaign, "n": stopped},
            )
