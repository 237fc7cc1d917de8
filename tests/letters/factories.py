"""factory_boy factories of e-Surat's reference data."""

from __future__ import annotations

import factory

from notifications.letters.models import Classification, IssuingUnit, SigningOfficial


class IssuingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssuingUnit
        django_get_or_create = ("code",)

    code = "BKPSDM"
    name = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
    address = "Jl. Merdeka No. 12, Sukamaju"
    region_name = "PEMERINTAH KABUPATEN SUKAMAJU"


class ClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classification
        django_get_or_create = ("code",)

    code = "800.1.11.1"
    title = "Cuti tahunan"


class SigningOfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SigningOfficial

    unit = factory.SubFactory(IssuingUnitFactory)
    name = "Drs. H. Ahmad Fauzi, M.Si."
    nip = factory.Sequence(lambda n: f"19710412199603{n:04d}")
    position = "Kepala BKPSDM"
