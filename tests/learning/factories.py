"""factory_boy factories of the learning tests (the shared identity comes from portal)."""

from __future__ import annotations

import datetime

import factory

from learning.models import Choice, Course, Lesson, Module, Question, Quiz
from portal.models import Employee, OrgUnit
from tests.factories import UserFactory


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"UNIT{n}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.code}")


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An ASN with an MFA-enabled account (staff must have MFA to use the pages)."""

    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory, roles=["pegawai"], mfa=True)
    # NIP: birth 1985-03-12, appointed 2010-01, male, sequence.
    nip = factory.Sequence(lambda n: f"198503122010011{n % 999 + 1:03d}")
    full_name = factory.Faker("name", locale="id_ID")
    kind = Employee.Kind.PNS
    unit = factory.SubFactory(OrgUnitFactory)
    position = "Analis Kepegawaian"
    service_start = datetime.date(2010, 1, 1)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Kursus {n}")
    slug = factory.Sequence(lambda n: f"kursus-{n}")
    summary = "Ringkasan kursus."
    audience = "asn"
    competency_area = "technical"
    jp = 6
    published = True


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Modul {n}")
    order = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Materi {n}")
    body = "<p>Isi materi.</p>"
    order = factory.Sequence(lambda n: n)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    module = factory.SubFactory(ModuleFactory)
    title = "Kuis akhir"
    pass_mark = 70
    max_attempts = 3
    shuffle = False


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    text = factory.Sequence(lambda n: f"Pertanyaan {n}?")
    order = factory.Sequence(lambda n: n)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Pilihan {n}")
