from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infrastructure.alarms.models import Alarm, Severity
from infrastructure.alarms.services import COMMENT_MAX

ACTIVE_FILTER = "aktif"


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua")), (ACTIVE_FILTER, _("Semua yang aktif")), *Alarm.Status.choices],
    )
    tingkat = forms.ChoiceField(
        label=_("Tingkat"), required=False, choices=[("", _("Semua")), *Severity.choices]
    )


class AlarmActionForm(forms.Form):
    comment = forms.CharField(
        label=_("Catatan"),
        max_length=COMMENT_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Tulis catatan: apa yang sudah diperiksa atau dilakukan."),
            "max_length": _("Catatan terlalu panjang (paling banyak %(limit_value)d karakter)."),
        },
    )
