"""The apply page's live preview is cached per user and refreshes when their leave data changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leave.models import LeaveLedgerEntry
from tests.leave.test_pages import form, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _preview(client, **overrides) -> str:
    response = client.get(reverse("leave:apply"), form(**overrides), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeated_preview_costs_one_query(client, cast):
    login(client, cast.staff)
    _preview(client)

    with CaptureQueriesContext(connection) as queries:
        body = _preview(client)

    # The user with roles and MFA state; the employee and the rules' facts are cached.
    assert len(queries) == 1
    assert "sisa setelah cuti ini 9" in body


def test_a_ledger_change_shows_in_the_next_preview(client, cast):
    login(client, cast.staff)
    assert "sisa setelah cuti ini 9" in _preview(client)

    LeaveLedgerEntry.objects.create(
        employee=cast.staff, leave_type="tahunan", year=2026, kind="expiry", days=-2
    )

    assert "sisa setelah cuti ini 7" in _preview(client)


def test_each_range_has_its_own_preview(client, cast):
    login(client, cast.staff)
    assert "<strong>3</strong>" in _preview(client)

    assert "<strong>5</strong>" in _preview(client, end_date="2026-07-10")


def test_one_employees_preview_is_never_anothers(client, cast):
    cast.staff2.user.groups.set(cast.staff.user.groups.all())
    LeaveLedgerEntry.objects.create(
        employee=cast.staff2, leave_type="tahunan", year=2026, kind="expiry", days=-5
    )
    login(client, cast.staff)
    assert "sisa setelah cuti ini 9" in _preview(client)

    login(client, cast.staff2)

    assert "sisa setelah cuti ini 9" not in _preview(client)
