"""Sending recorded messages: claim, send through the channel's seam, record the outcome.

A message is claimed with a guarded UPDATE (created / temporary_failure, or "sending"
whose lease ran out because its worker died) under SELECT … FOR UPDATE SKIP LOCKED, so
two workers never send the same message; the outcome is written only while the claim
is still ours.
"""

from __future__ import annotations

import contextlib
import email.policy
import functools
import logging
import re
import smtplib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import HeaderRegistry
from urllib.parse import quote

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from notifications import backends, conf
from notifications.backends import DeliveryError, PermanentFailure, TemporaryFailure
from notifications.models import Channel, Message
from notifications.services import unsubscribe_token

logger = logging.getLogger(__name__)
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    temporary: list[int] = field(default_factory=list)
    permanent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry_countdown: int = 0


def backoff_seconds(attempts: int) -> int:
    base = int(conf.get("NOTIFICATIONS_RETRY_BASE_S"))
    return min(base * 2 ** max(attempts - 1, 0), int(conf.get("NOTIFICATIONS_RETRY_MAX_S")))


def messages_claim(*, message_ids: Sequence[int]) -> list[Message]:
    """Take the messages that are ours to send now; others (sent, being sent) are left alone."""
    now = timezone.now()
    lease = timedelta(seconds=int(conf.get("NOTIFICATIONS_SENDING_LEASE_S")))
    claimable = Q(status__in=[Message.Status.CREATED, Message.Status.TEMPORARY_FAILURE]) | Q(
        status=Message.Status.SENDING, claimed_at__lt=now - lease
    )
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(claimable, pk__in=list(message_ids))
            .exclude(channel=Channel.INBOX)
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    return list(
        Message.objects.filter(pk__in=ids, claimed_at=now).select_related("category").order_by("pk")
    )


def _unsubscribe_url(message: Message) -> str:
    token = unsubscribe_token(user_id=message.recipient_id, category_key=message.category.key)
    # reverse() once per process, not per email: its cost shows at campaign scale.
    return _unsubscribe_prefix() + quote(token, safe=":.-_") + "/"


def _unsubscribe_prefix() -> str:
    marker = "TOKEN"
    return (
        settings.SITE_URL + reverse("notifications:unsubscribe", args=[marker])[: -len(marker) - 1]
    )


