"""Factories of the notifications tests."""

from __future__ import annotations

import factory

from notifications.models import Category, Message, TemplateKey


def category(key: str = "reminders") -> Category:
    return Category.objects.get(key=key)


def template_key(key: str = "reminder.document") -> TemplateKey:
    return TemplateKey.objects.get(key=key)


class InboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    channel = "inbox"
    template_key = "announcement.generic"
    category = factory.LazyFunction(lambda: Category.objects.get(key="announcements"))
    subject = factory.Sequence(lambda n: f"Pengumuman {n}")
    body_text = "Isi pengumuman."
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    status = Message.Status.DELIVERED
