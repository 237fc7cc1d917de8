"""Rules of project progress: the delay flag and budget absorption.

Pure functions over a project and its reports (already fetched), shared by the pages,
the exports and the OC4IDS publication so they can never disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from infrastructure import conf


@dataclass(frozen=True)
class Progress:
    """Where a project stands according to its latest report with actual figures."""

    period_end: datetime.date | None = None
    planned_physical: Decimal | None = None
    actual_physical: Decimal | None = None
    planned_financial: Decimal | None = None
    actual_financial: Decimal | None = None
    deviation: Decimal | None = None  # actual - planned physical, percentage points
    delayed: bool = False
    absorbed: int | None = None  # rupiah spent: actual financial % * contract value
    margin: float = 0.0


def progress_of(project, reports: Sequence, *, margin: float | None = None) -> Progress:
    """`reports` ordered by period_end. Planned-only future periods are skipped: the
    latest period that has an actual physical figure decides the delay flag."""
    margin = conf.delay_margin_pct() if margin is None else margin
    latest = next((r for r in reversed(reports) if r.actual_physical is not None), None)
    if latest is None:
        return Progress(margin=margin)
    deviation = latest.actual_physical - latest.planned_physical
    return Progress(
        period_end=latest.period_end,
        planned_physical=latest.planned_physical,
        actual_physical=latest.actual_physical,
        planned_financial=latest.planned_financial,
        actual_financial=latest.actual_financial,
        deviation=deviation,
        delayed=-deviation > Decimal(str(margin)),
        absorbed=absorbed_rupiah(project, latest.actual_financial),
        margin=margin,
    )


def absorbed_rupiah(project, actual_financial: Decimal | None) -> int | None:
    """Money absorbed so far: financial progress applies to the contract value, or to the
    budget while no contract is signed."""
    if actual_financial is None:
        return None
    base = project.contract_value if project.contract_value is not None else project.budget
    return int((Decimal(base) * actual_financial / 100).to_integral_value())
