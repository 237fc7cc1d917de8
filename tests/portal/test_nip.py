import pytest
from django.core.exceptions import ValidationError

from portal.validators import validate_nip


@pytest.mark.parametrize(
    "nip",
    [
        "198503122010011002",  # PNS: born 12 Mar 1985, appointed Jan 2010, male, no. 002
        "199202292019032001",  # born on a leap day, female
        "199001012022211005",  # PPPK: appointment year + "21"
    ],
)
def test_a_well_formed_nip_is_accepted(nip):
    validate_nip(nip)


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19850312201001100", "NIP harus terdiri dari 18 angka."),
        ("1985031220100110AB", "NIP harus terdiri dari 18 angka."),
        ("198502302010011002", "Tanggal lahir pada NIP"),
        ("198503122001011002", "Tahun/bulan pengangkatan pada NIP"),
        ("198503122010131002", "Tahun/bulan pengangkatan pada NIP"),
        ("198503122010013002", "Kode jenis kelamin pada NIP"),
        ("198503122010011000", "Nomor urut NIP"),
    ],
)
def test_a_malformed_nip_is_refused_with_an_indonesian_message(nip, message):
    with pytest.raises(ValidationError) as error:
        validate_nip(nip)
    assert message in error.value.messages[0]
