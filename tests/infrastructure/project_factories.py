"""Factories and helpers of the projects, inspections and open-data tests."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from infrastructure.models import ProgressReport, Project
from portal.models import Employee, OrgUnit
from tests.factories import UserFactory

# The smallest valid files of each kind: `filetype` recognises them by their magic bytes.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "kontrak.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_exe(name: str = "laporan.pdf") -> SimpleUploadedFile:
    """An executable renamed to .pdf and declared as PDF by the browser."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 300, content_type="application/pdf")


def big_png(size: int) -> SimpleUploadedFile:
    data = io.BytesIO(PNG + b"\x00" * size).getvalue()
    return SimpleUploadedFile("besar.png", data, content_type="image/png")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"INFRA{n}")
    name = factory.LazyAttribute(lambda o: f"Dinas {o.code}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"proyek-uji-{n}")
    title = factory.Sequence(lambda n: f"Proyek Uji {n}")
    status = Project.Status.IMPLEMENTATION
    agency = factory.SubFactory(UnitFactory, code="PUPR", name="Dinas PUPR")
    latitude = Decimal("-6.900000")
    longitude = Decimal("107.600000")
    budget = 10_000_000_000
    contract_value = 9_000_000_000
    planned_start = datetime.date(2026, 1, 1)
    planned_end = datetime.date(2026, 12, 31)
    actual_start = datetime.date(2026, 1, 10)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period_end = datetime.date(2026, 3, 31)
    planned_physical = Decimal("30")
    actual_physical = Decimal("28")
    planned_financial = Decimal("25")
    actual_financial = Decimal("20")


def official(unit: OrgUnit, *, email: str | None = None, seq: int = 1):
    """A pejabat (public works official) with MFA, employed in `unit`."""
    user = UserFactory(
        email=email or f"pejabat{seq}@example.go.id", roles=["pegawai", "pejabat"], mfa=True
    )
    Employee.objects.create(
        user=user,
        nip=f"198503122010011{seq:03d}",
        full_name=f"Pejabat {seq}",
        kind=Employee.Kind.PNS,
        unit=unit,
        position="Kepala Bidang Jalan dan Jembatan",
        service_start=datetime.date(2010, 1, 1),
    )
    return user
