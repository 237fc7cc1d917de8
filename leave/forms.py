from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from leave.models import AttendanceRecord, LeaveEvidence, LeaveRequest, LeaveType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LeaveApplyForm(forms.Form):
    leave_type = forms.ChoiceField(label=_("Jenis cuti"), choices=LeaveType.choices)
    start_date = forms.DateField(label=_("Mulai"), widget=DateInput())
    end_date = forms.DateField(label=_("Sampai"), widget=DateInput())
    reason = forms.CharField(label=_("Alasan"), max_length=300, required=False)
    important_reason = forms.ChoiceField(
        label=_("Alasan penting (untuk cuti karena alasan penting)"),
        choices=[("", "—"), *LeaveRequest.Reason.choices],
        required=False,
    )
    delivery_number = forms.IntegerField(
        label=_("Persalinan ke- (untuk cuti melahirkan)"), min_value=1, max_value=20, required=False
    )
    first_hajj = forms.BooleanField(label=_("Cuti besar untuk ibadah haji pertama"), required=False)
    emergency = forms.BooleanField(
        label=_("Izin sementara darurat sudah diberikan pejabat setempat"), required=False
    )
    address_during_leave = forms.CharField(
        label=_("Alamat selama cuti"), max_length=200, required=False
    )
    evidence_kind = forms.ChoiceField(
        label=_("Jenis bukti"), choices=LeaveEvidence.Kind.choices, required=False
    )
    evidence = forms.FileField(
        label=_("Bukti (PDF, JPEG atau PNG, paling besar 2 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        if data.get("evidence") and not data.get("evidence_kind"):
            self.add_error("evidence_kind", _("Pilih jenis bukti yang dilampirkan."))
        return data


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("recommend", _("Setujui/rekomendasikan")),
            ("approve", _("Setujui")),
            ("change", _("Ubah tanggal")),
            ("defer", _("Tangguhkan")),
            ("reject", _("Tolak")),
        ]
    )
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)
    changed_start = forms.DateField(label=_("Mulai (diubah)"), widget=DateInput(), required=False)
    changed_end = forms.DateField(label=_("Sampai (diubah)"), widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "change":
            start, end = data.get("changed_start"), data.get("changed_end")
            if not start or not end:
                raise forms.ValidationError(_("Isi tanggal mulai dan selesai yang diubah."))
            if end < start:
                raise forms.ValidationError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        if data.get("action") in ("defer", "reject") and not data.get("note"):
            self.add_error("note", _("Tuliskan alasan penangguhan atau penolakan."))
        return data


class CheckInForm(forms.Form):
    kind = forms.ChoiceField(choices=AttendanceRecord.Kind.choices, widget=forms.HiddenInput)
    latitude = forms.DecimalField(
        min_value=-90, max_value=90, decimal_places=7, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        min_value=-180, max_value=180, decimal_places=7, required=False, widget=forms.HiddenInput
    )
    accuracy = forms.DecimalField(
        min_value=0, max_value=100000, required=False, widget=forms.HiddenInput
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("latitude") is None
            or data.get("longitude") is None
            or data.get("accuracy") is None
        ):
            raise forms.ValidationError(
                _(
                    "Lokasi perangkat diperlukan untuk presensi. Izinkan akses lokasi pada peramban "
                    "(JavaScript harus aktif), lalu coba lagi."
                )
            )
        data["latitude"] = round(data["latitude"], 6)
        data["longitude"] = round(data["longitude"], 6)
        return data
