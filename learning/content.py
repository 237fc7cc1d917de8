"""Lesson content rules: sanitised rich text, allow-listed video links, checked uploads.

Sanitising uses nh3 (the Ammonia sanitiser): authors paste HTML from word processors,
and the portal's CSP would block scripts anyway, but stored HTML must be safe on its
own. File checks read the first bytes as well as the extension, because a browser's
claimed content type is whatever the uploader says.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from learning import conf

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


# extension → the magic bytes a real file of that type starts with
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    # Office Open XML and OpenDocument files are ZIP archives.
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
}
ATTACHMENT_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png", "jpg", "jpeg")
EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg", "jpeg")


def _check_file(upload, *, extensions: tuple[str, ...], max_bytes: int) -> None:
    if getattr(upload, "_committed", False):
        return  # a file stored earlier was checked when it was uploaded
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in extensions:
        raise ValidationError(
            _("Jenis berkas tidak diizinkan. Gunakan: %(types)s."),
            code="file_type",
            params={"types": ", ".join(extensions)},
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("Berkas terlalu besar (paling besar %(size)s)."),
            code="file_size",
            params={"size": filesizeformat(max_bytes)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if not head.startswith(_SIGNATURES[extension]):
        raise ValidationError(
            _("Isi berkas tidak sesuai dengan jenisnya (.%(ext)s)."),
            code="file_content",
            params={"ext": extension},
        )


def validate_attachment(upload) -> None:
    _check_file(upload, extensions=ATTACHMENT_EXTENSIONS, max_bytes=conf.attachment_max_bytes())


def validate_evidence(upload) -> None:
    _check_file(upload, extensions=EVIDENCE_EXTENSIONS, max_bytes=conf.evidence_max_bytes())
