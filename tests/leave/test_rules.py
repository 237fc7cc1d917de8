"""The leave rules as a table of cases drawn from the regulation text.

PP 11/2017 jo. PP 17/2020; Peraturan BKN 24/2017 jo. 7/2021; Peraturan BKN 7/2022 (PPPK).
Pure functions: no database.
"""

from __future__ import annotations

import datetime

import pytest

from leave import rules
from leave.models import LeaveType

D = datetime.date
TODAY = D(2026, 7, 1)


def weekdays(start: datetime.date, end: datetime.date) -> int:
    return sum(
        1 for n in range((end - start).days + 1) if (start + datetime.timedelta(n)).weekday() < 5
    )


def facts(**overrides) -> rules.Facts:
    values = {
        "employee_kind": rules.PNS,
        "service_start": D(2015, 1, 1),
        "today": TODAY,
        "female": True,
        "annual_available": 12,
        "count_working_days": weekdays,
    }
    values.update(overrides)
    return rules.Facts(**values)


def app(leave_type, start, end, **overrides) -> rules.Application:
    return rules.Application(
        leave_type=leave_type, start=start, end=end, working_days=weekdays(start, end), **overrides
    )


CASES = [
    # (case, application, facts overrides, refused rule or None)
    ("annual 5 days with 12 left", app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 10)), {}, None),
    (
        "annual more days than the balance",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 24)),
        {},
        "annual_balance",
    ),
    (
        "annual 18 days with a carried balance of 18",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 29)),
        {"annual_available": 18},
        None,
    ),
    (
        "annual before one year of service",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 7)),
        {"service_start": D(2025, 9, 1)},
        "annual_eligibility",
    ),
    (
        "annual exactly one year after service start",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 7)),
        {"service_start": D(2025, 7, 6)},
        None,
    ),
    (
        "annual in a year with cuti besar",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 7)),
        {"big_leave_in_year": True},
        "annual_not_with_big",
    ),
    (
        "annual across two years",
        app(LeaveType.TAHUNAN, D(2026, 12, 28), D(2027, 1, 4)),
        {},
        "annual_one_year",
    ),
    (
        "annual backdated",
        app(LeaveType.TAHUNAN, D(2026, 6, 29), D(2026, 6, 30)),
        {},
        "no_backdating",
    ),
    (
        "annual on a weekend only",
        app(LeaveType.TAHUNAN, D(2026, 7, 4), D(2026, 7, 5)),
        {},
        "working_day",
    ),
    ("cuti besar after 5 years", app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 10, 30)), {}, None),
    (
        "cuti besar before 5 years",
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 8, 28)),
        {"service_start": D(2022, 1, 1)},
        "big_eligibility",
    ),
    (
        "cuti besar before 5 years for a first hajj",
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 9, 30), first_hajj=True),
        {"service_start": D(2022, 1, 1)},
        None,
    ),
    (
        "cuti besar longer than 3 months",
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 11, 3)),
        {},
        "big_length",
    ),
    (
        "cuti besar of 3 months less annual leave taken",
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 11, 2)),
        {"annual_taken_in_year": 5},
        "big_length",
    ),
    (
        "cuti besar shortened by annual leave taken",
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 10, 23)),
        {"annual_taken_in_year": 5},
        None,
    ),
    ("sick 1 day without a letter", app(LeaveType.SAKIT, D(2026, 7, 1), D(2026, 7, 1)), {}, None),
    (
        "sick 3 days without a doctor's letter",
        app(LeaveType.SAKIT, D(2026, 6, 29), D(2026, 7, 1)),
        {},
        "sick_evidence",
    ),
    (
        "sick 3 days with a doctor's letter (backdated)",
        app(LeaveType.SAKIT, D(2026, 6, 29), D(2026, 7, 1), evidence_kinds=frozenset({"doctor"})),
        {},
        None,
    ),
    (
        "sick 14 days with a doctor's letter",
        app(LeaveType.SAKIT, D(2026, 7, 1), D(2026, 7, 14), evidence_kinds=frozenset({"doctor"})),
        {},
        None,
    ),
    (
        "sick 15 days with a private doctor's letter",
        app(LeaveType.SAKIT, D(2026, 7, 1), D(2026, 7, 15), evidence_kinds=frozenset({"doctor"})),
        {},
        "sick_evidence",
    ),
    (
        "sick 15 days with a government doctor's letter",
        app(
            LeaveType.SAKIT, D(2026, 7, 1), D(2026, 7, 15), evidence_kinds=frozenset({"gov_doctor"})
        ),
        {},
        None,
    ),
    (
        "sick 1 year and 6 months",
        app(
            LeaveType.SAKIT,
            D(2026, 7, 1),
            D(2027, 12, 31),
            evidence_kinds=frozenset({"gov_doctor"}),
        ),
        {},
        None,
    ),
    (
        "sick longer than 1 year and 6 months",
        app(
            LeaveType.SAKIT, D(2026, 7, 1), D(2028, 1, 1), evidence_kinds=frozenset({"gov_doctor"})
        ),
        {},
        "sick_length",
    ),
    (
        "maternity for the third delivery",
        app(LeaveType.MELAHIRKAN, D(2026, 7, 6), D(2026, 10, 5), delivery_number=3),
        {},
        None,
    ),
    (
        "maternity for the fourth delivery",
        app(LeaveType.MELAHIRKAN, D(2026, 7, 6), D(2026, 10, 5), delivery_number=4),
        {},
        "maternity_order",
    ),
    (
        "maternity longer than 3 months",
        app(LeaveType.MELAHIRKAN, D(2026, 7, 6), D(2026, 10, 6), delivery_number=1),
        {},
        "maternity_length",
    ),
    (
        "maternity for a man (NIP sex code 1)",
        app(LeaveType.MELAHIRKAN, D(2026, 7, 6), D(2026, 8, 5), delivery_number=1),
        {"female": False},
        "maternity_sex",
    ),
    (
        "important reason, 1 month",
        app(LeaveType.ALASAN_PENTING, D(2026, 7, 6), D(2026, 8, 5), important_reason="family_ill"),
        {},
        None,
    ),
    (
        "important reason longer than 1 month",
        app(LeaveType.ALASAN_PENTING, D(2026, 7, 6), D(2026, 8, 6), important_reason="family_ill"),
        {},
        "important_reason",
    ),
    (
        "important reason without a listed reason",
        app(LeaveType.ALASAN_PENTING, D(2026, 7, 6), D(2026, 7, 7)),
        {},
        "important_reason",
    ),
    (
        "important reason backdated without emergency permission",
        app(
            LeaveType.ALASAN_PENTING, D(2026, 6, 29), D(2026, 7, 2), important_reason="family_died"
        ),
        {},
        "no_backdating",
    ),
    (
        "important reason backdated with emergency permission",
        app(
            LeaveType.ALASAN_PENTING,
            D(2026, 6, 29),
            D(2026, 7, 2),
            important_reason="family_died",
            emergency=True,
        ),
        {},
        None,
    ),
    (
        "CLTN 3 years after 5 years of service",
        app(LeaveType.CLTN, D(2026, 8, 1), D(2029, 7, 31)),
        {},
        None,
    ),
    (
        "CLTN before 5 years of service",
        app(LeaveType.CLTN, D(2026, 8, 1), D(2027, 7, 31)),
        {"service_start": D(2023, 1, 1)},
        "cltn_eligibility",
    ),
    (
        "CLTN longer than 3 years",
        app(LeaveType.CLTN, D(2026, 8, 1), D(2029, 8, 1)),
        {},
        "cltn_length",
    ),
    (
        "CLTN extension of 1 year",
        app(LeaveType.CLTN, D(2029, 8, 1), D(2030, 7, 31)),
        {"previous_cltn_end": D(2029, 7, 31), "today": D(2029, 7, 1)},
        None,
    ),
    (
        "CLTN extension longer than 1 year",
        app(LeaveType.CLTN, D(2029, 8, 1), D(2030, 8, 1)),
        {"previous_cltn_end": D(2029, 7, 31), "today": D(2029, 7, 1)},
        "cltn_length",
    ),
    (
        "PPPK annual leave after 1 year",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 7)),
        {"employee_kind": rules.PPPK, "service_start": D(2025, 3, 1)},
        None,
    ),
    (
        "PPPK annual leave before 1 year",
        app(LeaveType.TAHUNAN, D(2026, 7, 6), D(2026, 7, 7)),
        {"employee_kind": rules.PPPK, "service_start": D(2026, 1, 1)},
        "annual_eligibility",
    ),
    (
        "PPPK sick leave",
        app(LeaveType.SAKIT, D(2026, 7, 1), D(2026, 7, 1)),
        {"employee_kind": rules.PPPK},
        None,
    ),
    (
        "PPPK maternity",
        app(LeaveType.MELAHIRKAN, D(2026, 7, 6), D(2026, 10, 5)),
        {"employee_kind": rules.PPPK},
        None,
    ),
    (
        "PPPK cuti besar",
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 8, 28)),
        {"employee_kind": rules.PPPK},
        "pppk_types",
    ),
    (
        "PPPK cuti karena alasan penting",
        app(LeaveType.ALASAN_PENTING, D(2026, 7, 6), D(2026, 7, 7), important_reason="marriage"),
        {"employee_kind": rules.PPPK},
        "pppk_types",
    ),
    (
        "PPPK CLTN",
        app(LeaveType.CLTN, D(2026, 8, 1), D(2027, 7, 31)),
        {"employee_kind": rules.PPPK},
        "pppk_types",
    ),
    (
        "end before start",
        rules.Application(LeaveType.TAHUNAN, D(2026, 7, 10), D(2026, 7, 6), 0),
        {},
        "dates_ordered",
    ),
]


