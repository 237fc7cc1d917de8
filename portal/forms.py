from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import CitizenDocument, CitizenProfile
from portal.selectors import kelurahan_choices
from portal.validators import nik_matches_birth_date, normalize_nik, validate_nik


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class KelurahanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.parent.name}" if obj.parent_id else obj.name


class CitizenProfileForm(forms.ModelForm):
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=24,
        help_text=_("16 angka sesuai KTP-el. Disimpan terenkripsi dan hanya ditampilkan tersamar."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kelurahan = KelurahanChoiceField(
        queryset=kelurahan_choices(),
        required=False,
        label=_("Kelurahan/desa"),
        empty_label=_("Pilih kelurahan/desa"),
    )

    class Meta:
        model = CitizenProfile
        fields = ["full_name", "nik", "birth_date", "phone", "kelurahan"]
        widgets = {
            "birth_date": DateInput(attrs={"autocomplete": "bday"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored NIK is never sent back to the browser: the field starts empty
        # and an empty submission keeps what is stored.
        self.initial["nik"] = ""
        if self.instance.pk and self.instance.nik:
            self.fields["nik"].help_text = _(
                "Tersimpan: %(masked)s. Kosongkan untuk tidak mengubah."
            ) % {"masked": self.instance.nik_masked}

    def clean_nik(self) -> str:
        value = normalize_nik(self.cleaned_data.get("nik", ""))
        if not value:
            return self.instance.nik or ""
        validate_nik(value)
        return value

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            raise forms.ValidationError(_("Tanggal lahir tidak boleh di masa depan."))
        return birth_date

    def clean(self):
        cleaned = super().clean()
        nik, birth_date = cleaned.get("nik"), cleaned.get("birth_date")
        if nik and birth_date and not nik_matches_birth_date(nik, birth_date):
            self.add_error(
                "birth_date",
                _("Tanggal lahir tidak cocok dengan tanggal lahir yang tercantum dalam NIK."),
            )
        return cleaned


class CitizenDocumentForm(forms.ModelForm):
    class Meta:
        model = CitizenDocument
        fields = ["kind", "number", "expires_on", "note"]
        widgets = {
            "expires_on": DateInput(),
            "number": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["number"] = self.instance.number

    def clean_number(self) -> str:
        number = (self.cleaned_data.get("number") or "").strip().upper()
        if len(number) < 4:
            raise forms.ValidationError(_("Nomor dokumen terlalu pendek."))
        return number
