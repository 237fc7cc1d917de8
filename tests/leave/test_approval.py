"""The two-stage approval chain: atasan langsung considers, PYBMC decides."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from leave import selectors, services
from leave.checks import ledger_check
from leave.models import (
    DayStatus,
    Delegation,
    LeaveDecision,
    LeaveLedgerEntry,
    LeaveRequest,
    LedgerKind,
)
from portal.models import Activity
from tests.leave.conftest import TODAY

D = datetime.date
pytestmark = pytest.mark.django_db


MONDAY, WEDNESDAY = D(2026, 7, 6), D(2026, 7, 8)


def submit(employee, start=MONDAY, end=WEDNESDAY, leave_type="tahunan", **kwargs):
    return services.leave_request_submit(
        employee=employee,
        leave_type=leave_type,
        start=start,
        end=end,
        reason="Keluarga",
        today=TODAY,
        **kwargs,
    )


def decide(request, actor, action, **kwargs):
    return services.leave_request_decide(
        leave_request_id=request.pk, actor=actor, action=action, today=TODAY, **kwargs
    )


def balance(employee):
    return selectors.annual_balance(employee=employee, year=2026)


def test_employee_applies_superior_recommends_pybmc_approves_and_the_days_are_deducted(cast):
    request = submit(cast.staff)
    assert request.state == LeaveRequest.State.SUBMITTED and request.working_days == 3
    decide(request, cast.head, "recommend")
    request.refresh_from_db()
    assert request.state == LeaveRequest.State.RECOMMENDED
    decide(request, cast.pybmc, "approve")
    request.refresh_from_db()
    assert request.state == LeaveRequest.State.APPROVED
    assert balance(cast.staff) == 9
    assert DayStatus.objects.filter(employee=cast.staff, status="cuti").count() == 3
    verbs = list(Activity.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == ["leave.submitted", "leave.recommended", "leave.approved"]
    assert ledger_check(year=2026) == []


def test_pending_requests_reserve_the_balance(cast):
    submit(cast.staff, D(2026, 7, 6), D(2026, 7, 15))  # 8 days
    with pytest.raises(services.LeaveRefused) as refused:
        submit(cast.staff, D(2026, 7, 20), D(2026, 7, 24))  # 5 more: only 4 left
    assert "Sisa cuti tahunan Anda 4" in refused.value.messages[0]


def test_overlapping_requests_are_refused_citing_the_rule(cast):
    submit(cast.staff)
    with pytest.raises(services.LeaveRefused) as refused:
        submit(cast.staff, D(2026, 7, 8), D(2026, 7, 9))
    assert (
        "bertumpuk" in refused.value.messages[0]
        and "Peraturan BKN 24/2017" in refused.value.messages[0]
    )


def test_superior_changes_the_dates_and_the_pybmc_approves_the_changed_range(cast):
    request = submit(cast.staff)
    decide(
        request,
        cast.head,
        "change",
        changed_start=D(2026, 7, 13),
        changed_end=D(2026, 7, 14),
        note="Rapat",
    )
    request.refresh_from_db()
    assert (request.start_date, request.working_days, request.state) == (
        D(2026, 7, 13),
        2,
        "recommended",
    )
    decide(request, cast.pybmc, "approve")
    assert balance(cast.staff) == 10


def test_pybmc_changes_the_dates_on_approval(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "change", changed_start=D(2026, 7, 20), changed_end=D(2026, 7, 20))
    request.refresh_from_db()
    assert request.state == "approved" and request.working_days == 1
    assert balance(cast.staff) == 11
    assert request.decisions.get(stage="pybmc").outcome == LeaveDecision.Outcome.CHANGED


def test_pybmc_defers_and_nothing_is_deducted(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "defer", note="Kepentingan dinas mendesak")
    request.refresh_from_db()
    assert request.state == "deferred" and balance(cast.staff) == 12


def test_superior_rejects_and_the_request_ends_there(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "reject", note="Audit")
    request.refresh_from_db()
    assert request.state == "rejected"
    with pytest.raises(services.LeaveRefused):
        decide(request, cast.pybmc, "approve")
    assert balance(cast.staff) == 12


def test_cancel_before_start_reverses_the_deduction(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "approve")
    assert balance(cast.staff) == 9
    services.leave_request_cancel(leave_request_id=request.pk, employee=cast.staff, today=TODAY)
    request.refresh_from_db()
    assert request.state == "cancelled" and balance(cast.staff) == 12
    kinds = list(LeaveLedgerEntry.objects.filter(leave_request=request).values_list("kind", "days"))
    assert sorted(kinds) == [(LedgerKind.DEDUCTION, -3), (LedgerKind.REVERSAL, 3)]
    assert not DayStatus.objects.filter(leave_request=request).exists()
    assert ledger_check(year=2026) == []


def test_leave_that_has_started_cannot_be_cancelled(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "approve")
    with pytest.raises(services.LeaveRefused):
        services.leave_request_cancel(
            leave_request_id=request.pk, employee=cast.staff, today=D(2026, 7, 6)
        )


def test_nobody_approves_their_own_request(cast):
    request = submit(cast.head)  # the head's superior is the PYBMC
    with pytest.raises(PermissionDenied):
        decide(request, cast.head, "recommend")


def test_only_the_direct_superior_or_a_stand_in_may_consider(cast):
    request = submit(cast.staff)
    with pytest.raises(PermissionDenied):
        decide(request, cast.standin, "recommend")
    with pytest.raises(PermissionDenied):
        decide(request, cast.outsider.superior, "recommend")


def test_a_plh_stands_in_for_the_absent_pybmc_and_the_delegation_is_recorded(cast):
    delegation = Delegation.objects.create(
        principal=cast.pybmc,
        delegate=cast.standin,
        kind="plh",
        starts_on=D(2026, 6, 29),
        ends_on=D(2026, 7, 3),
    )
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.standin, "approve")
    decision = LeaveDecision.objects.get(leave_request=request, stage="pybmc")
    assert (decision.decided_by, decision.acting_for, decision.delegation) == (
        cast.standin,
        cast.pybmc,
        delegation,
    )


def test_an_expired_delegation_gives_no_authority(cast):
    Delegation.objects.create(
        principal=cast.pybmc,
        delegate=cast.standin,
        kind="plh",
        starts_on=D(2026, 6, 1),
        ends_on=D(2026, 6, 30),
    )
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    with pytest.raises(PermissionDenied):
        decide(request, cast.standin, "approve")


def test_a_double_submitted_approval_writes_one_ledger_entry(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "approve")
    with pytest.raises(services.LeaveRefused):
        decide(request, cast.pybmc, "approve")
    assert LeaveLedgerEntry.objects.filter(leave_request=request).count() == 1
    assert LeaveDecision.objects.filter(leave_request=request).count() == 2


def test_a_one_day_sick_leave_is_decided_by_the_superior(cast):
    request = submit(cast.staff, TODAY, TODAY, leave_type="sakit")
    decide(request, cast.head, "recommend")
    request.refresh_from_db()
    assert request.state == "approved" and balance(cast.staff) == 12


def test_a_unit_heads_request_goes_straight_to_the_pybmc_of_the_unit(cast):
    cast.head.superior = None
    cast.head.save()
    request = submit(cast.head)
    assert request.state == "recommended"
    assert list(selectors.approvals_pending_for(actor=cast.pybmc, on=TODAY)) == [request]


def test_cuti_besar_expires_the_rest_of_the_years_annual_leave(cast):
    request = submit(cast.staff, D(2026, 8, 3), D(2026, 8, 28), leave_type="besar")
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "approve")
    assert balance(cast.staff) == 0
    with pytest.raises(services.LeaveRefused) as refused:
        submit(cast.staff, D(2026, 9, 7), D(2026, 9, 7))
    assert any("cuti besar" in message for message in refused.value.messages)


def test_taken_state_follows_the_start_date(cast):
    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    decide(request, cast.pybmc, "approve")
    assert services.leave_requests_mark_taken(today=D(2026, 7, 5)) == 0
    assert services.leave_requests_mark_taken(today=D(2026, 7, 6)) == 1
    request.refresh_from_db()
    assert request.state == "taken"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_write_one_deduction(cast):
    import threading

    from django.db import connection

    request = submit(cast.staff)
    decide(request, cast.head, "recommend")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve() -> None:
        try:
            barrier.wait(timeout=10)
            decide(request, cast.pybmc, "approve")
            outcomes.append("approved")
        except services.LeaveRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "refused"]
    assert LeaveLedgerEntry.objects.filter(leave_request=request, kind="deduction").count() == 1
