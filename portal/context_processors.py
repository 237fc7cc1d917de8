from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.registry import nav_links_for


def _nav_key(user) -> str:
    if not user.is_authenticated:
        return "anon"
    superuser = "su" if user.is_superuser else ""
    return ",".join([superuser, *sorted(user.role_names)])


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # base.html caches the rendered menu per `nav_key` (who may see which links);
    # the list itself is only built when the fragment is not cached yet.
    return {
        "nav_links": SimpleLazyObject(lambda: nav_links_for(user)),
        "nav_key": SimpleLazyObject(lambda: _nav_key(user)),
    }
