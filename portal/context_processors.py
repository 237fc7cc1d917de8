from __future__ import annotations

from django.http import HttpRequest

from portal.registry import nav_links_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"nav_links": nav_links_for(user)}
