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
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.headerregistry import HeaderRegistry
from urllib.parse import quote

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _

from notifications import backends, conf, limits, mime
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
    # Bulk messages held back by a channel's limits: `later` go again in a second
    # (this call ran out of time waiting for the rate), `next_day` after midnight.
    later: list[int] = field(default_factory=list)
    next_day: list[int] = field(default_factory=list)


def backoff_seconds(attempts: int) -> int:
    base = int(conf.get("NOTIFICATIONS_RETRY_BASE_S"))
    return min(base * 2 ** max(attempts - 1, 0), int(conf.get("NOTIFICATIONS_RETRY_MAX_S")))


def messages_claim(*, message_ids: Sequence[int]) -> list[Message]:
    """Take the messages that are ours to send now; others (sent, being sent) are left alone."""
    now = timezone.now()
    lease = timedelta(seconds=int(conf.get("NOTIFICATIONS_SENDING_LEASE_S")))
    # A message deferred by a daily limit (created, next_attempt_at tomorrow) waits.
    claimable = (
        Q(status=Message.Status.CREATED, next_attempt_at__isnull=True)
        | Q(status=Message.Status.CREATED, next_attempt_at__lte=now)
        | Q(status=Message.Status.TEMPORARY_FAILURE)
        | Q(status=Message.Status.SENDING, claimed_at__lt=now - lease)
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
    return _unsubscribe_prefix(settings.SITE_URL) + quote(token, safe=":.-_") + "/"


@functools.lru_cache(maxsize=8)
def _unsubscribe_prefix(site_url: str) -> str:
    # reverse() once per process, not per email: its cost shows at campaign scale.
    marker = "TOKEN"
    return site_url + reverse("notifications:unsubscribe", args=[marker])[: -len(marker) - 1]


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
        html = [content for content, mimetype in self.alternatives if mimetype == "text/html"]
        simple = (
            not self.attachments
            and not (self.cc or self.bcc or self.reply_to)
            and len(self.to) == 1
            and self.to[0].isascii()
            and len(self.alternatives) == len(html) <= 1
        )
        if simple:
            # The common case, written out directly (see notifications.mime for why).
            return mime.build(
                from_email=str(self.from_email),
                to=self.to[0],
                subject=str(self.subject),
                text=self.body,
                html=str(html[0]) if html else "",
                headers=self.extra_headers,
                linesep=policy.linesep,
            )
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


def _send_emails(messages: Iterable[Message]) -> Iterator[Outcome]:
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


def _send_texts(channel: str, messages: Iterable[Message]) -> Iterator[Outcome]:
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


_DELIVERED_SQL = (
    "UPDATE notifications_message SET status = %s, delivered_at = %s, updated_at = %s,"
    " last_error = '', next_attempt_at = NULL"
    " WHERE id = %s AND status = %s AND claimed_at = %s"
)


def _record_delivered(cursor, message: Message, now) -> bool:
    # Hand-written and sent the moment the provider accepted the email: what a killed
    # worker can leave sent-but-unrecorded (and so sent again after its lease) is the
    # one message in flight, and the ORM's compile would widen that window.
    cursor.execute(
        _DELIVERED_SQL,
        [
            Message.Status.DELIVERED,
            now,
            now,
            message.pk,
            Message.Status.SENDING,
            message.claimed_at,
        ],
    )
    return cursor.rowcount == 1


def _record(message: Message, error: DeliveryError | None, report: DeliveryReport, cursor) -> None:
    """Write one outcome at once, and only while the claim is still ours (same claimed_at)."""
    now = timezone.now()
    if error is None:
        if _record_delivered(cursor, message, now):
            report.delivered.append(message.pk)
        return
    mine = Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
    )
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
    mine.update(status=status, last_error=text[:2000], next_attempt_at=next_at, updated_at=now)


@contextlib.contextmanager
def _outcome_cursor() -> Iterator:
    """A cursor for the per-message outcome writes, without a disk flush per commit.

    An outcome must be visible to other workers before the next email goes out (that
    is what keeps a claim from sending twice); it need not be on disk. With
    synchronous_commit off, PostgreSQL acknowledges each commit without waiting for its
    WAL flush (about 7 ms on our disks, more than the email itself). Only a crash of
    the database server itself can lose the last fraction of a second of outcomes:
    those messages go out again after their lease (at least once, never lost).
    """
    with connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql" and not connection.in_atomic_block
        if postgres:
            cursor.execute("SET synchronous_commit TO off")
        try:
            yield cursor
        finally:
            if postgres:
                cursor.execute("RESET synchronous_commit")


