"""The leave pages: thin views, no-JS forms, htmx preview, permissions, query counts."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leave import services
from leave.models import AttendanceRecord, LeaveEvidence, LeaveLedgerEntry, LeaveRequest
from portal.models import Employee
from tests.leave.factories import EmployeeFactory, LedgerFactory, WorkLocationFactory

D = datetime.date
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def login(client, employee):
    client.force_login(employee.user)
    return client


def form(**overrides):
    data = {
        "leave_type": "tahunan",
        "start_date": "2026-07-06",
        "end_date": "2026-07-08",
        "reason": "Keluarga",
    }
    data.update(overrides)
    return data


def test_employee_applies_without_javascript_and_lands_on_the_request(client, cast):
    response = login(client, cast.staff).post(reverse("leave:apply"), form())
    request = LeaveRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "leave:request_detail", args=[request.pk]
    )
    assert request.state == "submitted" and request.working_days == 3


def test_the_live_preview_shows_working_days_and_balance_left(client, cast):
    response = login(client, cast.staff).get(reverse("leave:apply"), form(), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "<strong>3</strong>" in body and "sisa setelah cuti ini 9" in body


def test_the_preview_without_javascript_is_the_whole_page(client, cast):
    response = login(client, cast.staff).get(reverse("leave:apply"), form(check="1"))
    body = response.content.decode()
    assert "<html" in body and "<strong>3</strong>" in body


def test_the_preview_refuses_a_forbidden_range_citing_the_rule(client, cast):
    response = login(client, cast.staff).get(
        reverse("leave:apply"),
        form(leave_type="besar", start_date="2026-08-03", end_date="2026-12-01"),
        HTTP_HX_REQUEST="true",
    )
    assert "paling lama 3 bulan" in response.content.decode()
    assert "PP 11/2017" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(end_date="2026-07-01"), "Tanggal selesai tidak boleh sebelum tanggal mulai"),
        (
            form(leave_type="sakit", start_date="2026-07-01", end_date="2026-07-03"),
            "surat keterangan dokter",
        ),
        (form(start_date="2026-07-06", end_date="2026-07-31"), "Sisa cuti tahunan Anda 12"),
        (form(start_date="bukan-tanggal"), "Masukkan tanggal yang valid"),
    ],
    ids=["end before start", "missing evidence", "over the balance", "not a date"],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(client, cast, data, message):
    response = login(client, cast.staff).post(reverse("leave:apply"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_sick_leave_with_a_doctors_letter_in_pdf_is_accepted(client, cast, settings):
    upload = SimpleUploadedFile("surat-dokter.pdf", PDF, content_type="application/pdf")
    data = form(
        leave_type="sakit",
        start_date="2026-07-01",
        end_date="2026-07-03",
        evidence_kind="doctor",
        evidence=upload,
    )
    response = login(client, cast.staff).post(reverse("leave:apply"), data)
    assert response.status_code == 302
    evidence = LeaveEvidence.objects.get()
    assert evidence.content_type == "application/pdf"
    assert evidence.file.path.startswith(str(settings.LEAVE_EVIDENCE_ROOT))  # not under /media/
    download = client.get(
        reverse("leave:evidence_download", args=[evidence.leave_request_id, evidence.pk])
    )
    assert download.status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("surat.pdf", b"MZ\x90\x00 this is an exe", "application/pdf", "harus PDF, JPEG atau PNG"),
        ("surat.png", PNG, "text/html", "harus PDF, JPEG atau PNG"),
        ("besar.pdf", PDF + b"0" * (2 * 1024 * 1024), "application/pdf", "terlalu besar"),
    ],
    ids=["exe renamed to pdf", "wrong declared type", "oversize"],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    client, cast, name, content, content_type, message
):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    data = form(
        leave_type="sakit",
        start_date="2026-07-01",
        end_date="2026-07-03",
        evidence_kind="doctor",
        evidence=upload,
    )
    response = login(client, cast.staff).post(reverse("leave:apply"), data)
    assert message in response.content.decode()
    assert not LeaveRequest.objects.exists() and not LeaveEvidence.objects.exists()


def test_an_invalid_nip_is_refused_with_a_clear_message(cast):
    employee = Employee(
        user=cast.staff.user,
        nip="198513452010011001",
        full_name="X",
        kind="pns",
        unit=cast.unit,
        position="x",
        service_start=D(2010, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        employee.full_clean(exclude=["user"])
    assert "Tanggal lahir pada NIP" in str(error.value)


def _submitted(cast):
    return services.leave_request_submit(
        employee=cast.staff,
        leave_type="tahunan",
        start=D(2026, 7, 6),
        end=D(2026, 7, 8),
        reason="x",
        today=D(2026, 7, 1),
    )


def test_superior_recommends_and_pybmc_approves_through_the_pages(client, cast):
    request = _submitted(cast)
    url = reverse("leave:request_decide", args=[request.pk])
    assert login(client, cast.head).post(url, {"action": "recommend"}).status_code == 302
    assert login(client, cast.pybmc).post(url, {"action": "approve"}).status_code == 302
    assert (
        login(client, cast.pybmc).post(url, {"action": "approve"}).status_code == 302
    )  # double submit
    request.refresh_from_db()
    assert request.state == "approved"
    assert LeaveLedgerEntry.objects.filter(leave_request=request).count() == 1


def test_a_supervisor_of_another_unit_gets_404(client, cast):
    request = _submitted(cast)
    other_head = cast.outsider.superior
    login(client, other_head)
    assert client.get(reverse("leave:request_detail", args=[request.pk])).status_code == 404
    assert (
        client.post(
            reverse("leave:request_decide", args=[request.pk]), {"action": "recommend"}
        ).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.state == "submitted"


def test_a_supervisor_cannot_approve_their_own_leave(client, cast):
    request = services.leave_request_submit(
        employee=cast.head,
        leave_type="tahunan",
        start=D(2026, 7, 6),
        end=D(2026, 7, 6),
        reason="x",
        today=D(2026, 7, 1),
    )
    response = login(client, cast.head).post(
        reverse("leave:request_decide", args=[request.pk]), {"action": "recommend"}
    )
    assert response.status_code == 403


def test_a_colleague_cannot_see_anothers_request(client, cast):
    request = _submitted(cast)
    assert (
        login(client, cast.staff2)
        .get(reverse("leave:request_detail", args=[request.pk]))
        .status_code
        == 404
    )


def test_a_citizen_without_an_employee_record_gets_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("leave:index")).status_code == 404


def test_defer_and_reject_need_a_reason(client, cast):
    request = _submitted(cast)
    login(client, cast.head).post(
        reverse("leave:request_decide", args=[request.pk]), {"action": "reject"}
    )
    request.refresh_from_db()
    assert request.state == "submitted"


def test_employee_cancels_through_the_page(client, cast):
    request = _submitted(cast)
    login(client, cast.staff).post(reverse("leave:request_cancel", args=[request.pk]))
    request.refresh_from_db()
    assert request.state == "cancelled"


@pytest.mark.parametrize("extra", [0, 15])
def test_my_leave_page_query_count_does_not_grow_with_history(
    client, cast, django_assert_max_num_queries, extra
):
    for index in range(extra):
        LeaveRequest.objects.create(
            employee=cast.staff,
            leave_type="sakit",
            start_date=D(2026, 1, 5) + datetime.timedelta(days=index * 7),
            end_date=D(2026, 1, 5) + datetime.timedelta(days=index * 7),
            working_days=1,
            reason="x",
            state="taken",
        )
    login(client, cast.staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("leave:index")).status_code == 200


@pytest.mark.parametrize("extra", [0, 10])
def test_approvals_page_query_count_does_not_grow_with_pending_requests(
    client, cast, django_assert_max_num_queries, extra
):
    for index in range(extra):
        employee = EmployeeFactory(unit=cast.unit, superior=cast.head)
        LedgerFactory(employee=employee)
        services.leave_request_submit(
            employee=employee,
            leave_type="tahunan",
            start=D(2026, 7, 6) + datetime.timedelta(days=7 * (index % 3)),
            end=D(2026, 7, 6) + datetime.timedelta(days=7 * (index % 3)),
            reason="x",
            today=D(2026, 7, 1),
        )
    login(client, cast.head)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("leave:approvals"))
    assert response.status_code == 200 and response.content.decode().count("<article") == extra


@pytest.mark.parametrize("extra", [0, 10])
def test_team_page_query_count_does_not_grow_with_the_unit(
    client, cast, django_assert_max_num_queries, extra
):
    for _index in range(extra):
        EmployeeFactory(unit=cast.unit, superior=cast.head)
    login(client, cast.pybmc)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("leave:team")).status_code == 200


def test_check_in_without_a_location_explains_it_is_required(client, cast):
    WorkLocationFactory().employees.add(cast.staff)
    response = login(client, cast.staff).post(
        reverse("leave:attendance"), {"kind": "in"}, follow=True
    )
    assert "Lokasi perangkat diperlukan" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_check_in_page_posts_location_and_sets_a_device_cookie(client, cast):
    WorkLocationFactory().employees.add(cast.staff)
    response = login(client, cast.staff).post(
        reverse("leave:attendance"),
        {"kind": "in", "latitude": "-6.9116", "longitude": "107.6093", "accuracy": "12"},
    )
    assert response.status_code == 302 and "portal_device" in response.cookies
    record = AttendanceRecord.objects.get()
    assert record.new_device and record.mode == "onsite"
    page = client.get(reverse("leave:attendance")).content.decode()
    assert "js/leave.js" in page and "<script>" not in page


def test_monthly_recap_csv_is_for_hr_admins_only(client, cast, admin_user):
    url = reverse("leave:recap_csv", kwargs={"year": 2026, "month": 7})
    assert login(client, cast.pybmc).get(url).status_code == 403
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("nip,nama,unit,hadir") and len(lines) == 1 + Employee.objects.count()


def test_dashboard_card_shows_the_balance(client, cast):
    response = login(client, cast.staff).get(reverse("portal:dashboard"))
    assert "Saldo cuti tahunan: 12 hari kerja" in response.content.decode()


def test_monthly_recap_pdf_is_for_hr_admins_only(client, cast, admin_user):
    url = reverse("leave:recap_pdf", kwargs={"year": 2026, "month": 7})
    assert login(client, cast.head).get(url).status_code == 403
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_recap_for_a_month_that_does_not_exist_is_404(client, admin_user):
    client.force_login(admin_user)
    assert (
        client.get(reverse("leave:recap_csv", kwargs={"year": 2026, "month": 13})).status_code
        == 404
    )
