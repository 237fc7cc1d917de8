"""Forms of the officials' pages and of the open-data range picker."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infrastructure import condition, conf
from infrastructure.models import Asset, ProgressReport, Project, ProjectDocument
from infrastructure.services import PROJECT_FIELDS
from infrastructure.uploads import MultipleFileField
from portal.models import OrgUnit, Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        # What an official may edit is the service's list: one place for both.
        fields = list(PROJECT_FIELDS)
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "actual_start": DATE,
            "actual_end": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "code": _("Huruf kecil, angka dan tanda hubung; dipakai di alamat halaman."),
            "budget": _("Dalam rupiah, tanpa titik, mis. 12500000000."),
        }

    def __init__(self, *args, units: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = OrgUnit.objects.order_by("name")
        assets = Asset.objects.order_by("name")
        if units is not None:
            agencies = agencies.filter(pk__in=units)
            assets = assets.filter(agency_id__in=units)
        self.fields["agency"].queryset = agencies
        self.fields["asset"].queryset = assets
        self.fields["kelurahan"].queryset = Region.objects.filter(
            level=Region.Level.KELURAHAN
        ).order_by("name")
        if self.instance.pk:
            # The code is the project's public address and OC4IDS id: it never changes.
            self.fields["code"].disabled = True

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("Rencana selesai tidak boleh sebelum rencana mulai."))
        actual_start, actual_end = cleaned.get("actual_start"), cleaned.get("actual_end")
        if actual_end and not actual_start:
            self.add_error("actual_start", _("Isi tanggal mulai sebenarnya lebih dulu."))
        elif actual_start and actual_end and actual_end < actual_start:
            self.add_error(
                "actual_end", _("Tanggal selesai sebenarnya harus sesudah tanggal mulai.")
            )
        for name in ("budget", "contract_value"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("Nilai rupiah tidak boleh negatif."))
        return cleaned


PERCENT = {"min_value": 0, "max_value": 100, "max_digits": 5, "decimal_places": 2}


class ProgressReportForm(forms.Form):
    period_end = forms.DateField(label=_("Akhir periode"), widget=DATE)
    planned_physical = forms.DecimalField(label=_("Rencana fisik (%)"), **PERCENT)
    actual_physical = forms.DecimalField(
        label=_("Realisasi fisik (%)"),
        required=False,
        help_text=_("Kosongkan untuk periode yang belum berjalan (rencana saja)."),
        **PERCENT,
    )
    planned_financial = forms.DecimalField(label=_("Rencana keuangan (%)"), **PERCENT)
    actual_financial = forms.DecimalField(
        label=_("Realisasi keuangan (%)"), required=False, **PERCENT
    )
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_period_end(self):
        period_end = self.cleaned_data["period_end"]
        if ProgressReport.objects.filter(project=self.project, period_end=period_end).exists():
            raise forms.ValidationError(_("Laporan untuk periode ini sudah ada."))
        return period_end

    def clean(self):
        cleaned = super().clean()
        period_end = cleaned.get("period_end")
        if period_end and period_end > timezone.localdate():
            for name in ("actual_physical", "actual_financial"):
                if cleaned.get(name) is not None:
                    self.add_error(
                        name, _("Realisasi hanya bisa diisi untuk periode yang sudah lewat.")
                    )
        return cleaned


REASON = forms.CharField(
    label=_("Alasan"),
    max_length=500,
    strip=True,
    widget=forms.Textarea(attrs={"rows": 2}),
    help_text=_("Wajib: dicatat di jejak audit, mis. salah ketik angka realisasi."),
)


CORRECTABLE = (
    "planned_physical",
    "actual_physical",
    "planned_financial",
    "actual_financial",
    "note",
)


class ProgressReportCorrectForm(forms.Form):
    """The figures of one period, corrected with a reason; the period itself stays."""

    planned_physical = ProgressReportForm.base_fields["planned_physical"]
    actual_physical = ProgressReportForm.base_fields["actual_physical"]
    planned_financial = ProgressReportForm.base_fields["planned_financial"]
    actual_financial = ProgressReportForm.base_fields["actual_financial"]
    note = ProgressReportForm.base_fields["note"]
    reason = REASON

    def __init__(self, *args, report: ProgressReport, **kwargs):
        kwargs.setdefault(
            "initial",
            {name: getattr(report, name) for name in CORRECTABLE},
        )
        super().__init__(*args, **kwargs)
        self.report = report

    def clean(self):
        cleaned = super().clean()
        if self.report.period_end > timezone.localdate():
            for name in ("actual_physical", "actual_financial"):
                if cleaned.get(name) is not None:
                    self.add_error(
                        name, _("Realisasi hanya bisa diisi untuk periode yang sudah lewat.")
                    )
        return cleaned


class ProgressReportDeleteForm(forms.Form):
    reason = REASON


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis berkas"), choices=ProjectDocument.Kind.choices)
    document_type = forms.ChoiceField(
        label=_("Jenis dokumen"), choices=ProjectDocument.DocumentType.choices, required=False
    )
    title = forms.CharField(label=_("Judul"), max_length=180)
    files = MultipleFileField(
        label=_("Berkas"),
        help_text=_("PDF, JPEG atau PNG (foto: JPEG atau PNG); boleh beberapa sekaligus."),
    )


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Tanggal inspeksi"), widget=DATE)
    condition = forms.FloatField(label=_("Nilai kondisi"))
    findings = forms.CharField(
        label=_("Temuan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    photos = MultipleFileField(label=_("Foto"), required=False, help_text=_("JPEG atau PNG."))

    def __init__(self, *args, asset: Asset, **kwargs):
        super().__init__(*args, **kwargs)
        self.asset = asset
        scale = condition.scale_for(asset.kind)
        field = self.fields["condition"]
        field.help_text = f"{scale.name}: {scale.hint}"
        field.widget.attrs.update({"min": scale.low, "max": scale.high, "step": "any"})

    def clean_condition(self):
        value = self.cleaned_data["condition"]
        error = condition.scale_for(self.asset.kind).error(value)
        if error:
            raise forms.ValidationError(error)
        return value

    def clean_inspected_on(self):
        value = self.cleaned_data["inspected_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal inspeksi tidak boleh di masa depan."))
        return value


class ReadingsRangeForm(forms.Form):
    """`from`/`to` of a readings export: ISO dates or date-times, at most N days apart."""

    start = forms.DateTimeField(label=_("Dari"), required=False)
    end = forms.DateTimeField(label=_("Sampai"), required=False)
    asset = forms.SlugField(label=_("Kode aset"), required=False)

    def __init__(self, data, *, now: datetime.datetime):
        super().__init__(
            {
                "start": data.get("from", ""),
                "end": data.get("to", ""),
                "asset": data.get("asset", ""),
            }
        )
        self.now = now
        self.fields["start"].error_messages["invalid"] = _(
            "Parameter 'from' harus tanggal ISO, mis. 2026-01-31 atau 2026-01-31T08:00+07:00."
        )
        self.fields["end"].error_messages["invalid"] = _(
            "Parameter 'to' harus tanggal ISO, mis. 2026-01-31 atau 2026-01-31T08:00+07:00."
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.now
        start = cleaned.get("start") or end - datetime.timedelta(hours=24)
        if start >= end:
            raise forms.ValidationError(_("'from' harus sebelum 'to'."))
        days = conf.export_max_days()
        if end - start > datetime.timedelta(days=days):
            raise forms.ValidationError(
                _("Rentang waktu paling panjang %(days)s hari; perkecil rentang 'from'-'to'.")
                % {"days": days}
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned
