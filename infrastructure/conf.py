"""Settings of the infrastructure app, with the defaults of the embedded mode.

Each can be overridden in portal/settings.py (or a test's `settings` fixture): they are
read on every call, never cached at import.
"""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default):
    return getattr(settings, name, default)


def ts_max_skew_seconds() -> int:
    """How far ahead of the server clock a reading's timestamp may be (device clock drift)."""
    return int(_get("INFRA_TS_MAX_SKEW_SECONDS", 300))


def ts_max_age_seconds() -> int:
    """How old a reading may be when it arrives (a device flushing its offline buffer)."""
    return int(_get("INFRA_TS_MAX_AGE_SECONDS", 7 * 24 * 3600))


def max_payload_bytes() -> int:
    return int(_get("INFRA_MAX_PAYLOAD_BYTES", 64 * 1024))


def reading_retention_days() -> int:
    """Raw readings older than this are dropped a whole partition at a time (rollups stay)."""
    return int(_get("INFRA_READING_RETENTION_DAYS", 90))


def reading_retention_days_by_kind() -> dict[str, int]:
    """Per asset type overrides of INFRA_READING_RETENTION_DAYS ({"street_light": 30})."""
    return dict(_get("INFRA_READING_RETENTION_DAYS_BY_KIND", {}) or {})


def partitions_ahead_days() -> int:
    return int(_get("INFRA_PARTITIONS_AHEAD_DAYS", 7))


def device_cache_seconds() -> float:
    """How long an ingest process trusts its copy of a device's key, state and metrics."""
    return float(_get("INFRA_DEVICE_CACHE_SECONDS", 30))


def last_seen_resolution_seconds() -> int:
    """`Device.last_seen` is only rewritten when it moved by at least this much (hot rows)."""
    return int(_get("INFRA_LAST_SEEN_RESOLUTION_SECONDS", 5))


def default_offline_after_seconds() -> int:
    return int(_get("INFRA_OFFLINE_AFTER_SECONDS", 600))


def ingest_batch_size() -> int:
    return int(_get("INGEST_BATCH_SIZE", 5000))


def ingest_batch_max() -> int:
    return int(_get("INGEST_BATCH_MAX", 25000))


def ingest_flush_seconds() -> float:
    return float(_get("INGEST_FLUSH_SECONDS", 0.15))


def ingest_tasks_per_batch() -> int:
    """Celery tasks one flush becomes (split by device): as many as ingest worker processes."""
    return int(_get("INGEST_TASKS_PER_BATCH", 2))


def ingest_queue_max() -> int:
    return int(_get("INGEST_QUEUE_MAX", 50000))


def ingest_session_expiry_seconds() -> int:
    """How long the broker keeps queuing for a stopped ingester (its persistent session)."""
    return int(_get("INGEST_SESSION_EXPIRY_SECONDS", 7 * 24 * 3600))


def ingest_receive_maximum() -> int:
    return int(_get("INGEST_RECEIVE_MAXIMUM", 10000))


def rollup_compact_seconds() -> float:
    """How often an ingest worker folds the rollup deltas into the hourly/daily rollups."""
    return float(_get("INFRA_ROLLUP_COMPACT_SECONDS", 5))


def retention_delete_batch() -> int:
    """Rows deleted per statement when trimming an asset type's shorter retention."""
    return int(_get("INFRA_RETENTION_DELETE_BATCH", 10000))


def mqtt_url() -> str:
    return str(_get("MQTT_URL", "") or "")


def delay_margin_pct() -> float:
    """A project is flagged late when actual physical progress trails plan by more than this."""
    return float(_get("INFRA_DELAY_MARGIN_PCT", 10))


def upload_max_bytes() -> int:
    """Largest project document, project photo or inspection photo accepted."""
    return int(_get("INFRA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def export_max_days() -> int:
    """Longest time range of one readings export (open data), in days."""
    return int(_get("INFRA_EXPORT_MAX_DAYS", 31))


def oc4ids_prefix() -> str:
    """Prefix of OC4IDS project ids (register one with the Open Contracting Partnership)."""
    return str(_get("INFRA_OC4IDS_PREFIX", "oc4ids-portal"))


def oc4ids_publisher() -> str:
    return str(_get("INFRA_OC4IDS_PUBLISHER", "Pemerintah Kota Bandung"))
