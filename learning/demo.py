"""Demo courses: data management for regional leaders, using the portal's services, and
digital literacy for citizens; a few assignments and enrolments. Idempotent (by slug)."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from learning import services
from learning.models import (
    Assignment,
    Course,
    Enrolment,
    JpEntry,
    Lesson,
    Module,
    Question,
    Quiz,
)
from portal.models import Employee, OrgUnit, User

# (title, body html, minutes, video url)
_L = tuple[str, str, int, str]
# (question, kind, weight, [(choice, correct), ...])
_Q = tuple[str, str, int, list[tuple[str, bool]]]

COURSES: list[dict] = [
    {
        "slug": "tata-kelola-data-pimpinan-daerah",
        "title": "Tata Kelola Data untuk Pimpinan Daerah",
        "summary": (
            "Satu Data Indonesia di tingkat daerah: peran walidata dan produsen data, "
            "kualitas data, dan cara membaca dasbor untuk mengambil keputusan."
        ),
        "audience": "leaders",
        "area": "managerial",
        "jp": 8,
        "modules": [
            (
                "Satu Data Indonesia di daerah",
                [
                    (
                        "Mengapa data harus satu",
                        "<p>Perpres 39/2019 tentang <strong>Satu Data Indonesia</strong> meminta "
                        "data yang dihasilkan instansi memenuhi standar data, metadata, "
                        "interoperabilitas, dan memakai kode referensi.</p><ul><li>Satu standar</li>"
                        "<li>Satu metadata baku</li><li>Dapat dibagipakaikan</li></ul>",
                        15,
                        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                    ),
                    (
                        "Walidata, produsen data, dan forum data",
                        "<p>Di daerah, <em>walidata</em> (biasanya Diskominfo) mengumpulkan dan "
                        "memeriksa data dari <em>produsen data</em> (perangkat daerah). Forum Satu "
                        "Data menyepakati daftar data prioritas setiap tahun.</p>",
                        20,
                        "",
                    ),
                ],
            ),
            (
                "Kualitas data dan keputusan",
                [
                    (
                        "Lima dimensi kualitas data",
                        "<p>Periksa data dari kelengkapan, akurasi, ketepatan waktu, "
                        'konsistensi, dan keterbandingan.</p><table><thead><tr><th scope="col">'
                        'Dimensi</th><th scope="col">Pertanyaan</th></tr></thead><tbody><tr><td>'
                        "Kelengkapan</td><td>Adakah baris yang kosong?</td></tr><tr><td>Ketepatan "
                        "waktu</td><td>Kapan data terakhir diperbarui?</td></tr></tbody></table>",
                        20,
                        "",
                    ),
                    (
                        "Membaca dasbor tanpa tersesat",
                        "<p>Mulailah dari pertanyaan kebijakan, bukan dari grafik. Bandingkan "
                        "dengan periode lalu dan daerah sebanding sebelum menarik kesimpulan.</p>",
                        15,
                        "",
                    ),
                ],
            ),
        ],
        "quiz": (
            "Kuis tata kelola data",
            {"pass_mark": 70, "max_attempts": 3, "time_limit_minutes": 20, "pool_size": 4},
            [
                (
                    "Siapa yang berperan sebagai walidata di pemerintah daerah?",
                    "single",
                    2,
                    [
                        ("Perangkat daerah yang ditunjuk, biasanya Diskominfo", True),
                        ("Setiap pegawai yang membuat tabel", False),
                        ("Badan Pusat Statistik saja", False),
                    ],
                ),
                (
                    "Manakah yang termasuk prinsip Satu Data Indonesia?",
                    "multiple",
                    3,
                    [
                        ("Standar data", True),
                        ("Metadata baku", True),
                        ("Interoperabilitas", True),
                        ("Setiap dinas memakai format sendiri", False),
                    ],
                ),
                (
                    "Data kunjungan puskesmas terakhir diperbarui dua tahun lalu. Dimensi kualitas apa yang bermasalah?",
                    "single",
                    1,
                    [("Ketepatan waktu", True), ("Kelengkapan", False), ("Keterbandingan", False)],
                ),
                (
                    "Forum Satu Data di daerah menyepakati …",
                    "single",
                    1,
                    [
                        ("Daftar data prioritas", True),
                        ("Gaji pegawai", False),
                        ("Jadwal cuti bersama", False),
                    ],
                ),
                (
                    "Sebelum menyimpulkan dari dasbor, sebaiknya …",
                    "multiple",
                    2,
                    [
                        ("Membandingkan dengan periode sebelumnya", True),
                        ("Membandingkan dengan daerah sebanding", True),
                        ("Memilih grafik yang paling menarik", False),
                    ],
                ),
            ],
        ),
    },
    {
        "slug": "menggunakan-layanan-portal",
        "title": "Menggunakan Layanan Portal untuk ASN",
        "summary": (
            "Panduan praktis memakai Portal Layanan Publik: presensi, pengajuan cuti, "
            "e-Surat dan verifikasinya, serta dompet JP."
        ),
        "audience": "asn",
        "area": "technical",
        "jp": 4,
        "modules": [
            (
                "Akun dan keamanan",
                [
                    (
                        "Masuk dengan aman: aplikasi autentikator",
                        "<p>Akun ASN wajib memakai <strong>autentikator (TOTP)</strong>. Pindai "
                        "kode QR dengan aplikasi autentikator, lalu simpan kode pemulihan di tempat "
                        "aman.</p>",
                        10,
                        "",
                    ),
                ],
            ),
            (
                "Layanan sehari-hari",
                [
                    (
                        "Presensi dan cuti",
                        "<p>Presensi hanya tercatat di dalam area kantor. Cuti diajukan lewat "
                        "menu Cuti; atasan langsung memberi pertimbangan dan pejabat yang "
                        "berwenang memutuskan.</p>",
                        15,
                        "",
                    ),
                    (
                        "e-Surat dan verifikasi kode QR",
                        "<p>Setiap e-Surat memiliki nomor dan kode QR. Siapa pun dapat memeriksa "
                        "keaslian surat di halaman verifikasi tanpa masuk akun.</p>",
                        10,
                        "",
                    ),
                    (
                        "Dompet JP",
                        "<p>Setiap PNS wajib mengikuti pengembangan kompetensi paling sedikit "
                        "<strong>20 JP</strong> setahun. Kursus yang selesai di portal tercatat "
                        "otomatis; pelatihan di luar portal dicatat dengan bukti dan disetujui "
                        "atasan.</p>",
                        10,
                        "",
                    ),
                ],
            ),
        ],
        "quiz": (
            "Kuis layanan portal",
            {"pass_mark": 75, "max_attempts": 3, "time_limit_minutes": None, "pool_size": None},
            [
                (
                    "Apa yang wajib diaktifkan akun ASN sebelum memakai portal?",
                    "single",
                    1,
                    [
                        ("Autentikator (TOTP)", True),
                        ("Notifikasi SMS", False),
                        ("Foto profil", False),
                    ],
                ),
                (
                    "Siapa yang dapat memverifikasi keaslian e-Surat?",
                    "single",
                    1,
                    [
                        ("Siapa pun, lewat kode QR", True),
                        ("Hanya penerima surat", False),
                        ("Hanya admin", False),
                    ],
                ),
                (
                    "Berapa JP pengembangan kompetensi yang wajib bagi PNS setiap tahun?",
                    "single",
                    2,
                    [("Paling sedikit 20 JP", True), ("10 JP", False), ("40 JP", False)],
                ),
                (
                    "Pelatihan di luar portal dicatat dengan …",
                    "multiple",
                    2,
                    [
                        ("Bukti kegiatan", True),
                        ("Persetujuan atasan langsung", True),
                        ("Tanpa bukti apa pun", False),
                    ],
                ),
            ],
        ),
    },
    {
        "slug": "literasi-digital-warga",
        "title": "Literasi Digital untuk Warga",
        "summary": (
            "Aman dan cakap di internet: kata sandi yang kuat, mengenali penipuan daring dan "
            "hoaks, serta menjaga data pribadi seperti NIK."
        ),
        "audience": "public",
        "area": "digital",
        "jp": 2,
        "modules": [
            (
                "Aman di internet",
                [
                    (
                        "Kata sandi dan verifikasi dua langkah",
                        "<p>Gunakan kalimat sandi yang panjang dan berbeda untuk setiap akun. "
                        "Aktifkan verifikasi dua langkah di surel dan aplikasi pesan.</p>",
                        10,
                        "",
                    ),
                    (
                        "Jangan bagikan kode OTP",
                        "<p>Petugas bank, kurir, atau pemerintah <strong>tidak pernah</strong> "
                        "meminta kode OTP. Siapa pun yang meminta kode itu sedang menipu.</p>",
                        5,
                        "",
                    ),
                ],
            ),
            (
                "Cakap bermedia",
                [
                    (
                        "Mengenali hoaks",
                        "<p>Periksa sumber, tanggal, dan judul yang memancing emosi. Cek fakta di "
                        "situs resmi sebelum meneruskan pesan.</p>",
                        10,
                        "",
                    ),
                    (
                        "Menjaga data pribadi",
                        "<p>Jangan mengunggah foto KTP-el atau KK ke media sosial. NIK dapat "
                        "disalahgunakan untuk pinjaman daring ilegal.</p>",
                        10,
                        "",
                    ),
                ],
            ),
        ],
        "quiz": (
            "Kuis literasi digital",
            {"pass_mark": 60, "max_attempts": None, "time_limit_minutes": None, "pool_size": 3},
            [
                (
                    "Seseorang mengaku petugas bank dan meminta kode OTP Anda. Apa yang Anda lakukan?",
                    "single",
                    2,
                    [
                        ("Menolak dan tidak memberikan kode", True),
                        ("Memberikan kode karena ia petugas", False),
                        ("Memberikan setengah kodenya", False),
                    ],
                ),
                (
                    "Ciri-ciri pesan hoaks antara lain …",
                    "multiple",
                    2,
                    [
                        ("Judul yang memancing emosi", True),
                        ("Tidak jelas sumbernya", True),
                        ("Dimuat di situs resmi pemerintah", False),
                    ],
                ),
                (
                    "Bolehkah mengunggah foto KTP-el ke media sosial?",
                    "single",
                    1,
                    [("Tidak", True), ("Boleh, asal teman sendiri", False)],
                ),
                (
                    "Kata sandi yang baik adalah …",
                    "single",
                    1,
                    [
                        ("Kalimat panjang yang berbeda untuk tiap akun", True),
                        ("Tanggal lahir", False),
                        ("123456", False),
                    ],
                ),
            ],
        ),
    },
]


def _course(spec: dict) -> Course:
    course = Course.objects.filter(slug=spec["slug"]).first()
    if course is not None:
        return course
    course = Course.objects.create(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        audience=spec["audience"],
        competency_area=spec["area"],
        jp=spec["jp"],
        provider="BKPSDM",
        published=True,
    )
    last_module = None
    for module_order, (module_title, lessons) in enumerate(spec["modules"], start=1):
        last_module = Module.objects.create(course=course, title=module_title, order=module_order)
        for lesson_order, (title, body, minutes, video) in enumerate(lessons, start=1):
            Lesson.objects.create(
                module=last_module,
                title=title,
                body=body,
                minutes=minutes,
                video_url=video,
                order=lesson_order,
            )
    quiz_title, options, questions = spec["quiz"]
    quiz = Quiz.objects.create(module=last_module, title=quiz_title, order=100, **options)
    for order, (text, kind, weight, choices) in enumerate(questions, start=1):
        question = Question.objects.create(
            quiz=quiz, text=text, kind=kind, weight=weight, order=order
        )
        for choice_order, (choice_text, correct) in enumerate(choices, start=1):
            question.choices.create(text=choice_text, is_correct=correct, order=choice_order)
    return course


def _complete(enrolment: Enrolment) -> None:
    lessons = Lesson.objects.filter(module__course=enrolment.course, required=True)
    for lesson in lessons:
        services.lesson_complete(enrolment=enrolment, lesson=lesson)
    for quiz in Quiz.objects.filter(module__course=enrolment.course, required=True):
        attempt = services.quiz_start(enrolment=enrolment, quiz=quiz)
        answers = {
            str(question.pk): [
                str(pk)
                for pk in question.choices.filter(is_correct=True).values_list("pk", flat=True)
            ]
            for question in Question.objects.filter(pk__in=attempt.question_ids)
        }
        services.quiz_submit(attempt=attempt, answers=answers)


@transaction.atomic
def seed(*, stdout, rng: random.Random) -> None:
    courses = {spec["slug"]: _course(spec) for spec in COURSES}
    today = timezone.localdate()
    portal_course = courses["menggunakan-layanan-portal"]
    if not Assignment.objects.filter(course=portal_course).exists():
        services.assignment_create(
            course=portal_course,
            due_on=today + datetime.timedelta(days=30),
            created_by=User.objects.filter(is_superuser=True).order_by("pk").first(),
            units=OrgUnit.objects.filter(code="BKPSDM"),
            note="Wajib untuk seluruh pegawai BKPSDM.",
        )
    leaders_course = courses["tata-kelola-data-pimpinan-daerah"]
    if not Assignment.objects.filter(course=leaders_course).exists():
        services.assignment_create(
            course=leaders_course,
            due_on=today + datetime.timedelta(days=60),
            created_by=User.objects.filter(is_superuser=True).order_by("pk").first(),
            roles=Group.objects.filter(name="atasan"),
        )
    # One employee has finished the portal course (JP in the wallet) and asks for
    # external training to be counted, which their superior can approve.
    employee = Employee.objects.filter(user__email__startswith="pegawai101@").first()
    if employee is not None:
        enrolment = services.enrolment_create(user=employee.user, course=portal_course)
        if not enrolment.is_completed:
            _complete(enrolment)
        if not JpEntry.objects.filter(employee=employee, source=JpEntry.Source.EXTERNAL).exists():
            JpEntry.objects.create(
                employee=employee,
                year=today.year,
                source=JpEntry.Source.EXTERNAL,
                kind=JpEntry.Kind.WORKSHOP,
                provider="BPSDM Provinsi Jawa Barat",
                subject="Bimbingan teknis penyusunan SKP",
                start_on=today - datetime.timedelta(days=20),
                end_on=today - datetime.timedelta(days=18),
                jp=12,
            )
    # A few citizens follow the public course, one of them half-way through.
    citizens = list(User.objects.filter(groups__name="warga").order_by("pk")[:5])
    public = courses["literasi-digital-warga"]
    lessons = list(Lesson.objects.filter(module__course=public).order_by("module__order", "order"))
    for index, citizen in enumerate(citizens):
        enrolment = services.enrolment_create(user=citizen, course=public)
        if index < 2 and not enrolment.is_completed:
            for lesson in lessons[: 2 + index]:
                services.lesson_complete(enrolment=enrolment, lesson=lesson)
    stdout.write(
        f"    {len(courses)} courses, {Enrolment.objects.filter(course__in=courses.values()).count()} enrolments"
    )
