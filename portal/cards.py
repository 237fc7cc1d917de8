"""The dashboard's cards, rendered once and kept per user in the cache (Redis in production).

A dashboard asks every app for its card: about ten queries and most of the page's CPU.
The rendered cards are therefore cached per user (and language and role set) under a
per-user version token. The token changes whenever a row a card watches is saved or
deleted for that user (each card names them in `DashboardCard.invalidated_by`; the
user's own activities are always watched), so a change the user makes shows on the
next load. Changes no signal reports (bulk writes, another person's decision) show
within `DASHBOARD_CACHE_S` seconds, the entry's lifetime.

The key always carries the user's id, so one user's cards can never be served to
another. Cards with per-request content (CSRF tokens) set `cached=False` and are
rendered on every request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.registry import DashboardCard, allowed_cards

logger = logging.getLogger(__name__)

# Lifetime of a cached dashboard: the longest a change no signal reports stays unseen.
DEFAULT_CACHE_S = 10


def _cache_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_S", DEFAULT_CACHE_S))


def _version_key(user_id: int) -> str:
    return f"portal:dash:v:{user_id}"


def _cards_key(request: HttpRequest, cards: list[DashboardCard]) -> str:
    user = request.user
    # Roles decide which cards show; the language decides their text.
    shape = "|".join([get_language() or "", *sorted(user.role_names), *(c.template for c in cards)])
    digest = hashlib.blake2b(shape.encode(), digest_size=8).hexdigest()
    return f"portal:dash:cards:{user.pk}:{digest}"


def _bump(ids: set[int]) -> None:
    # Random, not a clock reading: two bumps in one clock tick must still differ.
    token = secrets.token_hex(8)
    try:
        cache.set_many(
            {_version_key(user_id): token for user_id in ids}, timeout=_cache_seconds() * 6
        )
    except Exception:  # a cache outage must not break the write that called this
        logger.warning("dashboard cache: could not invalidate users %s", sorted(ids))


def dashboard_invalidate(*, user_ids: list[int] | set[int]) -> None:
    """Make the users' next dashboard load recompute their cards.

    Bumped now, for reads on this connection (the transaction's own changes), and once
    more after the surrounding transaction commits: a dashboard another request
    computed in between saw the old rows and must not outlive the commit. The commit
    bump is made once per transaction however many rows changed.
    """
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return
    _bump(ids)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    state = getattr(connection, "_portal_dashboard_pending", None)
    # A rollback drops the on-commit callback; then this transaction starts afresh.
    if state is None or not any(entry[1] is state[1] for entry in connection.run_on_commit):
        pending: set[int] = set()
        state = (pending, lambda: _bump(pending))
        connection._portal_dashboard_pending = state
        transaction.on_commit(state[1])
    state[0].update(ids)


def _render(request: HttpRequest, card: DashboardCard) -> str:
    context = card.context(request)
    if context is None:
        return ""
    return render_to_string(card.template, {"card": context}, request)


def user_cached(*, user_id: int, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept in the cache under `key` until the user's version changes.

    For other per-user reads that the same watched rows decide (a page's preview);
    `key` must name the user and everything else the value depends on.
    """
    version_key = _version_key(user_id)
    try:
        found = cache.get_many([version_key, key])
    except Exception:  # without the cache the page is slower, not broken
        logger.warning("user cache unavailable; computing %s", key)
        return compute()
    version = found.get(version_key)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    try:
        cache.set(key, (version, value), timeout=_cache_seconds())
    except Exception:
        logger.warning("user cache: could not store %s", key)
    return value


def cards_html(request: HttpRequest) -> list[str]:
    """The HTML of each card the user may see, in order (hidden cards left out)."""
    cards = allowed_cards(request.user)
    cacheable = [card for card in cards if card.cached]
    key = _cards_key(request, cacheable)
    version_key = _version_key(request.user.pk)
    cached: dict[str, str] | None = None
    version: Any = None
    try:
        found = cache.get_many([version_key, key])
    except Exception:  # without the cache the page is slower, not broken
        logger.warning("dashboard cache unavailable; rendering every card")
        found = None
    if found is not None:
        version = found.get(version_key)
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            cached = entry[1]

    fresh: dict[str, str] = {}
    parts = []
    for card in cards:
        if card.cached and cached is not None:
            html = cached.get(card.template, "")
        else:
            html = _render(request, card)
            if card.cached:
                fresh[card.template] = html
        if html:
            parts.append(mark_safe(html))  # noqa: S308 - our own rendered templates
    if cached is None and found is not None:
        # Stored under the version read *before* computing: a change made meanwhile
        # bumped the version and makes this entry stale at once.
        try:
            cache.set(key, (version, fresh), timeout=_cache_seconds())
        except Exception:
            logger.warning("dashboard cache: could not store the cards")
    return parts


def _on_change(path: list[str]):
    def handler(sender, instance, **kwargs) -> None:
        value = instance
        for name in path:
            value = getattr(value, name, None)
            if value is None:
                return
        dashboard_invalidate(user_ids={value})

    return handler


_watched: set[str] = set()


def watch(spec: str) -> None:
    """Watch "app_label.Model.path.to.user_id": its saves and deletes invalidate that user.

    The path may cross a foreign key ("leave.LeaveRequest.employee.user_id"); that
    costs a query on save when the related row is not loaded yet.
    """
    if spec in _watched:
        return
    _watched.add(spec)
    app_label, model_name, *path = spec.split(".")
    model_label = f"{app_label}.{model_name}"
    handler = _on_change(path)
    # A string sender is resolved once that model is loaded; portal imports no domain app.
    post_save.connect(handler, sender=model_label, weak=False, dispatch_uid=f"dash:save:{spec}")
    post_delete.connect(handler, sender=model_label, weak=False, dispatch_uid=f"dash:del:{spec}")
