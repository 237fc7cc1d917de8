"""factory_boy factories of the leave tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from leave.models import (
    Holiday,
    LeaveLedgerEntry,
    LeaveType,
    LedgerKind,
    UnitAuthority,
    WorkLocation,
)
from portal.models import Employee, OrgUnit
from tests.factories import UserFactory


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"UNIT{n}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.code}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    """A PNS with MFA (staff must have it), appointed in 2010 unless told otherwise."""

    class Meta:
        model = Employee

    class Params:
        female = False
        sequence = factory.Sequence(lambda n: n % 999 + 1)

    user = factory.SubFactory(UserFactory, roles=["pegawai"], mfa=True)
    nip = factory.LazyAttribute(
        lambda o: (
            f"19850312{o.service_start:%Y}{'21' if o.kind == 'pppk' else f'{o.service_start:%m}'}"
            f"{2 if o.female else 1}{o.sequence:03d}"
        )
    )
    full_name = factory.Faker("name", locale="id_ID")
    kind = Employee.Kind.PNS
    unit = factory.SubFactory(OrgUnitFactory)
    position = "Analis Kepegawaian"
    superior = None
    service_start = datetime.date(2010, 1, 1)


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday
        django_get_or_create = ["date"]

    date = datetime.date(2026, 8, 17)
    name = "Hari Kemerdekaan"
    kind = Holiday.Kind.NATIONAL


class LedgerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveLedgerEntry

    employee = factory.SubFactory(EmployeeFactory)
    leave_type = LeaveType.TAHUNAN
    year = 2026
    kind = LedgerKind.ALLOCATION
    days = 12


class UnitAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitAuthority


class WorkLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkLocation

    name = "Balai Kota Bandung"
    latitude = Decimal("-6.911600")
    longitude = Decimal("107.609300")
    radius_m = 100
