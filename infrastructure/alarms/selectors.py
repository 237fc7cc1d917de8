"""Reads of the alarms app: the officials' inbox, an alarm's page, markers for dashboards."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from infrastructure.alarms.models import SEVERITY_RANK, Alarm, AlarmEvent, Severity


def alarms_for_inbox(
    *, status: str = "", severity: str = "", active_only: bool = False
) -> QuerySet[Alarm]:
    """Newest first, with everything a row shows joined in (one query per page)."""
    alarms = Alarm.objects.select_related(
        "rule", "device__asset", "metric", "acknowledged_by"
    ).order_by("-started_at", "-pk")
    if active_only:
        alarms = alarms.filter(status__in=Alarm.ACTIVE)
    if status:
        alarms = alarms.filter(status=status)
    if severity:
        alarms = alarms.filter(severity=severity)
    return alarms


def alarm_detail(*, pk: int) -> Alarm | None:
    """One alarm with its history and the people in it: two queries."""
    events = AlarmEvent.objects.select_related("actor").order_by("at", "pk")
    return (
        Alarm.objects.select_related(
            "rule", "device__asset", "metric", "acknowledged_by", "cleared_by"
        )
        .prefetch_related(Prefetch("events", queryset=events))
        .filter(pk=pk)
        .first()
    )


def active_alarm_severity_by_asset(*, asset_ids=None) -> dict[int, str]:
    """The worst active severity per asset id (one query), for an "alarm active" marker."""
    rows = Alarm.objects.filter(status__in=Alarm.ACTIVE)
    if asset_ids is not None:
        rows = rows.filter(device__asset_id__in=list(asset_ids))
    worst: dict[int, str] = {}
    for asset_id, severity in rows.values_list("device__asset_id", "severity").distinct():
        if asset_id not in worst or SEVERITY_RANK[severity] > SEVERITY_RANK[worst[asset_id]]:
            worst[asset_id] = severity
    return worst


def active_alarm_summary() -> dict:
    """Active alarms by severity (worst first) and how many await acknowledgement: one query."""
    rows = (
        Alarm.objects.filter(status__in=Alarm.ACTIVE)
        .values_list("severity", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_severity: dict[str, int] = {}
    unacknowledged = 0
    for severity, status, count in rows:
        by_severity[severity] = by_severity.get(severity, 0) + count
        if status == Alarm.Status.ACTIVE_UNACK:
            unacknowledged += count
    ordered = sorted(by_severity.items(), key=lambda item: -SEVERITY_RANK[item[0]])
    return {
        "total": sum(by_severity.values()),
        "unacknowledged": unacknowledged,
        "by_severity": [(Severity(severity).label, count) for severity, count in ordered],
    }
