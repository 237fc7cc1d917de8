"""Reads of the core app that pages reuse; each returns what the page needs in few queries."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import Activity, CitizenDocument, Region, User


def activity_list_for_user(*, user: User, limit: int = 20) -> QuerySet[Activity]:
    return Activity.objects.filter(actor=user).select_related("target_type").order_by("-id")[:limit]


def document_list_for_user(*, user: User) -> QuerySet[CitizenDocument]:
    return CitizenDocument.objects.filter(owner=user).order_by("expires_on")


def kelurahan_choices() -> QuerySet[Region]:
    return (
        Region.objects.filter(level=Region.Level.KELURAHAN)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
