"""The one seam to WeasyPrint: every PDF the portal makes is rendered here.

Fonts come from static/fonts (Liberation, SIL OFL), so a letter looks the same on
every machine, whatever fonts the system has.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

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


def render_pdf(template: str, context: dict[str, Any] | None = None) -> bytes:
    """Render a Django template to PDF bytes (A4 unless the template's CSS says otherwise)."""
    html = render_to_string(template, context or {})
    font_config = FontConfiguration()
    base_url = str(settings.BASE_DIR / "static")
    stylesheet = CSS(string=_font_css(), font_config=font_config)
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=[stylesheet], font_config=font_config
    )
