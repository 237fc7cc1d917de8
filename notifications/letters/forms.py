from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from notifications.letters import conf


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("Berkas surat (PDF)"),
        help_text=_("Unggah salinan PDF surat yang ingin diperiksa keasliannya."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        limit = conf.upload_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas terlalu besar (maksimal %(limit)s)."),
                params={"limit": filesizeformat(limit)},
                code="too_large",
            )
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in {"application/pdf", "application/x-pdf", "application/octet-stream"}:
            raise forms.ValidationError(_("Berkas harus berupa PDF."), code="not_pdf")
        data = upload.read(limit + 1)
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(
                _("Berkas ini bukan PDF (isinya tidak diawali tanda PDF)."), code="not_pdf"
            )
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pencabutan"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
