"""Demo missions, points rules, badges and rewards. Idempotent: keyed by slug/name."""

from __future__ import annotations

import random

from django.db import transaction

from gamification.models import Badge, Mission, PointsRule, Reward

BADGES = [
    # slug, name, description, metric, verb, icon, order
    (
        "pemeriksa-surat",
        "Pemeriksa Surat",
        "Memverifikasi keaslian surat resmi.",
        "activity",
        "letter.verified",
        "✉",
        10,
    ),
    (
        "pembaca-pengumuman",
        "Pembaca Pengumuman",
        "Membaca pemberitahuan dari pemerintah.",
        "activity",
        "notification.read",
        "📢",
        20,
    ),
    (
        "pemantau-pembangunan",
        "Pemantau Pembangunan",
        "Memantau kemajuan proyek publik.",
        "activity",
        "project.viewed",
        "🏗",
        30,
    ),
    (
        "pembelajar",
        "Pembelajar",
        "Menyelesaikan pelajaran daring.",
        "activity",
        "lesson.completed",
        "📘",
        40,
    ),
    (
        "warga-tertib",
        "Warga Tertib Administrasi",
        "Menyelesaikan misi data diri.",
        "mission",
        "",
        "🗂",
        50,
    ),
]

MISSIONS = [
    # slug, title, description, verb, goal, points, badge slug, link, order
    (
        "verifikasi-surat",
        "Verifikasi sebuah surat",
        "Periksa keaslian satu surat resmi lewat kode QR-nya.",
        "letter.verified",
        1,
        20,
        "",
        "",
        10,
    ),
    (
        "baca-pengumuman",
        "Baca pemberitahuan",
        "Buka dan baca satu pemberitahuan di kotak masuk.",
        "notification.read",
        1,
        10,
        "",
        "/notifikasi/",
        20,
    ),
    (
        "pantau-proyek",
        "Cek kemajuan proyek",
        "Lihat kemajuan satu proyek pembangunan.",
        "project.viewed",
        1,
        10,
        "",
        "/infrastruktur/",
        30,
    ),
    (
        "selesaikan-pelajaran",
        "Selesaikan satu pelajaran",
        "Tuntaskan satu pelajaran di e-learning.",
        "lesson.completed",
        1,
        25,
        "",
        "/belajar/",
        40,
    ),
    (
        "perbarui-profil",
        "Perbarui profil",
        "Pastikan data profil Anda terbaru.",
        "profile.updated",
        1,
        15,
        "warga-tertib",
        "/profil/ubah/",
        50,
    ),
    (
        "tambah-dokumen",
        "Tambahkan dokumen",
        "Catat SIM, STNK, paspor, PBB atau SPT untuk pengingat.",
        "document.added",
        1,
        15,
        "warga-tertib",
        "/profil/dokumen/baru/",
        60,
    ),
]

RULES = [
    # verb, points, daily cap
    ("letter.verified", 2, 5),
    ("notification.read", 1, 5),
    ("project.viewed", 1, 5),
    ("lesson.completed", 5, 3),
    ("profile.updated", 2, 2),
    ("document.added", 3, 3),
]

REWARDS = [
    # name, description, kind, price, stock
    ("Pulsa Rp10.000", "Voucher pulsa semua operator.", "pulsa", 100, 200),
    ("Paket data 2 GB", "Voucher paket data 2 GB, berlaku 7 hari.", "data", 150, 200),
    ("E-book Panduan Layanan Digital", "E-book tentang layanan publik digital.", "ebook", 50, 1000),
    (
        "Kaos Portal Layanan Publik",
        "Merchandise resmi, diambil di kantor kelurahan.",
        "merch",
        400,
        25,
    ),
]


@transaction.atomic
def seed(*, stdout, rng: random.Random) -> None:
    badges = {}
    for slug, name, description, metric, verb, icon, order in BADGES:
        badges[slug], _created = Badge.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "metric": metric,
                "verb": verb,
                "icon": icon,
                "order": order,
            },
        )
    for slug, title, description, verb, goal, points, badge, link, order in MISSIONS:
        Mission.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "description": description,
                "period": Mission.Period.DAILY,
                "verb": verb,
                "goal": goal,
                "points": points,
                "badge": badges.get(badge),
                "link_url": link,
                "order": order,
            },
        )
    for verb, points, cap in RULES:
        PointsRule.objects.get_or_create(verb=verb, defaults={"points": points, "daily_cap": cap})
    for name, description, kind, price, stock in REWARDS:
        Reward.objects.get_or_create(
            name=name,
            defaults={"description": description, "kind": kind, "price": price, "stock": stock},
        )
    stdout.write(
        f"gamification: {len(MISSIONS)} daily missions, {len(BADGES)} badges, "
        f"{len(RULES)} points rules, {len(REWARDS)} rewards"
    )
