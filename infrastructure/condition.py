"""Condition scales per asset kind, and the maintenance priority built on them.

Each kind keeps the scale its engineers already use, so an inspector types the number
from the field form unchanged:

- bridges: the IBMS (Bridge Management System, Bina Marga) condition mark, 0 (no damage)
  to 5 (collapsed / not functioning) — higher is worse;
- roads: the Pavement Condition Index (PCI, ASTM D6433), 100 (perfect) to 0 (failed) —
  higher is better;
- everything else: a plain 1 (good) to 5 (heavily damaged) scale.

To rank different kinds together every value is normalised to a *badness* between 0
(as new) and 1 (worst on its scale). The maintenance priority is

    score = badness * criticality * traffic weight

with criticality and traffic weight each 1-5, so scores run from 0 to 25.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, ExpressionWrapper, F, FloatField, Value, When
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    higher_is_worse: bool
    name: str
    hint: str
    step: float = 1

    def badness(self, value: float) -> float:
        span = self.high - self.low
        fraction = (value - self.low) / span
        return fraction if self.higher_is_worse else 1 - fraction

    def error(self, value: float) -> str:
        """An Indonesian message when `value` is off this scale, else ''."""
        if value < self.low or value > self.high:
            return str(
                _("Nilai kondisi untuk %(scale)s harus antara %(low)s dan %(high)s.")
                % {"scale": self.name, "low": f"{self.low:g}", "high": f"{self.high:g}"}
            )
        return ""

    def badness_expression(self, field: str = "condition"):
        span = self.high - self.low
        if self.higher_is_worse:
            return (F(field) - Value(self.low)) / Value(span)
        return (Value(self.high) - F(field)) / Value(span)


BRIDGE = Scale(
    0,
    5,
    True,
    _("jembatan (nilai kondisi IBMS 0-5)"),
    _(
        "0 = tanpa kerusakan, 1 = rusak ringan, 2 = perlu pemantauan, 3 = perlu perbaikan, "
        "4 = kritis, 5 = runtuh/tidak berfungsi."
    ),
)
ROAD = Scale(
    0,
    100,
    False,
    _("jalan (Pavement Condition Index, PCI 0-100)"),
    _(
        "100 = sempurna … 0 = hancur; 86-100 baik, 56-85 sedang, 26-55 rusak, di bawah 26 "
        "rusak berat."
    ),
)
GENERIC = Scale(
    1,
    5,
    True,
    _("skala umum 1-5"),
    _("1 = baik, 2 = cukup, 3 = rusak ringan, 4 = rusak sedang, 5 = rusak berat."),
)

SCALES = {"bridge": BRIDGE, "road": ROAD}


def scale_for(kind: str) -> Scale:
    return SCALES.get(kind, GENERIC)


# Bands of badness, shared by every kind so the public reads one vocabulary.
LABELS = [
    (0.2, _("baik")),
    (0.4, _("cukup")),
    (0.6, _("rusak ringan")),
    (0.8, _("rusak berat")),
    (1.0, _("kritis")),
]


def label_for(badness: float | None) -> str:
    if badness is None:
        return ""
    for limit, label in LABELS:
        if badness <= limit + 1e-9:
            return str(label)
    return str(LABELS[-1][1])


def priority_score(*, badness: float, criticality: int, traffic: int) -> float:
    return round(badness * criticality * traffic, 2)


def badness_annotation():
    """The badness as a database expression, so the ranking sorts in SQL."""
    return Case(
        *(When(kind=kind, then=scale.badness_expression()) for kind, scale in SCALES.items()),
        default=GENERIC.badness_expression(),
        output_field=FloatField(),
    )


def score_annotation():
    return ExpressionWrapper(
        F("badness") * F("criticality") * F("traffic_weight"), output_field=FloatField()
    )
