"""Learning benchmark: catalogue page latency, quiz submissions per second, concurrent completion.

A fresh `portal_bench_learning` database is migrated and given `courses` published
courses (3 lessons and a 10-question quiz each) and `learners` employees. Catalogue:
the catalogue page (search and filter variants) is requested in-process through
django.test.Client `repeats` times as an employee with `enrolments_per_learner`
enrolments; p50/p95 and its query count are reported. Quiz: `attempts` quiz attempts
are started and submitted (graded on the server) sequentially; the rate covers
quiz_submit only. Completion: `threads` threads record the last lesson of the same
enrolment at once, `completion_rounds` times; each round must complete the course
exactly once (one course.completed activity, one JP entry, one certificate).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench import common
from bench.common import Target

NAME = "learning"
DB_NAME = "portal_bench_learning"

PARAMS: dict[str, Any] = {
    "courses": 300,
    "learners": 200,
    "enrolments_per_learner": 20,
    "repeats": 100,
    "attempts": 500,
    "threads": 4,
    "completion_rounds": 20,
    "target_catalogue_p95_ms": 100,
    "target_submits_per_s": 100,
}


def run(**overrides: Any) -> dict[str, Any]:
    params = {**PARAMS, **overrides}
    common.log(f"{NAME}: measuring idle CPU before the run")
    cpu_idle_before = common.cpu_idle_fraction()
    with (
        tempfile.TemporaryDirectory(prefix="bench-learning-") as tmp,
        common.bench_database(DB_NAME) as db_url,
    ):
        machine = common.machine_info(db_url, cpu_idle_before=cpu_idle_before)
        env = common.django_env(database_url=db_url, var_dir=Path(tmp, "var"))
        common.manage(["migrate", "--noinput"], env)
        common.manage(["collectstatic", "--noinput"], env)
        measured = common.call_in_subprocess(
            "bench.learning:measure",
            {key: params[key] for key in PARAMS if not key.startswith("target_")},
            env=env,
            timeout=1200,
        )
        common.log(f"{NAME}: {measured}")
    metrics = {
        "catalogue_p50_ms": round(measured["catalogue_p50_ms"], 2),
        "catalogue_p95_ms": round(measured["catalogue_p95_ms"], 2),
        "catalogue_queries": measured["catalogue_queries"],
        "quiz_submits_per_s": round(measured["submits_per_s"], 1),
        "quiz_submit_p95_ms": round(measured["submit_p95_ms"], 2),
        "completion_rounds": measured["rounds"],
        "completion_duplicates": measured["duplicates"],
    }
    targets = [
        Target(
            f"catalogue_p95_ms <= {params['target_catalogue_p95_ms']} "
            f"with {params['courses']} courses",
            metrics["catalogue_p95_ms"] <= params["target_catalogue_p95_ms"],
            f"{metrics['catalogue_p95_ms']} ms, {metrics['catalogue_queries']} queries",
        ),
        Target(
            f"quiz_submits_per_s >= {params['target_submits_per_s']}",
            metrics["quiz_submits_per_s"] >= params["target_submits_per_s"],
            f"{metrics['quiz_submits_per_s']}/s",
        ),
        Target(
            "concurrent completion recorded exactly once per round",
            metrics["completion_duplicates"] == 0,
            f"{metrics['completion_duplicates']} duplicates in {metrics['completion_rounds']} rounds",
        ),
    ]
    return common.write_result(
        NAME, params=params, metrics=metrics, machine=machine, targets=targets
    )


# --- Run in a subprocess with the benchmark's Django environment ---------------------------


def _build_courses(count: int) -> list[Any]:
    from learning.models import Choice, Course, Lesson, Module, Question, Quiz

    areas = ["technical", "managerial", "sociocultural", "digital"]
    courses = Course.objects.bulk_create(
        Course(
            title=f"Kursus {index:04d} {'data' if index % 3 == 0 else 'layanan'}",
            slug=f"kursus-{index:04d}",
            summary="Ringkasan kursus untuk pengukuran.",
            audience="asn" if index % 2 else "public",
            competency_area=areas[index % 4],
            jp=4,
            published=True,
        )
        for index in range(count)
    )
    modules = Module.objects.bulk_create(Module(course=c, title="Modul", order=1) for c in courses)
    Lesson.objects.bulk_create(
        Lesson(module=m, title=f"Materi {n}", body="<p>Isi</p>", order=n)
        for m in modules
        for n in range(3)
    )
    quizzes = Quiz.objects.bulk_create(
        Quiz(module=m, title="Kuis", pass_mark=70, shuffle=True, pool_size=8) for m in modules
    )
    questions = Question.objects.bulk_create(
        Question(quiz=q, text=f"Soal {n}?", weight=1 + n % 3, order=n)
        for q in quizzes
        for n in range(10)
    )
    Choice.objects.bulk_create(
        Choice(question=q, text=f"Pilihan {n}", is_correct=n == 0, order=n)
        for q in questions
        for n in range(4)
    )
    return courses


def _employees(count: int) -> list[Any]:
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from portal.models import Employee, OrgUnit, User

    unit = OrgUnit.objects.create(code="BENCH", name="Unit Uji")
    group = Group.objects.get_or_create(name="pegawai")[0]
    users = User.objects.bulk_create(
        User(email=f"pegawai{n}@bench.example", password=make_password(None)) for n in range(count)
    )
    group.user_set.add(*users)
    return Employee.objects.bulk_create(
        Employee(
            user=user,
            # valid NIPs: born 1985-03-12, appointed 2010-01, sex digit 1/2, sequence
            nip=f"19850312201001{1 + n // 999}{n % 999 + 1:03d}",
            full_name=f"Pegawai {n}",
            kind="pns",
            unit=unit,
            position="Analis",
            service_start=datetime.date(2010, 1, 1),
        )
        for n, user in enumerate(users)
    )


def measure(**params: Any) -> dict[str, Any]:
    import django

    django.setup()
    import statistics
    import threading
    import time

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.db import connection
    from django.db.models.signals import post_save
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.common import percentile
    from learning import certificates, services
    from learning.models import Certificate, Enrolment, JpEntry, Lesson, Question
    from portal.celery import app as celery_app
    from portal.models import Activity

    # Measure learning alone: certificates stay pending (e-Surat has its own benchmark),
    # the certificate task runs in-process, and activity scoring is not enqueued.
    certificates._letter_issuer = lambda: None
    celery_app.conf.task_always_eager = True
    post_save.disconnect(sender=Activity, dispatch_uid="gamification.activity_saved")
    courses = _build_courses(params["courses"])
    employees = _employees(params["learners"])
    asn_courses = [course for course in courses if course.audience == "asn"]
    Enrolment.objects.bulk_create(
        Enrolment(user=employee.user, course=course, source="self")
        for index, employee in enumerate(employees)
        for course in asn_courses[index : index + params["enrolments_per_learner"]]
    )

    # Catalogue page, as an employee (the MFA middleware needs an authenticator).
    viewer = employees[0].user
    TOTP.activate(viewer, generate_totp_secret())
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(viewer)
    variants = ["/belajar/", "/belajar/?q=data", "/belajar/?bidang=digital&halaman=2"]
    for url in variants:
        assert client.get(url).status_code == 200
    timings = []
    for index in range(params["repeats"]):
        started = time.perf_counter()
        response = client.get(variants[index % len(variants)])
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(variants[0])
    timings.sort()

    # quiz_submit, sequentially, over different learners and courses.
    submit_ms = []
    enrolments = list(Enrolment.objects.select_related("course")[: params["attempts"]])
    attempts = []
    for enrolment in enrolments:
        quiz = enrolment.course.modules.first().quizzes.first()
        attempts.append(services.quiz_start(enrolment=enrolment, quiz=quiz))
    correct = {
        question.pk: [str(c.pk) for c in question.choices.all() if c.is_correct]
        for question in Question.objects.prefetch_related("choices").filter(
            quiz__module__course__in={e.course_id for e in enrolments}
        )
    }
    started_all = time.perf_counter()
    for index, attempt in enumerate(attempts):
        answers = {str(pk): correct[pk] if (index + pk) % 4 else [] for pk in attempt.question_ids}
        started = time.perf_counter()
        services.quiz_submit(attempt=attempt, answers=answers)
        submit_ms.append((time.perf_counter() - started) * 1000)
    submits_per_s = len(attempts) / (time.perf_counter() - started_all)
    submit_ms.sort()

    # Concurrent completion of the last lesson.
    duplicates = 0
    spare = [
        course for course in asn_courses if not Enrolment.objects.filter(course=course).exists()
    ]
    spare = spare or courses
    for round_index in range(params["completion_rounds"]):
        course = spare[round_index % len(spare)]
        employee = employees[-1 - round_index]
        enrolment = services.enrolment_create(user=employee.user, course=course)
        lessons = list(Lesson.objects.filter(module__course=course).order_by("order"))
        quiz = course.modules.first().quizzes.first()
        quiz.required = False
        quiz.save(update_fields=["required"])
        for lesson in lessons[:-1]:
            services.lesson_complete(enrolment=enrolment, lesson=lesson)
        barrier = threading.Barrier(params["threads"])

        def record(enrolment_id=enrolment.pk, lesson=lessons[-1], barrier=barrier) -> None:
            try:
                barrier.wait()
                services.lesson_complete(
                    enrolment=Enrolment.objects.get(pk=enrolment_id), lesson=lesson
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=record) for _ in range(params["threads"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        completed = Activity.objects.filter(
            verb="course.completed", actor=employee.user, target_id=str(course.pk)
        ).count()
        jp = JpEntry.objects.filter(enrolment=enrolment).count()
        certificate = Certificate.objects.filter(enrolment=enrolment).count()
        duplicates += (completed != 1) + (jp != 1) + (certificate != 1)

    return {
        "catalogue_p50_ms": statistics.median(timings),
        "catalogue_p95_ms": percentile(timings, 0.95),
        "catalogue_queries": len(queries.captured_queries),
        "submits_per_s": submits_per_s,
        "submit_p95_ms": percentile(submit_ms, 0.95),
        "rounds": params["completion_rounds"],
        "duplicates": duplicates,
    }
