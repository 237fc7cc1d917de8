from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from infrastructure import selectors
from infrastructure.selectors import CHART_HEIGHT, CHART_WIDTH

POLL_SECONDS = 2


@require_GET
@never_cache
def index(request: HttpRequest) -> HttpResponse:
    """Public transparency dashboard: assets and their latest readings, no login.

    htmx polls the same URL every few seconds for the readings fragment; without
    JavaScript the "Perbarui" link reloads the whole page.
    """
    now = timezone.now()
    context = {
        "assets": selectors.assets_public_with_latest(now=now),
        "now": now,
        "poll_seconds": POLL_SECONDS,
    }
    template = "infrastructure/index.html"
    if request.htmx and request.htmx.target == "pembacaan":
        template += "#readings"
    return render(request, template, context)


@require_GET
def asset_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A public asset: its sensors' latest readings and charts of the last 24 hours and 30 days."""
    now = timezone.now()
    asset = selectors.asset_public_detail(code=code, now=now)
    if asset is None:
        raise Http404
    return render(
        request,
        "infrastructure/asset_detail.html",
        {"asset": asset, "now": now, "chart_width": CHART_WIDTH, "chart_height": CHART_HEIGHT},
    )
