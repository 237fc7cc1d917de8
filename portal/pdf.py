"""The one seam to WeasyPrint: every PDF the portal makes is rendered here.

Fonts come from static/fonts (Liberation, SIL OFL), so a letter looks the same on
every machine, whatever fonts the system has.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_FONT_FACES = [
    ("Portal Serif", "normal", "normal", "fonts/LiberationSerif-Regular.ttf"),
    ("Portal Serif", "normal", "bold", "fonts/LiberationSerif-Bold.ttf"),
    ("Portal Serif", "italic", "normal", "fonts/LiberationSerif-Italic.ttf"),
    ("Portal Sans", "normal", "normal", "fonts/LiberationSans-Regular.ttf"),
    ("Portal Sans", "normal", "bold", "fonts/LiberationSans-Bold.ttf"),
]


def _font_css() -> str:
    rules = []
    for family, style, weight, path in _FONT_FACES:
        found = finders.find(path)
        if found:
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-style: {style}; '
                f'font-weight: {weight}; src: url("file://{found}"); }}'
            )
    return "\n".join(rules)


class _LocalOnlyFetcher(URLFetcher):
    """Documents may embed only our own static files and data: URIs.

    A letter's content must never make the renderer fetch from the network or
    read arbitrary files (SSRF, local file disclosure).
    """

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            allowed = [
                Path(d).resolve() for d in (*settings.STATICFILES_DIRS, settings.STATIC_ROOT)
            ]
            if not any(path.is_relative_to(root) for root in allowed):
                raise ValueError(f"PDF resource outside the static folders: {url}")
        elif parts.scheme != "data":
            raise ValueError(f"PDF resource with a forbidden scheme: {url}")
        return super().fetch(url, headers)


# One fetcher per thread: building one costs an SSL context (~tens of ms) per PDF.
_local = threading.local()


def _fetcher() -> URLFetcher:
    if not hasattr(_local, "fetcher"):
        _local.fetcher = _LocalOnlyFetcher(allowed_protocols={"file", "data"})
    return _local.fetcher


def render_pdf(template: str, context: dict[str, Any] | None = None) -> bytes:
    """Render a Django template to PDF bytes (A4 unless the template's CSS says otherwise)."""
    html = render_to_string(template, context or {})
    font_config = FontConfiguration()
    base_url = str(settings.BASE_DIR / "static")
    fetcher = _fetcher()
    stylesheet = CSS(string=_font_css(), font_config=font_config, url_fetcher=fetcher)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config
    )
