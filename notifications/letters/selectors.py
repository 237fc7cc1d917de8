"""Reads of e-Surat that pages share."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.letters.models import Letter, LogLeaf
from portal.models import User


def letter_list_for_user(*, user: User) -> QuerySet[Letter]:
    return Letter.objects.filter(recipient=user).select_related("unit", "classification")


def letter_for_user(*, user: User, pk: int) -> Letter | None:
    return letter_list_for_user(user=user).filter(pk=pk).first()


def letter_public(*, public_id: str) -> Letter | None:
    return Letter.objects.filter(public_id=public_id).select_related("unit", "official").first()


def leaves_of(letter: Letter) -> dict[str, LogLeaf]:
    return {leaf.event: leaf for leaf in LogLeaf.objects.filter(letter=letter)}