def _within_limits(
    channel: str, messages: list[Message], report: DeliveryReport, deadline: float
) -> Iterator[Message]:
    """The messages that the channel's limits let through now; bulk ones past them are
    handed back (status created again, the attempt not counted), never dropped."""
    allowance = limits.Allowance(channel, deadline=deadline)
    transactional = 0
    for index, message in enumerate(messages):
        if index and time.monotonic() > deadline:
            # A slow provider: stop before the task's time limit, the rest goes again.
            _hand_back(messages[index:], next_day=False, report=report)
            break
        if message.campaign_id is None:
            transactional += 1
            yield message
            continue
        verdict = allowance.acquire()
        if verdict == "ok":
            yield message
            continue
        held = [m for m in messages[index:] if m.campaign_id is not None]
        rest = [m for m in messages[index:] if m.campaign_id is None]
        _hand_back(held, next_day=verdict == "day", report=report)
        transactional += len(rest)
        yield from rest
        break
    limits.count_sent(channel, transactional)


def _hand_back(messages: list[Message], *, next_day: bool, report: DeliveryReport) -> None:
    if not messages:
        return
    when = limits.next_day_start() if next_day else timezone.now()
    for message in messages:
        Message.objects.filter(
            pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
        ).update(
            status=Message.Status.CREATED,
            attempts=F("attempts") - 1,
            claimed_at=None,
            next_attempt_at=when,
            last_error="ditunda: batas harian kanal" if next_day else "",
        )
    (report.next_day if next_day else report.later).extend(m.pk for m in messages)


def messages_deliver(*, message_ids: Sequence[int], budget_s: float = 90) -> DeliveryReport:
    """Send what can be claimed of `message_ids`; the report says what to retry and when.

    Emails of one call share one SMTP connection; each outcome is written as soon as
    it is known. Campaign messages keep to the channel's limits (notifications.limits),
    waiting at most `budget_s` for the rate before handing the rest back.
    """
    deadline = time.monotonic() + budget_s
    messages = messages_claim(message_ids=message_ids)
    report = DeliveryReport()
    by_channel: dict[str, list[Message]] = {}
    for message in messages:
        by_channel.setdefault(message.channel, []).append(message)
    with _outcome_cursor() as cursor:
        for channel, group in by_channel.items():
            allowed = _within_limits(channel, group, report, deadline)
            outcomes = (
                _send_emails(allowed) if channel == Channel.EMAIL else _send_texts(channel, allowed)
            )
            for message, error in outcomes:
                _record(message, error, report, cursor)
    claimed = {m.pk for m in messages}
    report.skipped = [pk for pk in message_ids if pk not in claimed]
    return report


def messages_due_for_retry(*, limit: int = 50_000) -> tuple[list[int], list[int]]:
    """Messages whose delivery task was lost (broker down at commit, worker gone) or whose
    deferral ended, for the sweep: (campaign messages, the others)."""
    now = timezone.now()
    lease = timedelta(seconds=int(conf.get("NOTIFICATIONS_SENDING_LEASE_S")))
    grace = timedelta(seconds=int(conf.get("NOTIFICATIONS_SWEEP_AFTER_S")))
    rows = (
        Message.objects.filter(
            Q(status=Message.Status.CREATED, created_at__lt=now - grace, next_attempt_at=None)
            | Q(status=Message.Status.CREATED, next_attempt_at__lt=now)
            | Q(status=Message.Status.TEMPORARY_FAILURE, next_attempt_at__lt=now - grace)
            | Q(status=Message.Status.SENDING, claimed_at__lt=now - lease)
        )
        .exclude(channel=Channel.INBOX)
        .order_by("pk")
        .values_list("pk", "campaign_id")[:limit]
    )
    bulk, other = [], []
    for pk, campaign_id in rows:
        (bulk if campaign_id else other).append(pk)
    return bulk, other
