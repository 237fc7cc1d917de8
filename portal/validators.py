"""Validators for Indonesian identifiers, with messages a citizen understands.

A NIK (Nomor Induk Kependudukan) has 16 digits: province (2), regency/city (2),
district (2), birth date as DDMMYY with 40 added to the day for women (6), and a
sequence number (4) that is never 0000 (Permendagri on population administration).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Kemendagri province codes (11 Aceh … 96 Papua Barat Daya).
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
    }
)

_NIK_RE = re.compile(r"^\d{16}$")
_PHONE_RE = re.compile(r"^(\+62|62|0)8\d{7,11}$")
_VERB_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def normalize_nik(value: str) -> str:
    """Citizens paste NIKs with spaces or dots; keep only what they meant."""
    return re.sub(r"[\s.\-]", "", value or "")


def nik_birth_info(nik: str) -> tuple[int, int, int, str]:
    """Return (day, month, two-digit year, sex 'L'/'P') encoded in a well-formed NIK."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    return day, month, year, sex


def validate_nik(value: str) -> None:
    nik = normalize_nik(value)
    if not _NIK_RE.match(nik):
        raise ValidationError(_("NIK harus terdiri dari 16 angka."), code="nik_format")
    if int(nik[0:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("Dua angka pertama NIK (kode provinsi %(code)s) tidak dikenal."),
            code="nik_province",
            params={"code": nik[0:2]},
        )
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise ValidationError(
            _("Kode kabupaten/kota dan kecamatan pada NIK tidak boleh 00."), code="nik_region"
        )
    raw_day = int(nik[6:8])
    if not (1 <= raw_day <= 31 or 41 <= raw_day <= 71):
        raise ValidationError(
            _("Tanggal lahir pada NIK (angka ke-7 dan ke-8) tidak sah."), code="nik_birth_date"
        )
    day, month, year, _sex = nik_birth_info(nik)
    # Feb 29 needs a leap year; 2000 is leap, so try both centuries.
    if not any(_is_date(century + year, month, day) for century in (1900, 2000)):
        raise ValidationError(
            _("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak sah."), code="nik_birth_date"
        )
    if nik[12:16] == "0000":
        raise ValidationError(
            _("Nomor urut NIK (4 angka terakhir) tidak boleh 0000."), code="nik_sequence"
        )


def nik_matches_birth_date(nik: str, birth_date: datetime.date) -> bool:
    day, month, year, _sex = nik_birth_info(normalize_nik(nik))
    return (day, month, year) == (birth_date.day, birth_date.month, birth_date.year % 100)


def nik_digest(nik: str) -> str:
    """Keyed hash of a NIK: lets us find and de-duplicate NIKs without storing them in clear."""
    key = settings.NIK_HASH_KEY.encode()
    return hmac.new(key, normalize_nik(nik).encode(), hashlib.sha256).hexdigest()


_NIP_RE = re.compile(r"^\d{18}$")


def validate_nip(value: str) -> None:
    """NIP (BKN): birth date YYYYMMDD, appointment YYYYMM (PPPK: year + '21'), sex 1/2, sequence.

    e.g. 198503122010011002: born 12 March 1985, appointed January 2010, male, no. 002.
    """
    nip = re.sub(r"\s", "", value or "")
    if not _NIP_RE.match(nip):
        raise ValidationError(_("NIP harus terdiri dari 18 angka."), code="nip_format")
    birth_year, birth_month, birth_day = int(nip[0:4]), int(nip[4:6]), int(nip[6:8])
    if not _is_date(birth_year, birth_month, birth_day) or birth_year < 1940:
        raise ValidationError(
            _("Tanggal lahir pada NIP (angka ke-1 sampai ke-8) tidak sah."), code="nip_birth_date"
        )
    appointed_year, appointed_month = int(nip[8:12]), nip[12:14]
    if appointed_year < birth_year + 17 or not (
        appointed_month == "21" or 1 <= int(appointed_month) <= 12
    ):
        raise ValidationError(
            _("Tahun/bulan pengangkatan pada NIP (angka ke-9 sampai ke-14) tidak sah."),
            code="nip_appointment",
        )
    if nip[14] not in "12":
        raise ValidationError(
            _("Kode jenis kelamin pada NIP (angka ke-15) harus 1 atau 2."), code="nip_sex"
        )
    if nip[15:18] == "000":
        raise ValidationError(
            _("Nomor urut NIP (3 angka terakhir) tidak boleh 000."), code="nip_sequence"
        )


def validate_phone(value: str) -> None:
    if not _PHONE_RE.match(re.sub(r"[\s\-]", "", value or "")):
        raise ValidationError(
            _("Nomor HP harus nomor seluler Indonesia, misalnya 081234567890 atau +6281234567890."),
            code="phone",
        )


def validate_verb(value: str) -> None:
    if not _VERB_RE.match(value or ""):
        raise ValidationError(
            "Activity verbs look like 'app.action' in lower case, e.g. 'letter.verified'.",
            code="verb",
        )


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True
