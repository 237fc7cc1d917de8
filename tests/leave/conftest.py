"""The leave tests' cast: one unit with a head (atasan langsung), a PYBMC above the head
in the same unit, two staff, a stand-in, and an outsider in another unit.

Dates are fixed: TODAY is Wednesday 1 July 2026 and services get `today` explicitly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from leave.models import UnitAuthority
from portal.models import Employee, OrgUnit
from tests.leave.factories import EmployeeFactory, LedgerFactory, OrgUnitFactory

TODAY = datetime.date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _roles_and_media(request, settings, tmp_path):
    """Role groups for database tests (pure rule tests need no database), and a private
    media folder for uploaded evidence."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEAVE_EVIDENCE_ROOT = tmp_path / "evidence"
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        request.getfixturevalue("db")
        for name in ("pegawai", "atasan", "admin"):
            Group.objects.get_or_create(name=name)


@dataclass
class Cast:
    unit: OrgUnit
    pybmc: Employee
    head: Employee
    staff: Employee
    staff2: Employee
    standin: Employee
    outsider: Employee


@pytest.fixture
def cast(db) -> Cast:
    unit = OrgUnitFactory(code="BKPSDM", name="BKPSDM")
    other = OrgUnitFactory(code="DISKOMINFO", name="Diskominfo")
    pybmc = EmployeeFactory(unit=unit, full_name="Pejabat PYBMC", user__roles=["pegawai", "atasan"])
    head = EmployeeFactory(
        unit=unit, superior=pybmc, full_name="Kepala Bidang", user__roles=["pegawai", "atasan"]
    )
    staff = EmployeeFactory(unit=unit, superior=head, full_name="Siti Pegawai", female=True)
    staff2 = EmployeeFactory(unit=unit, superior=head, full_name="Budi Pegawai")
    standin = EmployeeFactory(
        unit=unit, superior=pybmc, full_name="Plh Kepala", user__roles=["pegawai", "atasan"]
    )
    outside_head = EmployeeFactory(
        unit=other, full_name="Kepala Lain", user__roles=["pegawai", "atasan"]
    )
    outsider = EmployeeFactory(unit=other, superior=outside_head, full_name="Orang Lain")
    UnitAuthority.objects.create(unit=unit, official=pybmc)
    UnitAuthority.objects.create(unit=other, official=outside_head)
    for employee in (pybmc, head, staff, staff2, standin, outsider):
        LedgerFactory(employee=employee, year=2026, days=12)
    return Cast(unit, pybmc, head, staff, staff2, standin, outsider)
