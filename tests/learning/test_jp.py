"""The JP wallet: yearly totals from courses and approved external training, targets and caps."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learning import selectors, services
from learning.models import JpEntry
from portal.models import Employee
from tests.learning.conftest import finish_lessons, pass_quiz
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _external(employee, *, jp: int, year: int = 2026, status: str = "approved") -> JpEntry:
    return JpEntry.objects.create(
        employee=employee,
        year=year,
        source=JpEntry.Source.EXTERNAL,
        kind=JpEntry.Kind.TRAINING,
        provider="BPSDM Provinsi",
        subject="Pelatihan analisis kebijakan",
        start_on=datetime.date(year, 5, 1),
        end_on=datetime.date(year, 5, 3),
        jp=jp,
        status=status,
    )


def test_total_counts_completed_courses_and_approved_external_entries_of_the_year(
    kit, enrolment, learner
):
    finish_lessons(enrolment, kit.required_lessons)
    pass_quiz(kit, enrolment)  # 6 JP this year
    year = enrolment.jp_entry.year
    _external(learner, jp=8, year=year)
    _external(learner, jp=5, year=year, status="pending")
    _external(learner, jp=7, year=year, status="rejected")
    _external(learner, jp=9, year=year - 1)

    summary = selectors.jp_summary(employee=learner, year=year)
    assert summary.earned == 14
    assert summary.counted == 14
    assert summary.target == 20
    assert summary.met is False
    assert selectors.jp_summary(employee=learner, year=year - 1).earned == 9


def test_a_pns_meets_the_target_at_20_jp(learner):
    _external(learner, jp=12)
    _external(learner, jp=8)
    summary = selectors.jp_summary(employee=learner, year=2026)
    assert (summary.counted, summary.met, summary.percent) == (20, True, 100)


def test_pppk_jp_count_up_to_24_a_year(db):
    pppk = EmployeeFactory(kind=Employee.Kind.PPPK)
    _external(pppk, jp=20)
    _external(pppk, jp=10)
    summary = selectors.jp_summary(employee=pppk, year=2026)
    assert summary.earned == 30
    assert summary.counted == 24
    assert summary.target is None and summary.cap == 24 and summary.met is None
    assert summary.percent == 100


def test_the_jp_targets_are_settings(settings, learner):
    settings.LEARNING_JP_TARGETS = {"pns": 40}
    _external(learner, jp=20)
    assert selectors.jp_summary(employee=learner, year=2026).met is False


def test_an_external_entry_waits_for_the_direct_superior(office, learner):
    entry = services.jp_external_submit(
        employee=learner,
        kind=JpEntry.Kind.COACHING,
        provider="Kepala Bidang",
        subject="Coaching penyusunan SKP",
        start_on=datetime.date(2026, 2, 2),
        end_on=datetime.date(2026, 2, 2),
        jp=2,
        evidence=SimpleUploadedFile("bukti.pdf", PDF, content_type="application/pdf"),
    )
    assert entry.status == JpEntry.Status.PENDING
    assert selectors.jp_summary(employee=learner, year=2026).earned == 0

    with pytest.raises(PermissionError):
        services.jp_entry_decide(entry=entry, decider=office.leader_b.user, approve=True)
    services.jp_entry_decide(entry=entry, decider=office.leader_a.user, approve=True)
    assert selectors.jp_summary(employee=learner, year=2026).earned == 2

    with pytest.raises(services.LearningError):
        services.jp_entry_decide(entry=entry, decider=office.leader_a.user, approve=False, note="x")


def test_a_rejection_needs_a_reason(office, learner):
    entry = _external(learner, jp=3, status="pending")
    with pytest.raises(services.LearningError, match="alasan"):
        services.jp_entry_decide(entry=entry, decider=office.leader_a.user, approve=False)


def test_the_employee_submits_an_external_entry_with_evidence_through_the_form(client, learner):
    client.force_login(learner.user)
    response = client.post(
        reverse("learning:jp_add"),
        {
            "kind": "training",
            "subject": "Bimtek SPBE",
            "provider": "Kementerian PANRB",
            "start_on": "2026-03-02",
            "end_on": "2026-03-04",
            "jp": "24",
            "evidence": SimpleUploadedFile("sertifikat.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    entry = JpEntry.objects.get(employee=learner)
    assert (entry.status, entry.year, entry.jp) == ("pending", 2026, 24)


def test_evidence_that_is_not_what_it_claims_is_refused(client, learner):
    client.force_login(learner.user)
    response = client.post(
        reverse("learning:jp_add"),
        {
            "kind": "training",
            "subject": "Bimtek SPBE",
            "provider": "Kementerian PANRB",
            "start_on": "2026-03-02",
            "end_on": "2026-03-04",
            "jp": "24",
            "evidence": SimpleUploadedFile(
                "virus.pdf", b"MZ\x90\x00", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 400
    assert "Isi berkas tidak sesuai" in response.text
    assert not JpEntry.objects.exists()


def test_the_leader_approves_from_the_unit_page(client, office, learner):
    entry = _external(learner, jp=4, status="pending")
    client.force_login(office.leader_a.user)
    page = client.get(reverse("learning:leader"))
    assert "Pelatihan analisis kebijakan" in page.text
    response = client.post(reverse("learning:jp_decide", args=[entry.pk]), {"keputusan": "setujui"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.decided_by == office.leader_a.user


def test_another_units_leader_cannot_decide(client, office, learner):
    entry = _external(learner, jp=4, status="pending")
    client.force_login(office.leader_b.user)
    response = client.post(reverse("learning:jp_decide", args=[entry.pk]), {"keputusan": "setujui"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.status == "pending"


def test_the_csv_export_has_the_competency_development_record_fields(client, office, learner):
    _external(learner, jp=8, year=2026)
    client.force_login(office.leader_a.user)
    response = client.get(reverse("learning:leader_export"), {"tahun": 2026})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "NIP,Nama,Jenis pengembangan kompetensi,Penyelenggara,Nama kegiatan / materi,"
        "Tanggal mulai,Tanggal selesai,JP,Bukti"
    )
    assert (
        "Pelatihan (diklat),BPSDM Provinsi,Pelatihan analisis kebijakan,2026-05-01,2026-05-03,8"
        in lines[1]
    )
    assert len(lines) == 2


def test_the_csv_export_neutralises_spreadsheet_formulas(client, learner):
    entry = _external(learner, jp=8)
    entry.subject = '=HYPERLINK("http://x")'
    entry.save()
    client.force_login(learner.user)
    response = client.get(reverse("learning:jp_export"), {"tahun": 2026})
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")
