"""Campaigns: a bulk notice to a segment or to the rows of a CSV file.

A CSV file is validated row by row before anything is sent; one bad row rejects the
file, with a downloadable report (row, column, value, problem). Sending runs in
batches on the bulk queue, each batch recorded with the campaign's idempotency key,
so a crashed or repeated run sends nobody twice, and a cancel takes effect between
batches (messages not yet sent are stopped too). A pause between batches keeps a
campaign under its rate, and transactional notices have their own queue.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import conf
from notifications.models import Campaign, Message
from notifications.services import Item, notify_items
from portal.models import User
from portal.validators import nik_digest, normalize_nik, validate_nik

BATCH = 1000
MAX_ROWS = 1_000_000
IDENTITY_COLUMNS = ("nik", "email")


@dataclass
class RowError:
    row: int
    column: str
    value: str
    problem: str


def _rows(campaign: Campaign) -> Iterator[dict[str, str]]:
    campaign.csv_file.open("rb")
    try:
        text = io.TextIOWrapper(campaign.csv_file.file, encoding="utf-8-sig", newline="")
        yield from csv.DictReader(text)
    finally:
        campaign.csv_file.close()


def _header(campaign: Campaign) -> list[str]:
    campaign.csv_file.open("rb")
    try:
        text = io.TextIOWrapper(campaign.csv_file.file, encoding="utf-8-sig", newline="")
        return [name.strip() for name in next(csv.reader(text), [])]
    finally:
        campaign.csv_file.close()


def _lookup(batch: list[tuple[int, dict[str, str]]], column: str) -> dict[str, User]:
    """Users for a batch of rows by NIK (through its keyed digest) or email: one query."""
    if column == "nik":
        digests = {nik_digest(normalize_nik(row["nik"])): row["nik"] for _n, row in batch}
        users = User.objects.filter(
            citizen_profile__nik_digest__in=list(digests), is_active=True
        ).select_related("citizen_profile")
        return {normalize_nik(digests[u.citizen_profile.nik_digest]): u for u in users}
    emails = {row["email"].strip().lower() for _n, row in batch}
    users = User.objects.filter(email__in=emails, is_active=True).select_related("citizen_profile")
    return {u.email.lower(): u for u in users}


def _key(row: dict[str, str], column: str) -> str:
    return normalize_nik(row["nik"]) if column == "nik" else row["email"].strip().lower()


class _Batch(list):
    """Resolved (row, user) pairs of one batch, and how many rows the batch read."""

    rows = 0


def _csv_batches(campaign: Campaign, errors: _ErrorReport | None) -> Iterator[_Batch]:
    """Rows with their users, in batches; problems go to `errors` (validation pass)."""
    header = _header(campaign)
    column = "nik" if "nik" in header else "email"
    batch: list[tuple[int, dict[str, str]]] = []

    read = 0

    def flush():
        nonlocal read
        found = _lookup(batch, column) if batch else {}
        resolved = _Batch()
        resolved.rows, read = read, 0
        for number, row in batch:
            user = found.get(_key(row, column))
            if user is None:
                if errors is not None:
                    errors.append(RowError(number, column, row[column], _("warga tidak ditemukan")))
                continue
            resolved.append((row, user))
        return resolved

    for number, row in enumerate(_rows(campaign), start=2):
        read += 1
        value = (row.get(column) or "").strip()
        if errors is not None:
            problem = None
            if not value:
                problem = _("kosong")
            elif column == "nik":
                try:
                    validate_nik(normalize_nik(value))
                except ValidationError as error:
                    problem = " ".join(error.messages)
            elif "@" not in value:
                problem = _("bukan alamat email")
            if problem:
                errors.append(RowError(number, column, value, problem))
                continue
            if number - 1 > MAX_ROWS:
                errors.append(RowError(number, "", "", _("lebih dari 1.000.000 baris")))
                break
        batch.append((number, row))
        if len(batch) >= BATCH or read >= 10 * BATCH:
            yield flush()
            batch = []
    if batch or read:
        yield flush()


class _ErrorReport:
    """Rejected rows written straight to a temporary CSV file (constant memory for a
    million bad rows); the first few are kept for messages and tests."""

    KEEP = 100

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+b")  # noqa: SIM115
        self.text = io.TextIOWrapper(self.file, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow(["baris", "kolom", "nilai", "masalah"])
        self.first: list[RowError] = []
        self.count = 0

    def append(self, error: RowError) -> None:
        self.count += 1
        if len(self.first) < self.KEEP:
            self.first.append(error)
        self.writer.writerow([error.row, error.column, error.value[:200], error.problem])

    def __bool__(self) -> bool:
        return self.count > 0

    def content(self) -> File:
        self.text.flush()
        self.file.seek(0)
        return File(self.file)


def campaign_validate(*, campaign: Campaign) -> list[RowError]:
    """Check the CSV file row by row, streaming (constant memory, any size up to MAX_ROWS).

    On any problem the campaign is rejected with a downloadable report (row, column,
    value, problem in Indonesian) and nothing is sent. `rows_checked` shows progress to
    the admin while a big file is checked by the `notifications.campaign_validate` task.
    Returns the first problems (all of them are in the report).
    """
    errors = _ErrorReport()
    if not campaign.csv_file:
        return []
    every = int(conf.get("NOTIFICATIONS_CSV_PROGRESS_EVERY"))
    checked = 0
    try:
        header = _header(campaign)
    except (UnicodeDecodeError, csv.Error) as error:
        header = []
        errors.append(RowError(1, "", "", _("berkas bukan CSV UTF-8: %(e)s") % {"e": error}))
    if not errors:
        identity = [c for c in IDENTITY_COLUMNS if c in header]
        if not identity:
            errors.append(RowError(1, "nik/email", "", _("kolom nik atau email tidak ada")))
        missing = [
            name
            for name in campaign.template_key.variables
            if name != "name" and name not in header and name not in campaign.context
        ]
        for name in missing:
            errors.append(RowError(1, name, "", _("kolom variabel templat tidak ada")))
    if not errors:
        try:
            for batch in _csv_batches(campaign, errors):
                checked += batch.rows
                if every and checked // every != (checked - batch.rows) // every:
                    Campaign.objects.filter(pk=campaign.pk).update(rows_checked=checked)
        except (UnicodeDecodeError, csv.Error) as error:
            errors.append(RowError(0, "", "", _("berkas bukan CSV UTF-8: %(e)s") % {"e": error}))
    campaign.rows_rejected = errors.count
    campaign.rows_checked = checked
    if errors:
        campaign.error_report.save(
            f"kampanye-{campaign.pk}-galat.csv", errors.content(), save=False
        )
        campaign.status = Campaign.Status.REJECTED
    campaign.save()
    return errors.first


def segment_users(*, campaign: Campaign, today: datetime.date | None = None) -> QuerySet[User]:
    users = User.objects.filter(is_active=True, citizen_profile__isnull=False)
    today = today or timezone.localdate()
    if campaign.kelurahan_id:
        users = users.filter(citizen_profile__kelurahan_id=campaign.kelurahan_id)
    if campaign.age_min is not None:
        users = users.filter(citizen_profile__birth_date__lte=_years_ago(today, campaign.age_min))
    if campaign.age_max is not None:
        oldest = _years_ago(today, campaign.age_max + 1) + datetime.timedelta(days=1)
        users = users.filter(citizen_profile__birth_date__gte=oldest)
    if campaign.document_kind:
        users = users.filter(documents__kind=campaign.document_kind).distinct()
    # The NIK is not needed to send, and decrypting it costs more than the rest of a row.
    return users.select_related("citizen_profile").defer("citizen_profile__nik").order_by("pk")


def _years_ago(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _batches(campaign: Campaign) -> Iterator[list[Item]]:
    shared = dict(campaign.context)
    key = campaign.idempotency_key
    if campaign.csv_file:
        for resolved in _csv_batches(campaign, None):
            yield [
                Item(
                    user=user,
                    context=shared | {k: v for k, v in row.items() if k not in IDENTITY_COLUMNS},
                    idempotency_key=key,
                )
                for row, user in resolved
            ]
        return
    batch: list[Item] = []
    for user in segment_users(campaign=campaign).iterator(chunk_size=BATCH):
        batch.append(Item(user=user, context=shared, idempotency_key=key))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def campaign_schedule(*, campaign: Campaign, at: datetime.datetime | None = None) -> bool:
    """Schedule a draft (a CSV is validated first); False if it was rejected.

    A CSV file larger than NOTIFICATIONS_CSV_INLINE_MAX_BYTES is checked by the
    `notifications.campaign_validate` task instead (status "validating", progress in
    rows_checked); that task schedules the campaign or rejects it.
    """
    if campaign.status not in {Campaign.Status.DRAFT, Campaign.Status.REJECTED}:
        return campaign.status in {Campaign.Status.SCHEDULED, Campaign.Status.VALIDATING}
    campaign.scheduled_at = at or timezone.now()
    if campaign.csv_file and campaign.csv_file.size > int(
        conf.get("NOTIFICATIONS_CSV_INLINE_MAX_BYTES")
    ):
        from notifications.tasks import campaign_validate as validate_task

        campaign.status = Campaign.Status.VALIDATING
        campaign.rows_checked = campaign.rows_rejected = 0
        campaign.save(update_fields=["status", "scheduled_at", "rows_checked", "rows_rejected"])
        queue = conf.get("NOTIFICATIONS_BULK_QUEUE")
        transaction.on_commit(
            lambda: validate_task.apply_async(
                args=[campaign.pk], **({"queue": queue} if queue else {})
            )
        )
        return True
    if campaign.csv_file and campaign_validate(campaign=campaign):
        return False
    campaign.status = Campaign.Status.SCHEDULED
    campaign.save(
        update_fields=["status", "scheduled_at", "rows_rejected", "rows_checked", "error_report"]
    )
    return True


def campaign_validate_pending(*, campaign_id: int) -> Campaign:
    """The task's body: check a campaign's CSV, then schedule it or leave it rejected."""
    campaign = Campaign.objects.select_related("template_key").get(pk=campaign_id)
    if campaign.status != Campaign.Status.VALIDATING:
        return campaign  # already decided (a task run twice), or cancelled meanwhile
    if not campaign_validate(campaign=campaign):
        Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.VALIDATING).update(
            status=Campaign.Status.SCHEDULED
        )
    return Campaign.objects.get(pk=campaign.pk)


@transaction.atomic
def campaign_cancel(*, campaign: Campaign) -> int:
    """Stop a campaign before or while it sends; returns how many messages were stopped."""
    Campaign.objects.filter(
        pk=campaign.pk,
        status__in=[
            Campaign.Status.DRAFT,
            Campaign.Status.VALIDATING,
            Campaign.Status.SCHEDULED,
            Campaign.Status.SENDING,
        ],
    ).update(status=Campaign.Status.CANCELLED, finished_at=timezone.now())
    campaign.refresh_from_db()
    # Messages recorded but not yet claimed by a worker are not sent any more.
    return Message.objects.filter(
        campaign=campaign,
        status__in=[Message.Status.CREATED, Message.Status.TEMPORARY_FAILURE],
    ).update(status=Message.Status.PERMANENT_FAILURE, last_error="campaign cancelled")


def campaigns_start_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Claim scheduled campaigns whose time has come (for beat); each starts exactly once."""
    now = now or timezone.now()
    started = []
    for pk in Campaign.objects.filter(
        status=Campaign.Status.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        claimed = Campaign.objects.filter(pk=pk, status=Campaign.Status.SCHEDULED).update(
            status=Campaign.Status.SENDING, started_at=now
        )
        if claimed:
            started.append(pk)
    return started


def campaign_send(*, campaign_id: int) -> Campaign:
    """Record the campaign's messages batch by batch (safe to run again after a crash)."""
    campaign = Campaign.objects.select_related("template_key__category").get(pk=campaign_id)
    if campaign.status != Campaign.Status.SENDING:
        return campaign
    rate = float(conf.get("NOTIFICATIONS_CAMPAIGN_RATE_PER_S"))
    queue = conf.get("NOTIFICATIONS_BULK_QUEUE")
    done = 0
    for items in _batches(campaign):
        started = time.monotonic()
        if Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.CANCELLED).exists():
            return Campaign.objects.get(pk=campaign.pk)
        notify_items(
            items=items,
            template_key=campaign.template_key.key,
            category=campaign.template_key.category,
            channels=campaign.channels or None,
            queue=queue,
            campaign_id=campaign.pk,
            batch=int(conf.get("NOTIFICATIONS_BULK_DELIVER_BATCH")),
            only_new=True,
        )
        done += len(items)
        Campaign.objects.filter(pk=campaign.pk).update(recipients_done=done)
        if rate > 0:
            # Hold the campaign to its rate: the delivery queue drains no faster than this.
            time.sleep(max(0.0, len(items) / rate - (time.monotonic() - started)))
    Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).update(
        status=Campaign.Status.DONE,
        finished_at=timezone.now(),
        recipients_total=done,
    )
    return Campaign.objects.get(pk=campaign.pk)


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    """Messages per status; those a daily limit put off to a later day count as "deferred"."""
    deferred = Q(status=Message.Status.CREATED, next_attempt_at__gt=timezone.now())
    rows = (
        Message.objects.filter(campaign=campaign)
        .annotate(state=Case(When(deferred, then=Value("deferred")), default=F("status")))
        .values("state")
        .annotate(n=Count("id"))
    )
    return {row["state"]: row["n"] for row in rows}
