"""Lesson content rules: sanitised rich text, allow-listed video links, checked uploads.

Sanitising uses nh3 (the Ammonia sanitiser): authors paste HTML from word processors,
and the portal's CSP would block scripts anyway, but stored HTML must be safe on its
own. Files go through portal.uploads, which reads the first bytes as well as the
extension, because a browser's claimed content type is whatever the uploader says.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from learning import conf
from portal.uploads import upload_validate

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "figure",
    "figcaption",
    "hr",
    "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def sanitize_html(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def validate_video_url(value: str) -> None:
    parts = urlsplit(value or "")
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host not in conf.video_hosts():
        raise ValidationError(
            _("Tautan video harus https dan dari layanan yang diizinkan: %(hosts)s."),
            code="video_host",
            params={"hosts": ", ".join(sorted(conf.video_hosts()))},
        )


def video_provider(value: str) -> str:
    host = (urlsplit(value).hostname or "").lower()
    return "Vimeo" if "vimeo" in host else "YouTube"


def youtube_id(value: str) -> str:
    """The video id of a YouTube link (for a plain link to the video), or ''."""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if host == "youtu.be":
        return parts.path.strip("/")
    if "youtube" in host:
        if parts.path.startswith("/embed/"):
            return parts.path.split("/")[2]
        return parse_qs(parts.query).get("v", [""])[0]
    return ""


ATTACHMENT_KINDS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png", "jpeg")
EVIDENCE_KINDS = ("pdf", "png", "jpeg")


def _check_file(upload, *, kinds: tuple[str, ...], max_bytes: int) -> None:
    if getattr(upload, "_committed", False):
        return  # a file stored earlier was checked when it was uploaded
    # Model-field validators see the file without the browser's declared type.
    upload_validate(upload, kinds=kinds, max_bytes=max_bytes, check_declared_type=False)


def validate_attachment(upload) -> None:
    _check_file(upload, kinds=ATTACHMENT_KINDS, max_bytes=conf.attachment_max_bytes())


def validate_evidence(upload) -> None:
    _check_file(upload, kinds=EVIDENCE_KINDS, max_bytes=conf.evidence_max_bytes())
