from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LeaderboardOptInForm(forms.Form):
    display_name = forms.CharField(
        label=_("Nama tampilan di papan peringkat"),
        min_length=3,
        max_length=30,
        help_text=_("Nama panggilan atau julukan. Jangan pakai nama lengkap atau NIK."),
    )
