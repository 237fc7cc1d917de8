"""Leave benchmark: balances of 10,000 employees from a year's ledger, and the apply page.

A fresh `portal_bench` database is migrated and filled (bulk inserts) with 10,000
employees, each with a year's annual-leave ledger: an allocation, a carry-over and a
few approved requests with their deductions. Measured in-process: recomputing every
balance from the ledger (one grouped SUM), the nightly ledger check, and opening the
next year (allocation + carry-over for everyone). Then gunicorn serves the portal
(DEBUG=0) and 20 concurrent clients load the apply page's live preview (htmx GET:
working days and balance left for a date range) as a signed-in employee with MFA.
`apply_page_render_ms` is the median of sequential in-process requests: compare it
with the p95 under load to tell a slow page from a busy machine (cpu_idle_before).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench import common
from bench.common import Target

NAME = "leave"
# Its own database: benchmarks of other apps may run at the same time.
BENCH_DB = "portal_bench_leave"

PARAMS: dict[str, Any] = {
    "employees": 10_000,
    "requests_per_employee": 3,
    "concurrency": 20,
    "warmup_s": 2.0,
    "duration_s": 10.0,
    "gunicorn_workers": 2,
    "gunicorn_worker_class": "sync",
    "debug": False,
    "target_recompute_s": 10.0,
    "target_apply_p95_ms": 150,
}


def run(**overrides: Any) -> dict[str, Any]:
    params = {**PARAMS, **overrides}
    cpu_idle_before = common.cpu_idle_fraction()
    with (
        tempfile.TemporaryDirectory(prefix="bench-leave-") as tmp,
        common.bench_database(BENCH_DB) as db_url,
    ):
        machine = common.machine_info(db_url, cpu_idle_before=cpu_idle_before)
        env = common.django_env(database_url=db_url, var_dir=Path(tmp, "var"))
        common.manage(["migrate", "--noinput"], env)
        common.manage(["collectstatic", "--noinput"], env)
        common.log(f"creating {params['employees']} employees and a year's leave ledger")
        data = common.call_in_subprocess(
            "bench.leave:prepare",
            {
                "employees": params["employees"],
                "requests_per_employee": params["requests_per_employee"],
            },
            env=env,
            timeout=900,
        )
        common.log(
            f"{data['ledger_rows']} ledger rows; recompute {data['recompute_s']:.2f} s, "
            f"check {data['check_s']:.2f} s, year open {data['year_open_s']:.2f} s"
        )
        with common.Gunicorn(
            env,
            workers=params["gunicorn_workers"],
            worker_class=params["gunicorn_worker_class"],
            log_dir=tmp,
        ) as server:
            headers = {
                "Cookie": f"{data['session_cookie_name']}={data['session_key']}",
                "HX-Request": "true",
            }
            load = common.call_in_subprocess(
                "bench.common:load_generate",
                {
                    "port": server.port,
                    "path": data["apply_path"],
                    "headers": headers,
                    "concurrency": params["concurrency"],
                    "warmup_s": params["warmup_s"],
                    "duration_s": params["duration_s"],
                    "server_pids": server.pids(),
                },
                timeout=params["warmup_s"] + params["duration_s"] + 120,
            )
            if load["errors"]:
                common.log(f"gunicorn log:\n{server.log_tail()}")
    metrics = {
        "balance_recompute_10k_employees_s": round(data["recompute_s"], 3),
        "ledger_check_10k_employees_s": round(data["check_s"], 3),
        "year_open_10k_employees_s": round(data["year_open_s"], 3),
        "ledger_rows": data["ledger_rows"],
        "apply_page_p95_ms": round(load["p95_ms"], 1),
        "apply_page_p50_ms": round(load["p50_ms"], 1),
        "apply_page_rps": round(load["rps"], 1),
        "apply_page_errors": load["errors"],
        "apply_page_queries": data["apply_queries"],
        "apply_page_render_ms": round(data["apply_render_ms"], 1),
        "apply_page_server_cpu_pct": round(load["server_cpu_pct"], 1),
        "apply_page_client_cpu_pct": round(load["client_cpu_pct"], 1),
    }
    targets = [
        Target(
            f"balance_recompute_10k_employees_s <= {params['target_recompute_s']}",
            metrics["balance_recompute_10k_employees_s"] <= params["target_recompute_s"],
            f"{metrics['balance_recompute_10k_employees_s']} s",
        ),
        Target(
            f"apply_page_p95_ms <= {params['target_apply_p95_ms']}",
            metrics["apply_page_p95_ms"] <= params["target_apply_p95_ms"],
            f"{metrics['apply_page_p95_ms']} ms",
        ),
        Target("no failed requests", load["errors"] == 0, f"{load['errors']} non-200"),
        Target(
            "the year's ledger agrees with its requests",
            data["problems"] == 0,
            f"{data['problems']} problems",
        ),
    ]
    return common.write_result(
        NAME, params=params, metrics=metrics, machine=machine, targets=targets
    )


def prepare(*, employees: int, requests_per_employee: int) -> dict[str, Any]:
    """Fill the database, time the ledger work in-process, sign an employee in."""
    import datetime
    import time
    from importlib import import_module

    import django

    django.setup()

    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from leave import calendar, selectors, services
    from leave.checks import ledger_check
    from leave.models import LeaveLedgerEntry, LeaveRequest, LeaveType, LedgerKind
    from portal.models import Employee, OrgUnit, User

    unusable = make_password(None)
    today = timezone.localdate()
    year = today.year
    calendar.calendar_fill(years=range(year - 1, year + 2))
    units = [OrgUnit.objects.create(code=f"BENCH{n}", name=f"Unit Bench {n}") for n in range(10)]
    users = User.objects.bulk_create(
        [User(email=f"asn{n:05d}@bench.example", password=unusable) for n in range(employees)],
        batch_size=5000,
    )
    staff = Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                # Well-formed NIPs: birth year varies so 999 sequence numbers suffice.
                nip=f"{1960 + n // 999}03122010011{n % 999 + 1:03d}",
                full_name=f"Pegawai {n}",
                kind=Employee.Kind.PNS,
                unit=units[n % len(units)],
                position="Analis",
                service_start=datetime.date(2010, 1, 1),
            )
            for n, user in enumerate(users)
        ],
        batch_size=5000,
    )
    rows: list[LeaveLedgerEntry] = []
    requests: list[LeaveRequest] = []
    first = datetime.date(year, 1, 5)
    for n, employee in enumerate(staff):
        rows.append(
            LeaveLedgerEntry(
                employee=employee,
                leave_type=LeaveType.TAHUNAN,
                year=year,
                kind=LedgerKind.ALLOCATION,
                days=12,
            )
        )
        rows.append(
            LeaveLedgerEntry(
                employee=employee,
                leave_type=LeaveType.TAHUNAN,
                year=year,
                kind=LedgerKind.CARRY_OVER,
                days=1 + n % 6,
            )
        )
        for r in range(requests_per_employee):
            start = first + datetime.timedelta(weeks=4 * r + n % 4)
            requests.append(
                LeaveRequest(
                    employee=employee,
                    leave_type=LeaveType.TAHUNAN,
                    start_date=start,
                    end_date=start,
                    working_days=1,
                    reason="bench",
                    state=LeaveRequest.State.TAKEN,
                )
            )
    LeaveRequest.objects.bulk_create(requests, batch_size=5000)
    rows.extend(
        LeaveLedgerEntry(
            employee_id=request.employee_id,
            leave_type=LeaveType.TAHUNAN,
            year=year,
            kind=LedgerKind.DEDUCTION,
            days=-1,
            leave_request=request,
        )
        for request in requests
    )
    LeaveLedgerEntry.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    started = time.perf_counter()
    balances = selectors.balances_by_employee(year=year)
    recompute_s = time.perf_counter() - started
    if len(balances) != employees:
        raise RuntimeError(f"expected {employees} balances, got {len(balances)}")
    started = time.perf_counter()
    problems = ledger_check(year=year)
    check_s = time.perf_counter() - started
    started = time.perf_counter()
    services.leave_year_open(year=year + 1, today=datetime.date(year + 1, 1, 1))
    year_open_s = time.perf_counter() - started

    # One employee with MFA, signed in through a session made here.
    pegawai, _created = Group.objects.get_or_create(name="pegawai")
    user = users[0]
    user.groups.add(pegawai)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    end = monday + datetime.timedelta(days=2)
    if end.year != monday.year:
        monday, end = datetime.date(year, 12, 1), datetime.date(year, 12, 3)
    path = f"/cuti/ajukan/?leave_type=tahunan&start_date={monday}&end_date={end}&reason=bench"
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0], HTTP_HX_REQUEST="true")
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    # Read now: every request start empties the connection's query log.
    queries = len(captured.captured_queries)
    if response.status_code != 200 or b"hari kerja" not in response.content:
        raise RuntimeError(
            f"GET {path} answered {response.status_code}: {response.content[:300]!r}"
        )
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "recompute_s": recompute_s,
        "check_s": check_s,
        "year_open_s": year_open_s,
        "problems": len(problems),
        "ledger_rows": LeaveLedgerEntry.objects.filter(year=year).count(),
        "apply_path": path,
        "apply_queries": queries,
        "apply_render_ms": timings[len(timings) // 2],
        "session_key": session.session_key,
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
    }
