"""The one seam to WeasyPrint: every PDF the portal makes is rendered here.

Fonts come from static/fonts (Liberation, SIL OFL), so a letter looks the same on
every machine, whatever fonts the system has.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
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


class _Renderer:
    """What one thread reuses from PDF to PDF.

    A FontConfiguration loads the system's font list and registers our @font-face files
    (tens of ms), and parsing a stylesheet costs more than laying out a one-page letter;
    all of them stay valid across documents, so each thread builds them once. Per thread,
    because fontconfig/Pango objects are not safe to share between threads.
    """

    def __init__(self) -> None:
        # The fetcher costs an SSL context (~tens of ms) to build.
        self.fetcher = _LocalOnlyFetcher(allowed_protocols={"file", "data"})
        self.font_config = FontConfiguration()
        self.fonts = CSS(string=_font_css(), font_config=self.font_config, url_fetcher=self.fetcher)
        self._stylesheets: dict[str, tuple[float, CSS]] = {}

    def stylesheet(self, path: str) -> CSS:
        """A static CSS file, parsed once and again only when the file changes."""
        found = finders.find(path)
        if not found:
            raise FileNotFoundError(f"PDF stylesheet not found in the static files: {path}")
        mtime = Path(found).stat().st_mtime
        cached = self._stylesheets.get(path)
        if cached is None or cached[0] != mtime:
            css = CSS(filename=found, font_config=self.font_config, url_fetcher=self.fetcher)
            cached = self._stylesheets[path] = (mtime, css)
        return cached[1]


_local = threading.local()


def _renderer() -> _Renderer:
    if not hasattr(_local, "renderer"):
        _local.renderer = _Renderer()
    return _local.renderer


def _fetcher() -> URLFetcher:
    return _renderer().fetcher


def render_pdf(
    template: str, context: dict[str, Any] | None = None, *, stylesheets: Sequence[str] = ()
) -> bytes:
    """Render a Django template to PDF bytes (A4 unless the template's CSS says otherwise).

    `stylesheets` are paths of static CSS files (e.g. "letters/letter.css"), applied as
    user stylesheets (the template's own <style> wins where both set a property): a
    template rendered often keeps its fixed CSS there, parsed once per thread instead of
    once per document.
    """
    renderer = _renderer()
    html = render_to_string(template, context or {})
    base_url = str(settings.BASE_DIR / "static")
    sheets = [renderer.fonts, *(renderer.stylesheet(path) for path in stylesheets)]
    return HTML(string=html, base_url=base_url, url_fetcher=renderer.fetcher).write_pdf(
        stylesheets=sheets, font_config=renderer.font_config
    )
