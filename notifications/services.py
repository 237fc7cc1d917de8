"""Writes of the notifications app. Other apps call `notify()`; nothing else here is theirs.

`notify()` records one Message per (recipient, channel) with INSERT … ON CONFLICT DO
NOTHING on (recipient, channel, idempotency_key), so a retried caller, a job run twice
or two concurrent requests never record a notice twice; delivery is enqueued only for
rows this call inserted, after its transaction commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone, translation

from notifications import conf, rendering
from notifications.letters.services import (  # re-exported: the one seam to e-Surat
    LetterError,
    Verdict,
    VerdictStatus,
    letter_revoke,
    letter_verify_pdf,
)
from notifications.letters.services import letter_issue as _letter_issue
from notifications.models import (
    Category,
    Channel,
    Message,
    NotificationTemplate,
    Preference,
    TemplateKey,
)
from portal.models import User
from portal.services import activity_record

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
_CHUNK = 1000


class NotifyError(ValueError):
    """A caller's mistake: unknown template key or category, or no template to render."""


@dataclass(frozen=True)
class Item:
    """One recipient of a batch: the user (with citizen_profile loaded), their context and key."""

    user: User
    context: dict[str, Any]
    idempotency_key: str


def _category(category: Category | str) -> Category:
    if isinstance(category, Category):
        return category
    try:
        return Category.objects.get(key=category)
    except Category.DoesNotExist as error:
        raise NotifyError(f"Unknown notification category {category!r}.") from error


def _templates(template_key: str) -> tuple[TemplateKey, dict[str, NotificationTemplate]]:
    try:
        kind = TemplateKey.objects.get(key=template_key)
    except TemplateKey.DoesNotExist as error:
        raise NotifyError(f"Unknown notification template key {template_key!r}.") from error
    templates = {template.language: template for template in kind.templates.all()}
    if not templates:
        raise NotifyError(f"Template key {template_key!r} has no template in any language.")
    return kind, templates


