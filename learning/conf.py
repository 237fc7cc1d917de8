"""Settings of the learning app, each with a default (settings.py need not name them)."""

from __future__ import annotations

from django.conf import settings


def jp_target(kind: str) -> int | None:
    """JP a year an employee of this kind owes (DESIGN.md: every PNS at least 20 JP).

    PPPK have no minimum here: their competency development is an allowance of up to
    `jp_cap("pppk")` JP a year, shown as used against that allowance.
    """
    targets = getattr(settings, "LEARNING_JP_TARGETS", {"pns": 20})
    return targets.get(kind)


def jp_cap(kind: str) -> int | None:
    """The most JP a year that count for an employee of this kind (PPPK: up to 24)."""
    caps = getattr(settings, "LEARNING_JP_CAPS", {"pppk": 24})
    return caps.get(kind)


def video_hosts() -> frozenset[str]:
    """Hosts a lesson's video link may point to; it is shown as a link, never embedded."""
    return frozenset(
        getattr(
            settings,
            "LEARNING_VIDEO_HOSTS",
            (
                "youtube.com",
                "www.youtube.com",
                "m.youtube.com",
                "youtu.be",
                "www.youtube-nocookie.com",
                "vimeo.com",
                "player.vimeo.com",
            ),
        )
    )


def attachment_max_bytes() -> int:
    return getattr(settings, "LEARNING_ATTACHMENT_MAX_MB", 20) * 1024 * 1024


def evidence_max_bytes() -> int:
    return getattr(settings, "LEARNING_EVIDENCE_MAX_MB", 5) * 1024 * 1024


def time_limit_grace_seconds() -> int:
    """A submission this late is still accepted (the request was in flight at the deadline)."""
    return getattr(settings, "LEARNING_TIME_LIMIT_GRACE_S", 30)


def reminder_days() -> tuple[int, ...]:
    """Days before an assignment's due date on which a reminder goes out."""
    return tuple(getattr(settings, "LEARNING_REMINDER_DAYS", (7, 1)))


def catalogue_page_size() -> int:
    return getattr(settings, "LEARNING_CATALOGUE_PAGE_SIZE", 12)


def certificate_unit_code() -> str:
    """e-Surat issuing unit of course certificates (its head signs them)."""
    return getattr(settings, "LEARNING_CERTIFICATE_UNIT", "BKPSDM")


def certificate_classification_code() -> str:
    """Archive classification of certificates (e-Surat demo: 800.2.3, competency development)."""
    return getattr(settings, "LEARNING_CERTIFICATE_CLASSIFICATION", "800.2.3")


def certificate_issuer_email() -> str:
    """The account recorded as issuer of automatic certificates ('' = the first superuser)."""
    return getattr(settings, "LEARNING_CERTIFICATE_ISSUER_EMAIL", "")
