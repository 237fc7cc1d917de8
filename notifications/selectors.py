"""Reads of the notifications app that pages reuse."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Category, Channel, Message, Preference
from portal.models import User


def inbox_for_user(*, user: User) -> QuerySet[Message]:
    """The citizen's inbox, newest first (the (recipient, channel, -created_at) index)."""
    return (
        Message.objects.filter(recipient=user, channel=Channel.INBOX)
        .only("id", "uid", "subject", "body_text", "created_at", "read_at", "channel")
        .order_by("-created_at", "-id")
    )


def unread_count(*, user: User) -> int:
    return Message.objects.filter(
        recipient=user, channel=Channel.INBOX, read_at__isnull=True
    ).count()


def preference_table(*, user: User) -> list[dict]:
    """Per category, each switchable channel with its current state (2 queries)."""
    chosen = {(p.category_id, p.channel): p.enabled for p in Preference.objects.filter(user=user)}
    rows = []
    channels = [Channel.EMAIL, Channel.SMS, Channel.PUSH]
    for category in Category.objects.all():
        cells = []
        for channel in channels:
            default = channel in category.default_channels
            enabled = (
                default if category.transactional else chosen.get((category.pk, channel), default)
            )
            cells.append(
                {
                    "channel": channel,
                    "label": Channel(channel).label,
                    "enabled": enabled,
                    "locked": category.transactional,
                    "name": f"pref-{category.key}-{channel}",
                }
            )
        rows.append({"category": category, "cells": cells})
    return rows
