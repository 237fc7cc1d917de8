"""Writes of the core app. Domain apps call these; portal imports no domain app."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from portal.models import Activity, CitizenDocument, CitizenProfile, User
from portal.validators import normalize_nik, validate_verb


def activity_record(
    *,
    actor: User,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> Activity:
    """Record what `actor` did, inside the caller's transaction (the outbox of DESIGN.md).

    Refuses to run outside a transaction: an activity written apart from its change
    could survive a rollback of the change, and consumers would pay for nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("activity_record() must be called inside transaction.atomic().")
    validate_verb(verb)
    return Activity.objects.create(
        actor=actor,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


@transaction.atomic
def citizen_profile_update(*, user: User, **fields: Any) -> CitizenProfile:
    """Create or update the user's profile; the NIK is stored normalised and encrypted."""
    profile = CitizenProfile.objects.filter(user=user).first() or CitizenProfile(user=user)
    if "nik" in fields:
        fields["nik"] = normalize_nik(fields["nik"] or "")
    changed = [name for name, value in fields.items() if getattr(profile, name) != value]
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    if changed:
        # Field names only: the values (a NIK among them) never go into the log.
        activity_record(
            actor=user, verb="profile.updated", target=profile, data={"fields": sorted(changed)}
        )
    return profile


@transaction.atomic
def citizen_document_save(
    *, owner: User, document: CitizenDocument | None = None, **fields: Any
) -> CitizenDocument:
    is_new = document is None
    document = document or CitizenDocument(owner=owner)
    if document.owner_id != owner.pk:
        raise PermissionError("A citizen can only change their own documents.")
    for name, value in fields.items():
        setattr(document, name, value)
    document.full_clean()
    document.save()
    activity_record(
        actor=owner,
        verb="document.added" if is_new else "document.updated",
        target=document,
        data={"kind": document.kind},
    )
    return document


@transaction.atomic
def citizen_document_delete(*, owner: User, document: CitizenDocument) -> None:
    if document.owner_id != owner.pk:
        raise PermissionError("A citizen can only delete their own documents.")
    activity_record(actor=owner, verb="document.deleted", target=None, data={"kind": document.kind})
    document.delete()
