"""Demo data of e-Surat: three units, their officials, classifications, two letters for warga01."""

from __future__ import annotations

import random

from django.db import transaction

from notifications.letters import keys, services
from notifications.letters.models import Classification, IssuingUnit, Letter, SigningOfficial
from portal.models import User

REGION = "PEMERINTAH KABUPATEN SUKAMAJU"
UNITS = [
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        "Jl. Merdeka No. 12, Sukamaju 40111",
        "Drs. H. Ahmad Fauzi, M.Si.",
        "197104121996031002",
        "Kepala BKPSDM",
    ),
    (
        "PUPR",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Jl. Veteran No. 45, Sukamaju 40112",
        "Ir. Retno Wulandari, M.T.",
        "197508232000122001",
        "Kepala Dinas PUPR",
    ),
    (
        "DISKOMINFO",
        "Dinas Komunikasi dan Informatika",
        "Jl. Asia Afrika No. 8, Sukamaju 40113",
        "Bambang Hermawan, S.Kom., M.M.",
        "198001152005011003",
        "Kepala Diskominfo",
    ),
]
CLASSIFICATIONS = [
    ("800.1.11.1", "Cuti tahunan"),
    ("800.1.11.2", "Cuti besar"),
    ("800.2.3", "Sertifikat pelatihan / pengembangan kompetensi"),
    ("400.14.1", "Pemberitahuan layanan umum"),
    ("600.1.15", "Keterangan pekerjaan umum"),
]


def seed(*, stdout, rng: random.Random) -> None:
    paths = keys.KeyPaths.configured()
    if not paths.complete():
        keys.create_keys(paths)
        stdout.write("e-Surat: created the local test CA, signing and log keys")
    with transaction.atomic():
        units = {}
        for code, name, address, official, nip, position in UNITS:
            units[code], _created = IssuingUnit.objects.get_or_create(
                code=code,
                defaults={"name": name, "address": address, "region_name": REGION},
            )
            SigningOfficial.objects.get_or_create(
                unit=units[code], nip=nip, defaults={"name": official, "position": position}
            )
        for code, title in CLASSIFICATIONS:
            Classification.objects.get_or_create(code=code, defaults={"title": title})
    citizen = User.objects.filter(email="warga01@demo.portal.go.id").first()
    admin = User.objects.filter(email="admin@demo.portal.go.id").first()
    if citizen is None or admin is None or Letter.objects.filter(recipient=citizen).exists():
        return
    name = citizen.get_full_name()
    for code, classification, subject, text in [
        (
            "DISKOMINFO",
            "400.14.1",
            "Aktivasi akun Portal Layanan Publik",
            "Akun Saudara pada Portal Layanan Publik telah aktif. Saudara dapat menerima "
            "pengingat dokumen dan surat resmi secara digital melalui portal ini.",
        ),
        (
            "PUPR",
            "600.1.15",
            "Pemberitahuan perbaikan jalan lingkungan",
            "Perbaikan jalan lingkungan di wilayah Saudara dijadwalkan mulai minggu depan "
            "selama 14 hari kerja. Mohon maaf atas ketidaknyamanan selama pekerjaan.",
        ),
    ]:
        unit = IssuingUnit.objects.get(code=code)
        services.letter_issue(
            kind="notice",
            unit=unit,
            classification=Classification.objects.get(code=classification),
            official=unit.officials.filter(active=True).first(),
            recipient=citizen,
            recipient_name=name,
            subject=subject,
            body_template="letters/bodies/notice.html",
            context={"text": text},
            issued_by=admin,
        )
    from notifications.letters import log

    log.checkpoint_create()
    stdout.write(f"e-Surat: issued 2 demo letters to {citizen.email}")
