"""Demo data of the core app: one kabupaten's citizens, ASN in three units, an official, an admin.

Deterministic (a seeded RNG) and idempotent, so `make run` can seed on every start.
"""

from __future__ import annotations

import datetime
import functools
import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from portal.models import CitizenDocument, CitizenProfile, Employee, OrgUnit, Region, User

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - published demo credential, DEBUG only
DEMO_DOMAIN = "demo.portal.go.id"

FIRST_NAMES_M = [
    "Agus",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Iwan",
    "Joko",
    "Rizky",
    "Yusuf",
    "Asep",
    "Ujang",
    "Dadang",
    "Cecep",
    "Galih",
    "Bayu",
    "Teguh",
    "Wahyu",
    "Arif",
    "Dimas",
]
FIRST_NAMES_F = [
    "Ayu",
    "Dewi",
    "Euis",
    "Fitri",
    "Indah",
    "Lestari",
    "Nurul",
    "Putri",
    "Rina",
    "Siti",
    "Neng",
    "Wulan",
    "Yanti",
    "Ratna",
    "Sri",
    "Tuti",
    "Intan",
    "Maya",
    "Anisa",
    "Dian",
]
LAST_NAMES = [
    "Saputra",
    "Hidayat",
    "Permana",
    "Nugraha",
    "Kurniawan",
    "Setiawan",
    "Rahmawati",
    "Pratama",
    "Suryadi",
    "Wijaya",
    "Gunawan",
    "Sutisna",
    "Ramdani",
    "Maulana",
    "Lestari",
]
UNITS = [("BKPSDM", "BKPSDM"), ("PUPR", "Dinas PUPR"), ("DISKOMINFO", "Diskominfo")]


@functools.cache
def _demo_password_hash() -> str:
    # One hash for all demo users: hashing ~85 passwords one by one takes a minute.
    return make_password(DEMO_PASSWORD)


def _make_user(
    email: str, display_name: str, roles: list[str], *, staff: bool = False, superuser: bool = False
) -> User:
    user, _created = User.objects.get_or_create(
        email=email,
        defaults={
            "display_name": display_name,
            "is_staff": staff,
            "is_superuser": superuser,
            "password": _demo_password_hash(),
        },
    )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def _nik(
    rng: random.Random, kecamatan_code: str, birth: datetime.date, female: bool, seq: int
) -> str:
    day = birth.day + (40 if female else 0)
    return f"{kecamatan_code.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{seq:04d}"


@transaction.atomic
def seed_core(*, stdout, rng: random.Random) -> None:
    kelurahan = list(Region.objects.filter(level=Region.Level.KELURAHAN).select_related("parent"))
    today = timezone.localdate()
    for index in range(1, 51):
        female = index % 2 == 0
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        full_name = f"{first} {rng.choice(LAST_NAMES)}"
        user = _make_user(f"warga{index:02d}@{DEMO_DOMAIN}", first, ["warga"])
        if CitizenProfile.objects.filter(user=user).exists():
            continue
        home = rng.choice(kelurahan)
        birth = datetime.date(rng.randint(1955, 2008), rng.randint(1, 12), rng.randint(1, 28))
        CitizenProfile.objects.create(
            user=user,
            full_name=full_name,
            nik=_nik(rng, home.parent.code, birth, female, index),
            birth_date=birth,
            phone=f"08{rng.randint(1000000000, 9999999999)}",
            kelurahan=home,
        )
        for kind in rng.sample(["sim", "stnk", "pbb", "spt", "paspor"], k=rng.randint(1, 3)):
            CitizenDocument.objects.create(
                owner=user,
                kind=kind,
                number=f"{kind.upper()}{rng.randint(10**7, 10**8 - 1)}",
                expires_on=today + datetime.timedelta(days=rng.randint(-20, 400)),
            )
    for unit_index, (unit_code, unit_name) in enumerate(UNITS, start=1):
        slug = unit_code.lower()
        unit, _created = OrgUnit.objects.get_or_create(
            code=unit_code,
            defaults={"name": unit_name, "address": "Jl. Wastukencana No. 2, Bandung"},
        )
        head_user = _make_user(
            f"atasan.{slug}@{DEMO_DOMAIN}", f"Kepala {unit_name}", ["pegawai", "atasan"]
        )
        head = _make_employee(
            rng, head_user, f"Kepala {unit_name}", unit, None, seq=unit_index * 100
        )
        for index in range(1, 10):
            female = index % 2 == 0
            name = (
                f"{rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}"
            )
            user = _make_user(f"pegawai{unit_index}{index:02d}@{DEMO_DOMAIN}", name, ["pegawai"])
            _make_employee(rng, user, name, unit, head, seq=unit_index * 100 + index, female=female)
    official = _make_user(
        f"pejabat.pupr@{DEMO_DOMAIN}", "Pejabat Dinas PUPR", ["pegawai", "pejabat"]
    )
    pupr = OrgUnit.objects.get(code="PUPR")
    _make_employee(
        rng,
        official,
        "Ir. Rahmat Hidayat",
        pupr,
        pupr.employees.filter(superior=None).first(),
        seq=999,
    )
    _make_user(f"admin@{DEMO_DOMAIN}", "Administrator", ["admin"], staff=True, superuser=True)


def _make_employee(
    rng: random.Random,
    user: User,
    name: str,
    unit: OrgUnit,
    superior: Employee | None,
    *,
    seq: int,
    female: bool = False,
) -> Employee:
    existing = Employee.objects.filter(user=user).first()
    if existing:
        return existing
    birth = datetime.date(rng.randint(1968, 1996), rng.randint(1, 12), rng.randint(1, 28))
    appointed = datetime.date(birth.year + rng.randint(22, 28), rng.randint(1, 12), 1)
    kind = Employee.Kind.PPPK if seq % 5 == 0 and superior is not None else Employee.Kind.PNS
    month_code = "21" if kind == Employee.Kind.PPPK else f"{appointed.month:02d}"
    nip = f"{birth:%Y%m%d}{appointed.year}{month_code}{2 if female else 1}{seq % 1000:03d}"
    return Employee.objects.create(
        user=user,
        nip=nip,
        full_name=name,
        kind=kind,
        unit=unit,
        position="Kepala"
        if superior is None
        else rng.choice(
            [
                "Analis Kepegawaian",
                "Pranata Komputer",
                "Teknik Jalan dan Jembatan",
                "Pengelola Data",
            ]
        ),
        superior=superior,
        service_start=appointed,
    )


DEMO_LOGINS = [
    ("warga (citizen)", f"warga01@{DEMO_DOMAIN}"),
    ("pegawai (ASN)", f"pegawai101@{DEMO_DOMAIN}"),
    ("atasan (supervisor)", f"atasan.bkpsdm@{DEMO_DOMAIN}"),
    ("pejabat (public works)", f"pejabat.pupr@{DEMO_DOMAIN}"),
    ("admin", f"admin@{DEMO_DOMAIN}"),
]
