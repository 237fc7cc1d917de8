from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group
from django.db import transaction


class AccountAdapter(DefaultAccountAdapter):
    """Everyone who signs up on the public site is a citizen (warga)."""

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _created = Group.objects.get_or_create(name="warga")
            user.groups.add(group)
        return user