@pytest.mark.parametrize(
    ("case", "application", "overrides", "refused"), CASES, ids=[c[0] for c in CASES]
)
def test_leave_rule_table(case, application, overrides, refused):
    verdict = rules.evaluate(application, facts(**overrides))
    codes = [refusal.rule for refusal in verdict.refusals]
    if refused is None:
        assert codes == [], verdict.messages
    else:
        assert refused in codes, verdict.messages


def test_every_refusal_message_cites_its_regulation():
    verdict = rules.evaluate(
        app(LeaveType.BESAR, D(2026, 8, 3), D(2026, 8, 28)), facts(service_start=D(2024, 1, 1))
    )
    assert verdict.messages and all("PP 11/2017" in message for message in verdict.messages)
    pppk = rules.evaluate(
        app(LeaveType.CLTN, D(2026, 8, 3), D(2026, 8, 28)), facts(employee_kind=rules.PPPK)
    )
    assert "Peraturan BKN 7/2022" in pppk.messages[0]


def test_every_rule_states_where_it_comes_from():
    assert all(rule.basis for code, rule in rules.RULES.items() if code != "dates_ordered")


CARRY = [
    # (case, previous balance, consecutive unused years, deferred, carried)
    ("nothing left", 0, 0, False, 0),
    ("4 days left carry in full", 4, 0, False, 4),
    ("12 days left carry 6 (total 18)", 12, 1, False, 6),
    ("2 unused years: carry 12 (total 24)", 18, 2, False, 12),
    ("3 unused years still total 24", 24, 3, False, 12),
    ("deferred by the PYBMC: carry 12 (total 24)", 12, 0, True, 12),
]


@pytest.mark.parametrize(
    ("case", "balance", "unused", "deferred", "carried"), CARRY, ids=[c[0] for c in CARRY]
)
def test_carry_over_table(case, balance, unused, deferred, carried):
    assert (
        rules.carry_over_days(
            previous_balance=balance, unused_years_in_a_row=unused, deferred_last_year=deferred
        )
        == carried
    )


def test_single_sick_day_is_decided_by_the_superior_alone():
    verdict = rules.evaluate(app(LeaveType.SAKIT, TODAY, TODAY), facts())
    assert verdict.ok and not verdict.needs_pybmc and verdict.required_evidence == ""
