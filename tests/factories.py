"""factory_boy factories for the core app. Personas built from them live in conftest.py."""

from __future__ import annotations

import datetime
import functools

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.models import Activity, CitizenDocument, CitizenProfile, User

PASSWORD = "kata-sandi-uji-yang-panjang"


@functools.cache
def _password_hash() -> str:
    # Hashing is deliberately slow (PBKDF2); every test user shares one hash of PASSWORD.
    return make_password(PASSWORD)


def make_nik(
    *, birth_date: datetime.date, female: bool = False, sequence: int = 1, region: str = "327301"
) -> str:
    """A well-formed NIK: region (6), DDMMYY with 40 added to a woman's day, sequence (4)."""
    day = birth_date.day + (40 if female else 0)
    return f"{region}{day:02d}{birth_date:%m%y}{sequence:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in: verified primary email; `roles` names groups from migration 0002."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pengguna{n}@example.id")
    display_name = factory.Faker("first_name", locale="id_ID")
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            # get(), not filter(): a missing role group (migration 0002) must fail loudly.
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))

    @factory.post_generation
    def mfa(self, create: bool, extracted: bool | None, **kwargs) -> None:
        """`mfa=True` gives the user an activated TOTP authenticator, as allauth's setup does."""
        if create and extracted:
            TOTP.activate(self, generate_totp_secret())


class CitizenProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitizenProfile

    class Params:
        female = False
        sequence = factory.Sequence(lambda n: n + 1)

    user = factory.SubFactory(UserFactory, roles=["warga"])
    full_name = factory.Faker("name", locale="id_ID")
    birth_date = datetime.date(1990, 5, 1)
    nik = factory.LazyAttribute(
        lambda o: make_nik(birth_date=o.birth_date, female=o.female, sequence=o.sequence)
    )
    phone = "081234567890"


class CitizenDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitizenDocument

    owner = factory.SubFactory(UserFactory, roles=["warga"])
    kind = CitizenDocument.Kind.SIM
    number = factory.Sequence(lambda n: f"SIM{n:09d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))


class ActivityFactory(factory.django.DjangoModelFactory):
    """Activities are written by services; this is for filling a page with history."""

    class Meta:
        model = Activity

    actor = factory.SubFactory(UserFactory)
    verb = "document.added"