def _emailable(user_ids: Iterable[int]) -> set[int]:
    """Users whose account email is verified: only those get email."""
    return set(
        EmailAddress.objects.filter(user_id__in=list(user_ids), verified=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _preferences(user_ids: Iterable[int], category: Category) -> dict[tuple[int, str], bool]:
    rows = Preference.objects.filter(user_id__in=list(user_ids), category=category)
    return {
        (row.user_id, row.channel): row.enabled
        for row in rows.only("user_id", "channel", "enabled")
    }


def channel_enabled(
    *, category: Category, channel: str, preferences: dict[tuple[int, str], bool], user_id: int
) -> bool:
    if channel == Channel.INBOX or category.transactional:
        return True
    return preferences.get((user_id, channel), channel in category.default_channels)


def _phone(user: User) -> str:
    profile = getattr(user, "citizen_profile", None)
    return (profile.phone or "") if profile is not None else ""


def _language_for(
    user: User, language: str | None, templates: dict[str, NotificationTemplate]
) -> str:
    wanted = language or getattr(user, "language", None) or settings.LANGUAGE_CODE
    if wanted in templates:
        return wanted
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in templates else next(iter(templates))


def _split_contexts(
    contexts: list[dict[str, Any]],
) -> tuple[dict[str, Any], list[str] | None]:
    """The values every recipient of a batch shares, and the names that differ (None when
    one of those is not a string: the engine formats dates and numbers, a slot cannot)."""
    first = contexts[0] if contexts else {}
    names = set().union(*contexts) if contexts else set()
    shared = {
        name: first[name]
        for name in names
        if name in first and all(c.get(name, _MISSING) == first[name] for c in contexts)
    }
    varying = sorted(names - set(shared))
    if any(not isinstance(c.get(name, ""), str) for c in contexts for name in varying):
        return shared, None
    return shared, varying


_MISSING = object()


def _plan(
    *,
    items: Sequence[Item],
    kind: TemplateKey,
    templates: dict[str, NotificationTemplate],
    category: Category,
    channels: Sequence[str] | None,
    language: str | None,
    campaign_id: int | None = None,
) -> list[Message]:
    user_ids = [item.user.pk for item in items]
    if channels:
        wanted = list(channels)
    elif category.transactional:
        wanted = list(category.default_channels)
    else:
        # Every channel: each recipient's choices (or the category's defaults) decide.
        wanted = list(Channel.values)
    unknown = set(wanted) - set(Channel.values)
    if unknown:
        raise NotifyError(f"Unknown channels {sorted(unknown)}.")
    emailable = _emailable(user_ids) if Channel.EMAIL in wanted else set()
    preferences = _preferences(user_ids, category) if not category.transactional else {}
    allowed = set(kind.variables)
    now = timezone.now()
    planned: list[Message] = []
    contexts = [
        rendering.restricted_context(
            {"name": item.user.get_full_name(), **item.context}, allowed=allowed
        )
        for item in items
    ]
    shared, varying = _split_contexts(contexts)
    slotted: dict[tuple[str, str], rendering.SlotRenderer | None] = {}

    def slot_renderer(template: NotificationTemplate, field: str, html: bool):
        key = (template.language, field)
        if varying is None:
            return None
        if key not in slotted:
            with translation.override(template.language):
                slotted[key] = rendering.SlotRenderer.for_batch(
                    getattr(template, field), shared, varying, html=html
                )
        return slotted[key]

    for item, context in zip(items, contexts, strict=True):
        user = item.user
        template = templates[_language_for(user, language, templates)]
        rendered: dict[str, str] = {}

        def text(field: str, *, html: bool = False, _t=template, _c=context, _r=rendered) -> str:
            if field not in _r:
                fast = slot_renderer(_t, field, html)
                if fast is not None:
                    _r[field] = fast.render(_c)
                else:
                    with translation.override(_t.language):
                        _r[field] = rendering.render(getattr(_t, field), _c, html=html)
            return _r[field]

        for channel in wanted:
            if not channel_enabled(
                category=category, channel=channel, preferences=preferences, user_id=user.pk
            ):
                continue
            address = ""
            body_html = ""
            if channel == Channel.EMAIL:
                if user.pk not in emailable or not user.email:
                    continue
                address, body, body_html = (
                    user.email,
                    text("body_text"),
                    text("body_html", html=True),
                )
            elif channel == Channel.SMS:
                address = _phone(user)
                if not address or not template.sms_text:
                    continue
                body = text("sms_text")
            elif channel == Channel.PUSH:
                if not template.sms_text:
                    continue
                address, body = str(user.pk), text("sms_text")
            else:
                body = text("body_text")
            inbox = channel == Channel.INBOX
            planned.append(
                Message(
                    uid=uuid.uuid4(),
                    recipient=user,
                    channel=channel,
                    address=address,
                    template_key=kind.key,
                    category=category,
                    language=template.language,
                    subject=text("subject")[:200],
                    body_text=body,
                    body_html=body_html,
                    idempotency_key=item.idempotency_key,
                    status=Message.Status.DELIVERED if inbox else Message.Status.CREATED,
                    delivered_at=now if inbox else None,
                    campaign_id=campaign_id,
                )
            )
    return planned


def _record(planned: list[Message], *, only_new: bool = False) -> tuple[list[Message], list[int]]:
    """Insert what is new (ON CONFLICT DO NOTHING); return all matching messages and the new ids.

    `only_new` (bulk callers): return just the messages this call inserted, as planned,
    found by their fresh uid — no full rows read back.
    """
    if not planned:
        return [], []
    Message.objects.bulk_create(planned, ignore_conflicts=True, batch_size=_CHUNK)
    if only_new:
        by_uid = {message.uid: message for message in planned}
        inserted = Message.objects.filter(uid__in=list(by_uid)).values_list("uid", "pk")
        new = []
        for uid, pk in inserted:
            message = by_uid[uid]
            message.pk, message.is_new = pk, True
            message._state.adding = False
            new.append(message)
        new.sort(key=lambda m: m.pk)
        return new, [m.pk for m in new if m.channel != Channel.INBOX]
    ours = {message.uid for message in planned}
    keys = {message.idempotency_key for message in planned}
    user_ids = {message.recipient_id for message in planned}
    channels = {message.channel for message in planned}
    stored = list(
        Message.objects.filter(
            recipient_id__in=user_ids, idempotency_key__in=keys, channel__in=channels
        )
    )
    wanted = {(m.recipient_id, m.channel, m.idempotency_key) for m in planned}
    stored = [m for m in stored if (m.recipient_id, m.channel, m.idempotency_key) in wanted]
    for message in stored:
        # Callers may count what this call recorded, as opposed to what was there before.
        message.is_new = message.uid in ours
    new_ids = [m.pk for m in stored if m.is_new and m.channel != Channel.INBOX]
    return stored, new_ids


def enqueue_delivery(
    message_ids: Sequence[int], *, queue: str | None = None, batch: int | None = None
) -> None:
    """Hand message ids to the delivery task in batches, once the transaction commits."""
    from notifications.tasks import deliver

    size = batch or int(conf.get("NOTIFICATIONS_DELIVER_BATCH"))
    queue = queue or conf.get("NOTIFICATIONS_QUEUE")
    options = {"queue": queue} if queue else {}
    for start in range(0, len(message_ids), size):
        chunk = list(message_ids[start : start + size])
        transaction.on_commit(lambda chunk=chunk: deliver.apply_async(args=[chunk], **options))


def notify_items(
    *,
    items: Sequence[Item],
    template_key: str,
    category: Category | str,
    channels: Sequence[str] | None = None,
    language: str | None = None,
    queue: str | None = None,
    campaign_id: int | None = None,
    batch: int | None = None,
    only_new: bool = False,
) -> list[Message]:
    """notify() for recipients that each have their own context and idempotency key.

    `batch`: messages per delivery task (campaigns send bigger batches, each over one
    SMTP connection). `only_new`: return only the messages this call recorded, without
    reading stored rows back (campaigns and reminders, which only count them)."""
    category = _category(category)
    kind, templates = _templates(template_key)
    messages: list[Message] = []
    with transaction.atomic():
        for start in range(0, len(items), _CHUNK):
            planned = _plan(
                items=items[start : start + _CHUNK],
                kind=kind,
                templates=templates,
                category=category,
                channels=channels,
                language=language,
                campaign_id=campaign_id,
            )
            stored, new_ids = _record(planned, only_new=only_new)
            messages.extend(stored)
            enqueue_delivery(new_ids, queue=queue, batch=batch)
    return messages


def notify(
    *,
    recipients: Iterable[User | int],
    template_key: str,
    context: dict[str, Any] | Callable[[User], dict[str, Any]],
    category: Category | str,
    channels: Sequence[str] | None = None,
    idempotency_key: str | None = None,
    language: str | None = None,
) -> list[Message]:
    """Send the notice `template_key` to each recipient on their channels; return its messages.

    Channels are `channels` or the category's defaults, less those the recipient switched
    off (unless the category is transactional) and those they have no address for (no
    verified email, no phone). With an `idempotency_key`, calling again — concurrently,
    or from a retried task — returns the messages already recorded instead of new ones.
    `context` may be a function of the recipient for personalised notices.
    """
    ids = [r.pk if isinstance(r, User) else int(r) for r in recipients]
    users = User.objects.filter(pk__in=ids, is_active=True).select_related("citizen_profile")
    items = []
    for user in users.order_by("pk"):
        user_context = context(user) if callable(context) else context
        items.append(
            Item(
                user=user,
                context=dict(user_context),
                idempotency_key=idempotency_key or f"auto:{uuid.uuid4()}",
            )
        )
    return notify_items(
        items=items,
        template_key=template_key,
        category=category,
        channels=channels,
        language=language,
    )


# --- The citizen's own actions -------------------------------------------------------


@transaction.atomic
def message_mark_read(*, user: User, message: Message) -> Message:
    if message.recipient_id != user.pk:
        raise PermissionError("A citizen can only read their own messages.")
    if message.read_at is None and message.channel == Channel.INBOX:
        now = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
    return message


@transaction.atomic
def inbox_mark_all_read(*, user: User) -> int:
    count = Message.objects.filter(
        recipient=user, channel=Channel.INBOX, read_at__isnull=True
    ).update(read_at=timezone.now())
    if count:
        activity_record(actor=user, verb="notifications.all_read", data={"count": count})
    return count


@transaction.atomic
def preferences_update(
    *, user: User, choices: dict[tuple[str, str], bool], language: str | None = None
) -> list[Preference]:
    """Store the citizen's choices; transactional categories and the inbox cannot be switched off.

    `language` (id/en; anything else is ignored) is the language of their notices."""
    if language in dict(settings.LANGUAGES) and language != user.language:
        user.language = language
        user.save(update_fields=["language"])
        activity_record(
            actor=user, verb="notifications.preferences_updated", data={"language": language}
        )
    categories = {c.key: c for c in Category.objects.filter(transactional=False)}
    changed: list[Preference] = []
    existing = {(p.category_id, p.channel): p for p in Preference.objects.filter(user=user)}
    for (category_key, channel), enabled in choices.items():
        category = categories.get(category_key)
        if category is None or channel == Channel.INBOX or channel not in Channel.values:
            continue
        current = existing.get((category.pk, channel))
        default = channel in category.default_channels
        if current is None and enabled == default:
            continue
        if current is not None and current.enabled == enabled:
            continue
        preference, _created = Preference.objects.update_or_create(
            user=user, category=category, channel=channel, defaults={"enabled": enabled}
        )
        changed.append(preference)
    if changed:
        activity_record(
            actor=user,
            verb="notifications.preferences_updated",
            data={"changed": sorted(f"{p.category.key}:{p.channel}" for p in changed)},
        )
    return changed


def _signer() -> signing.Signer:
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(*, user_id: int, category_key: str) -> str:
    """A short signed `<user id>.<category>` (it goes into a header of every bulk email)."""
    return _signer().sign(f"{user_id}.{category_key}")


def unsubscribe_target(token: str) -> tuple[User, Category] | None:
    """The (user, category) a token names, or None when it is forged or names nothing."""
    try:
        user_part, category_key = _signer().unsign(token).split(".", 1)
        user_id = int(user_part)
    except (signing.BadSignature, ValueError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    category = Category.objects.filter(key=category_key).first()
    if user is None or category is None:
        return None
    return user, category


@transaction.atomic
def email_unsubscribe(*, user: User, category: Category) -> bool:
    """Switch email off for one category (RFC 8058 one-click); False if it is transactional."""
    if category.transactional:
        return False
    Preference.objects.update_or_create(
        user=user, category=category, channel=Channel.EMAIL, defaults={"enabled": False}
    )
    activity_record(
        actor=user,
        verb="notifications.unsubscribed",
        target=category,
        data={"category": category.key, "channel": "email"},
    )
    return True


@transaction.atomic
def template_define(
    *,
    key: str,
    category: str,
    variables: Sequence[str],
    texts: dict[str, dict[str, str]],
    description: str = "",
    sample_context: dict[str, Any] | None = None,
) -> TemplateKey:
    """Declare a notice kind and its default texts per language (for other apps' migrations
    or post_migrate handlers). Idempotent; never overwrites texts an admin has edited."""
    kind, _created = TemplateKey.objects.get_or_create(
        key=key,
        defaults={
            "category": _category(category),
            "variables": list(variables),
            "description": description,
            "sample_context": sample_context or {},
        },
    )
    missing = set(variables) - set(kind.variables)
    if missing:
        kind.variables = [*kind.variables, *sorted(missing)]
        kind.save(update_fields=["variables"])
    for language, fields in texts.items():
        template = NotificationTemplate(template_key=kind, language=language, **fields)
        if not NotificationTemplate.objects.filter(template_key=kind, language=language).exists():
            template.full_clean()
            template.save()
    return kind


# --- e-Surat ---------------------------------------------------------------------
# Other apps reach e-Surat only through this module (DESIGN.md). They name units and
# archive classifications by code, since they may not import the letters models.
__all__ = [
    "LetterError",
    "NotifyError",
    "Verdict",
    "VerdictStatus",
    "letter_issue",
    "letter_revoke",
    "letter_verify_pdf",
    "notify",
    "notify_items",
    "template_define",
]


def letter_issue(
    *,
    unit_code: str,
    classification_code: str,
    official_user: User | None = None,
    **fields: Any,
):
    """Issue a numbered, signed, logged e-Surat letter for another app.

    The signing official is the active official of the unit who is `official_user`
    (e.g. the PYBMC who decided), else the unit's first active official.
    """
    from notifications.letters.models import Classification, IssuingUnit, SigningOfficial

    try:
        unit = IssuingUnit.objects.get(code=unit_code)
        classification = Classification.objects.get(code=classification_code)
    except (IssuingUnit.DoesNotExist, Classification.DoesNotExist) as error:
        raise LetterError(
            f"Unit {unit_code} atau klasifikasi {classification_code} belum terdaftar di e-Surat."
        ) from error
    officials = SigningOfficial.objects.filter(unit=unit, active=True).order_by("pk")
    official = (officials.filter(user=official_user).first() if official_user else None) or (
        officials.first()
    )
    if official is None:
        raise LetterError(f"Unit {unit_code} belum memiliki pejabat penanda tangan yang aktif.")
    return _letter_issue(unit=unit, classification=classification, official=official, **fields)
