from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from notifications.letters import services
from notifications.letters.forms import RevokeForm
from notifications.letters.models import (
    Checkpoint,
    Classification,
    IssuingUnit,
    Letter,
    LogLeaf,
    SigningOfficial,
)
from portal.models import User


@admin.register(IssuingUnit)
class IssuingUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region_name"]
    search_fields = ["code", "name"]


@admin.register(SigningOfficial)
class SigningOfficialAdmin(admin.ModelAdmin):
    list_display = ["name", "nip", "position", "unit", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["name", "nip", "position"]
    list_select_related = ["unit"]
    autocomplete_fields = ["user"]


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


class IssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis surat"), choices=Letter.Kind.choices)
    unit = forms.ModelChoiceField(label=_("Unit penerbit"), queryset=IssuingUnit.objects.all())
    classification = forms.ModelChoiceField(
        label=_("Klasifikasi"), queryset=Classification.objects.all()
    )
    official = forms.ModelChoiceField(
        label=_("Penanda tangan"),
        queryset=SigningOfficial.objects.filter(active=True).select_related("unit"),
    )
    recipient_email = forms.EmailField(
        label=_("Email akun penerima"), required=False, help_text=_("Kosongkan jika tanpa akun.")
    )
    recipient_name = forms.CharField(label=_("Nama penerima"), max_length=150)
    subject = forms.CharField(label=_("Perihal"), max_length=250)
    text = forms.CharField(label=_("Isi surat"), widget=forms.Textarea(attrs={"rows": 8}))

    def clean_recipient_email(self):
        email = self.cleaned_data["recipient_email"]
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Tidak ada akun dengan email ini."))
        return user

    def clean(self):
        data = super().clean()
        official, unit = data.get("official"), data.get("unit")
        if official and unit and official.unit_id != unit.pk:
            self.add_error("official", _("Penanda tangan harus dari unit penerbit."))
        return data


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "unit", "recipient_name", "issued_at", "status"]
    list_filter = ["status", "kind", "unit", "year"]
    search_fields = ["number", "subject", "public_id", "pdf_sha256"]
    list_select_related = ["unit"]
    date_hierarchy = "issued_at"
    actions = ["revoke_letters"]
    readonly_fields = [field.name for field in Letter._meta.fields]
    change_list_template = "letters/admin/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # letters are issued through the issue view (letter_issue), never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "terbitkan/",
                self.admin_site.admin_view(self.issue_view),
                name="letters_letter_issue",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "issue_url": reverse("admin:letters_letter_issue"),
        }
        return super().changelist_view(request, extra_context)

    def issue_view(self, request):
        if not request.user.has_perm("letters.view_letter") or not request.user.is_superuser:
            messages.error(request, _("Hanya administrator yang dapat menerbitkan surat."))
            return redirect("admin:letters_letter_changelist")
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                letter = services.letter_issue(
                    kind=data["kind"],
                    unit=data["unit"],
                    classification=data["classification"],
                    official=data["official"],
                    recipient=data["recipient_email"],
                    recipient_name=data["recipient_name"],
                    subject=data["subject"],
                    body_template="letters/bodies/generic.html",
                    context={"text": data["text"]},
                    issued_by=request.user,
                )
            except services.LetterError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Surat %(number)s diterbitkan.") % {"number": letter.number}
                )
                return redirect("admin:letters_letter_change", letter.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Terbitkan surat"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "letters/admin/issue.html", context)

    @admin.action(description=_("Cabut surat terpilih (dengan alasan)"))
    def revoke_letters(self, request, queryset):
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = 0
            for letter in queryset.filter(status=Letter.Status.ISSUED):
                services.letter_revoke(
                    letter=letter, reason=form.cleaned_data["reason"], revoked_by=request.user
                )
                count += 1
            messages.success(request, _("%(count)d surat dicabut.") % {"count": count})
            return None
        return render(
            request,
            "letters/admin/revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Cabut surat"),
                "form": form,
                "letters": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LogLeaf)
class LogLeafAdmin(ReadOnlyAdmin):
    list_display = ["index", "event", "letter", "leaf_hash", "created_at"]
    list_filter = ["event"]
    search_fields = ["leaf_hash", "letter__number"]
    list_select_related = ["letter"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["size", "root_hash", "created_at"]
    readonly_fields = ["size", "root_hash", "note", "signature", "created_at"]
