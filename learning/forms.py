from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.models import Audience, CompetencyArea, JpEntry


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari kursus"), required=False, max_length=100)
    sasaran = forms.ChoiceField(
        label=_("Sasaran"), required=False, choices=[("", _("Semua")), *Audience.choices]
    )
    bidang = forms.ChoiceField(
        label=_("Bidang kompetensi"),
        required=False,
        choices=[("", _("Semua")), *CompetencyArea.choices],
    )


class YearForm(forms.Form):
    tahun = forms.IntegerField(label=_("Tahun"), required=False, min_value=2000, max_value=2100)

    def year(self) -> int:
        if self.is_valid() and self.cleaned_data.get("tahun"):
            return self.cleaned_data["tahun"]
        return timezone.localdate().year


class ExternalJpForm(forms.ModelForm):
    class Meta:
        model = JpEntry
        fields = ["kind", "subject", "provider", "start_on", "end_on", "jp", "evidence"]
        widgets = {
            "start_on": forms.DateInput(attrs={"type": "date"}),
            "end_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            choice for choice in JpEntry.Kind.choices if choice[0] != JpEntry.Kind.ELEARNING
        ]
        self.fields["evidence"].required = True

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_on"), cleaned.get("end_on")
        if start and end:
            if end < start:
                self.add_error("end_on", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
            if end > timezone.localdate():
                self.add_error("end_on", _("Kegiatan yang belum selesai belum dapat dicatat."))
        return cleaned

    def _post_clean(self):
        # The year and source are set by the service; validate the rest here.
        self.instance.year = (self.cleaned_data.get("end_on") or timezone.localdate()).year
        self.instance.source = JpEntry.Source.EXTERNAL
        super()._post_clean()


class JpDecisionForm(forms.Form):
    keputusan = forms.ChoiceField(
        label=_("Keputusan"), choices=[("setujui", _("Setujui")), ("tolak", _("Tolak"))]
    )
    catatan = forms.CharField(label=_("Catatan"), required=False, max_length=300)
