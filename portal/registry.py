"""Extension points through which domain apps add to the core pages.

portal must not import any domain app (DESIGN.md), so the apps register here from
their AppConfig.ready(): dashboard cards, navigation links and activity labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    roles: tuple[str, ...] = ()  # empty: everyone; "warga" etc. restricts to those roles
    public: bool = False  # shown to visitors who are not signed in
    order: int = 50

    @cached_property
    def url(self) -> str:
        # Reversed once per process: every page renders the whole menu.
        from django.urls import reverse

        return reverse(self.url_name)


@dataclass(frozen=True)
class DashboardCard:
    """A card on the signed-in dashboard: `context` returns the template's context or None to hide it.

    Rendered cards are cached per user (portal.cards): `invalidated_by` names the rows
    whose saves and deletes must refresh the owner's dashboard at once, as
    "app_label.Model.user_field_id"; anything else shows within DASHBOARD_CACHE_S
    seconds. A card with per-request content (a form's CSRF token) sets `cached=False`.
    """

    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    roles: tuple[str, ...] = ()
    order: int = 50
    invalidated_by: tuple[str, ...] = ()
    cached: bool = True


@dataclass
class _Registry:
    nav: list[NavLink] = field(default_factory=list)
    cards: list[DashboardCard] = field(default_factory=list)
    verbs: dict[str, str] = field(default_factory=dict)


_registry = _Registry()


def register_nav(link: NavLink) -> None:
    if link not in _registry.nav:
        _registry.nav.append(link)
        _registry.nav.sort(key=lambda item: item.order)


def register_card(card: DashboardCard) -> None:
    from portal.cards import watch

    if card not in _registry.cards:
        _registry.cards.append(card)
        _registry.cards.sort(key=lambda item: item.order)
    for spec in card.invalidated_by:
        watch(spec)


def register_verb(verb: str, label: Any) -> None:
    """A human label (lazy translation) for an activity verb, shown in activity lists."""
    _registry.verbs[verb] = label


def verb_label(verb: str) -> Any:
    return _registry.verbs.get(verb, verb)


def _allowed(roles: tuple[str, ...], user: Any) -> bool:
    if not roles:
        return True
    return user.is_superuser or user.has_role(*roles)


def nav_links_for(user: Any) -> list[NavLink]:
    if not user.is_authenticated:
        return [link for link in _registry.nav if link.public]
    return [link for link in _registry.nav if _allowed(link.roles, user)]


def allowed_cards(user: Any) -> list[DashboardCard]:
    return [card for card in _registry.cards if _allowed(card.roles, user)]


# --- demo data -------------------------------------------------------------------
_seeders: list[tuple[int, Callable[..., None]]] = []


def register_seeder(seeder: Callable[..., None], order: int = 50) -> None:
    """`seeder(stdout=..., rng=...)` adds an app's demo data; seed_demo runs them in order.

    Each must be idempotent: seed_demo may run on every `make run`.
    """
    if all(existing is not seeder for _order, existing in _seeders):
        _seeders.append((order, seeder))
        _seeders.sort(key=lambda item: item[0])


def seeders() -> list[Callable[..., None]]:
    return [seeder for _order, seeder in _seeders]