class _CachedHeaderRegistry(HeaderRegistry):
    """The standard registry builds a new header class on every lookup; bulk mail pays
    for that on each of its headers, so the classes are kept."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls


@functools.cache
def _policy(base: email.policy.Policy) -> email.policy.Policy:
    # Headers are folded only past RFC 5322's 998-character limit: the default policy
    # turns a long unbreakable header (the List-Unsubscribe URL) into RFC 2047 encoded
    # words, which mail clients do not read as a URL.
    return base.clone(max_line_length=998, header_factory=_CachedHeaderRegistry())


class NoticeEmail(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        return super().message(policy=_policy(policy))


def _footer(message: Message, url: str) -> tuple[str, str]:
    with translation.override(message.language):
        reason = _('Anda menerima email ini karena berlangganan pemberitahuan "%(category)s".') % {
            "category": message.category.name
        }
        stop = _("Berhenti menerima email ini")
    text = f"\n\n--\n{reason}\n{stop}: {url}"
    html = format_html(
        '<hr><p style="font-size:12px;color:#4a5560">{} <a href="{}">{}</a></p>', reason, url, stop
    )
    return text, html


# The HTML email's frame (email clients need inline styles; no template engine per message).
_HTML_PAGE = (
    '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{subject}</title>'
    '</head>\n<body style="margin:0;padding:16px;font-family:Arial,sans-serif;color:#1a1f24;'
    'line-height:1.5">\n<p style="font-weight:bold;color:#0b5394">Portal Layanan Publik</p>\n'
    "{body}\n</body></html>\n"
)


def build_email(message: Message) -> NoticeEmail:
    headers = {"X-Portal-Message": str(message.uid)}
    body_text, body_html = message.body_text, message.body_html
    if not message.category.transactional:
        url = _unsubscribe_url(message)
        # RFC 8058: mail clients offer one-click unsubscribe and POST to the URL.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        footer_text, footer_html = _footer(message, url)
        body_text += footer_text
        if body_html:
            body_html += footer_html
    if body_html:
        body_html = _HTML_PAGE.format(
            lang=escape(message.language), subject=escape(message.subject), body=body_html
        )
    email_message = NoticeEmail(
        subject=message.subject,
        body=body_text,
        from_email=conf.get("NOTIFICATIONS_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers=headers,
    )
    if body_html:
        email_message.attach_alternative(body_html, "text/html")
    return email_message


def _smtp_failure(error: Exception) -> DeliveryError:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        return (PermanentFailure if permanent else TemporaryFailure)(f"recipient refused: {codes}")
    if isinstance(error, smtplib.SMTPResponseException):
        cls = PermanentFailure if 500 <= error.smtp_code < 600 else TemporaryFailure
        return cls(f"SMTP {error.smtp_code}: {error.smtp_error!r}")
    return TemporaryFailure(f"{type(error).__name__}: {error}")


Outcome = tuple[Message, DeliveryError | None]


def _send_emails(messages: list[Message]) -> Iterator[Outcome]:
    mailer = mail.mailers[conf.get("NOTIFICATIONS_MAILER")]
    opened = False
    try:
        for message in messages:
            try:
                validate_email(message.address)
            except ValidationError:
                yield message, PermanentFailure(f"invalid email address {message.address!r}")
                continue
            try:
                if not opened:
                    mailer.open()
                    opened = True
                mailer.send_messages([build_email(message)])
            except Exception as error:
                # A broken session is not reused: the next message opens a new connection.
                with contextlib.suppress(Exception):  # the connection is already gone
                    mailer.close()
                opened = False
                yield message, _smtp_failure(error)
            else:
                yield message, None
    finally:
        if opened:
            mailer.close()


def _send_texts(channel: str, messages: list[Message]) -> Iterator[Outcome]:
    try:
        backend = backends.get_backend(channel)
    except DeliveryError as error:
        for message in messages:
            yield message, error
        return
    for message in messages:
        if channel == Channel.SMS and not _PHONE.match(message.address.replace(" ", "")):
            yield message, PermanentFailure(f"invalid phone number {message.address!r}")
            continue
        try:
            backend.send(
                to=message.address,
                title=message.subject,
                body=message.body_text,
                reference=str(message.uid),
            )
        except DeliveryError as error:
            yield message, error
        except Exception as error:  # an unexpected backend error is retried
            yield message, TemporaryFailure(f"{type(error).__name__}: {error}")
        else:
            yield message, None


def _record(message: Message, error: DeliveryError | None, report: DeliveryReport) -> None:
    """Write one outcome at once, and only while the claim is still ours (same claimed_at).

    Recording each message as soon as it is sent keeps what a killed worker can leave
    sent-but-unrecorded (and so sent again after the lease) to the one message in flight.
    """
    now = timezone.now()
    mine = Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
    )
    if error is None:
        if mine.update(
            status=Message.Status.DELIVERED, delivered_at=now, last_error="", next_attempt_at=None
        ):
            report.delivered.append(message.pk)
        return
    gave_up = not error.permanent and message.attempts >= int(
        conf.get("NOTIFICATIONS_MAX_ATTEMPTS")
    )
    if error.permanent or gave_up:
        status = Message.Status.PERMANENT_FAILURE
        text = str(error) if not gave_up else f"gave up after {message.attempts} attempts: {error}"
        next_at = None
        report.permanent.append(message.pk)
    else:
        status = Message.Status.TEMPORARY_FAILURE
        text = str(error)
        countdown = backoff_seconds(message.attempts)
        report.retry_countdown = min(report.retry_countdown or countdown, countdown)
        next_at = now + timedelta(seconds=countdown)
        report.temporary.append(message.pk)
    logger.info("message %s %s: %s", message.pk, status, text)
    mine.update(status=status, last_error=text[:2000], next_attempt_at=next_at)


def messages_deliver(*, message_ids: Sequence[int]) -> DeliveryReport:
    """Send what can be claimed of `message_ids`; the report says what to retry and when."""
    messages = messages_claim(message_ids=message_ids)
    report = DeliveryReport()
    by_channel: dict[str, list[Message]] = {}
    for message in messages:
        by_channel.setdefault(message.channel, []).append(message)
    for channel, group in by_channel.items():
        outcomes = _send_emails(group) if channel == Channel.EMAIL else _send_texts(channel, group)
        for message, error in outcomes:
            _record(message, error, report)
    claimed = {m.pk for m in messages}
    report.skipped = [pk for pk in message_ids if pk not in claimed]
    return report


def messages_due_for_retry(*, limit: int = 5000) -> list[int]:
    """Messages whose delivery task was lost (broker down at commit, worker gone): for the sweep."""
    now = timezone.now()
    lease = timedelta(seconds=int(conf.get("NOTIFICATIONS_SENDING_LEASE_S")))
    grace = timedelta(seconds=int(conf.get("NOTIFICATIONS_SWEEP_AFTER_S")))
    return list(
        Message.objects.filter(
            Q(status=Message.Status.CREATED, created_at__lt=now - grace)
            | Q(status=Message.Status.TEMPORARY_FAILURE, next_attempt_at__lt=now - grace)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - lease)
        )
        .exclude(channel=Channel.INBOX)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
