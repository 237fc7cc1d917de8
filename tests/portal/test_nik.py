"""NIK validation: the validator and the profile form, with the messages a citizen reads."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from portal.forms import CitizenProfileForm
from portal.models import CitizenProfile
from portal.validators import nik_birth_info, validate_nik
from tests.conftest import ALICE_NIK

FORMAT = "NIK harus terdiri dari 16 angka."
REGION = "Kode kabupaten/kota dan kecamatan pada NIK tidak boleh 00."
DAY = "Tanggal lahir pada NIK (angka ke-7 dan ke-8) tidak sah."
DATE = "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak sah."
SEQUENCE = "Nomor urut NIK (4 angka terakhir) tidak boleh 0000."
MISMATCH = "Tanggal lahir tidak cocok dengan tanggal lahir yang tercantum dalam NIK."


def _messages(nik: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_nik(nik)
    return caught.value.messages


@pytest.mark.parametrize(
    ("nik", "birth"),
    [
        pytest.param("3273012311880002", (23, 11, 88, "L"), id="man"),
        pytest.param("3273014105900001", (1, 5, 90, "P"), id="woman-day-plus-40"),
        pytest.param("3273017105900001", (31, 5, 90, "P"), id="woman-born-on-the-31st"),
        pytest.param("3273012902960001", (29, 2, 96, "L"), id="feb-29-leap-year"),
        pytest.param("3273016902000001", (29, 2, 0, "P"), id="feb-29-of-2000-woman"),
        pytest.param("1101011501010001", (15, 1, 1, "L"), id="aceh"),
        pytest.param("9601011501010001", (15, 1, 1, "L"), id="papua-barat-daya"),
    ],
)
def test_a_well_formed_nik_is_accepted_and_its_birth_date_read(nik, birth):
    validate_nik(nik)
    assert nik_birth_info(nik) == birth


@pytest.mark.parametrize(
    "nik",
    ["3273 0141 0590 0001", "3273.0141.0590.0001", "32.73.01.410590.0001", "3273-014105-900001"],
)
def test_spaces_dots_and_dashes_in_a_nik_are_ignored(nik):
    validate_nik(nik)


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        pytest.param("327301410590001", FORMAT, id="15-digits"),
        pytest.param("32730141059000011", FORMAT, id="17-digits"),
        pytest.param("", FORMAT, id="empty"),
        pytest.param("32730141059A0001", FORMAT, id="letter"),
        pytest.param("3273014105900O01", FORMAT, id="letter-o-for-zero"),
        pytest.param(
            "9973014105900001",
            "Dua angka pertama NIK (kode provinsi 99) tidak dikenal.",
            id="province-99",
        ),
        pytest.param(
            "2073014105900001",
            "Dua angka pertama NIK (kode provinsi 20) tidak dikenal.",
            id="province-20",
        ),
        pytest.param("3200014105900001", REGION, id="regency-00"),
        pytest.param("3273004105900001", REGION, id="district-00"),
        pytest.param("3273010005900001", DAY, id="day-00"),
        pytest.param("3273013205900001", DAY, id="day-32"),
        pytest.param("3273014005900001", DAY, id="day-40"),
        pytest.param("3273017205900001", DAY, id="day-72"),
        pytest.param("3273011513900001", DATE, id="month-13"),
        pytest.param("3273011500900001", DATE, id="month-00"),
        pytest.param("3273013104900001", DATE, id="april-31"),
        pytest.param("3273012902010001", DATE, id="feb-29-no-leap-year"),
        pytest.param("3273014105900000", SEQUENCE, id="sequence-0000"),
    ],
)
def test_a_bad_nik_is_refused_with_a_message_in_indonesian(nik, message):
    assert _messages(nik) == [message]


def _form_data(**overrides) -> dict:
    data = {
        "full_name": "Siti Rahayu",
        "nik": ALICE_NIK,
        "birth_date": "1990-05-01",
        "phone": "081234567890",
        "kelurahan": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_profile_form_stores_a_nik_typed_with_spaces_and_dots_normalised():
    form = CitizenProfileForm(_form_data(nik="3273 0141.0590 0001"), instance=CitizenProfile())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["nik"] == ALICE_NIK


@pytest.mark.django_db
def test_the_profile_form_shows_the_validator_message_on_the_nik_field():
    form = CitizenProfileForm(_form_data(nik="3273011513900001"), instance=CitizenProfile())

    assert not form.is_valid()
    assert form.errors["nik"] == [DATE]


@pytest.mark.django_db
@pytest.mark.parametrize("birth_date", ["1990-05-02", "1991-05-01", "1990-06-01", "1980-05-01"])
def test_the_profile_form_refuses_a_birth_date_that_differs_from_the_nik(birth_date):
    form = CitizenProfileForm(_form_data(birth_date=birth_date), instance=CitizenProfile())

    assert not form.is_valid()
    assert form.errors == {"birth_date": [MISMATCH]}


@pytest.mark.django_db
def test_the_profile_form_refuses_a_birth_date_in_the_future():
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC), tick=False):
        form = CitizenProfileForm(
            _form_data(nik="", birth_date="2026-03-02"), instance=CitizenProfile()
        )

        assert not form.is_valid()
    assert form.errors == {"birth_date": ["Tanggal lahir tidak boleh di masa depan."]}


@pytest.mark.django_db
def test_an_empty_nik_field_keeps_the_stored_nik_and_it_is_still_checked_against_the_birth_date(
    alice,
):
    profile = alice.citizen_profile
    form = CitizenProfileForm(_form_data(nik="", birth_date="1990-05-02"), instance=profile)

    assert not form.is_valid()
    assert form.errors == {"birth_date": [MISMATCH]}
