from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.letters import conf
from portal.uploads import upload_validate


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("Berkas surat (PDF)"),
        help_text=_("Unggah salinan PDF surat yang ingin diperiksa keasliannya."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        limit = conf.upload_max_bytes()
        upload_validate(upload, kinds=("pdf",), max_bytes=limit)
        upload.seek(0)
        return upload.read(limit + 1)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pencabutan"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
