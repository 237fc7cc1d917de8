"""Page benchmark: throughput and p95 latency of the home, login and dashboard pages.

A fresh `portal_bench` database on the real PostgreSQL is migrated and filled with two
citizens (a small and a large history of documents and activities); gunicorn serves
the portal with production settings (DEBUG=0, 2 sync workers) on a free loopback port;
a separate asyncio load process keeps `concurrency` clients busy on one page at a time.
SQL queries per dashboard request are counted in-process for both citizens, to show
they do not grow with the data. See bench/README.md for what each metric means.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import common
from bench.common import Target

NAME = "pages"

PARAMS: dict[str, Any] = {
    "concurrency": 20,
    "warmup_s": 2.0,
    "duration_s": 10.0,
    "gunicorn_workers": 2,
    "gunicorn_worker_class": "sync",
    "load_client": "asyncio, 1 process, a new connection per request",
    "debug": False,
    # documents per citizen; every document also adds one activity, plus the extra
    # activities below, so the activity log grows with it
    "docs_small": 10,
    "docs_large": 200,
    "activities_per_doc": 5,
    "load_dashboard_citizen": "large",
    # sequential in-process requests (django.test.Client) timed for *_render_ms
    "render_repeats": 20,
    "target_p95_ms": 100,
}

# (metric prefix, path, signed in?)
PAGES = [
    ("home", "/", False),
    ("login", "/akun/login/", False),
    ("dashboard", "/dasbor/", True),
]

# Well-formed NIKs (DKI Jakarta, born 15-08-1990, a man and a woman).
_NIKS = ["3171011508900001", "3171015508900002"]


def run(**overrides: Any) -> dict[str, Any]:
    params = {**PARAMS, **overrides}
    common.log(f"{NAME}: measuring idle CPU before the run")
    cpu_idle_before = common.cpu_idle_fraction()
    if cpu_idle_before < 0.8:
        common.log(
            f"warning: the machine was only {cpu_idle_before:.0%} idle before the run; "
            "the figures will be lower than on a quiet machine"
        )
    with (
        tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp,
        common.bench_database() as db_url,
    ):
        machine = common.machine_info(db_url, cpu_idle_before=cpu_idle_before)
        env = common.django_env(database_url=db_url, var_dir=Path(tmp, "var"))
        common.manage(["migrate", "--noinput"], env)
        common.manage(["collectstatic", "--noinput"], env)
        sizes = {"small": params["docs_small"], "large": params["docs_large"]}
        common.log(f"creating citizens with {sizes} documents")
        data = common.call_in_subprocess(
            "bench.pages:prepare",
            {
                "sizes": sizes,
                "activities_per_doc": params["activities_per_doc"],
                "render_repeats": params["render_repeats"],
            },
            env=env,
        )
        for label, citizen in data["citizens"].items():
            common.log(
                f"citizen {label}: {citizen['documents']} documents, {citizen['activities']} activities, "
                f"{citizen['queries']} queries per dashboard"
            )
        session_key = data["citizens"][params["load_dashboard_citizen"]]["session_key"]
        loads: dict[str, dict[str, Any]] = {}
        with common.Gunicorn(
            env,
            workers=params["gunicorn_workers"],
            worker_class=params["gunicorn_worker_class"],
            log_dir=tmp,
        ) as server:
            for page, path, signed_in in PAGES:
                # The session cookie is Secure under DEBUG=0; a browser would not send it
                # over plain http, so the client sets it by hand.
                headers = (
                    {"Cookie": f"{data['session_cookie_name']}={session_key}"} if signed_in else {}
                )
                common.log(
                    f"load: {page} {path}, {params['concurrency']} clients, "
                    f"{params['warmup_s']:g} s warm-up + {params['duration_s']:g} s"
                )
                loads[page] = common.call_in_subprocess(
                    "bench.common:load_generate",
                    {
                        "port": server.port,
                        "path": path,
                        "headers": headers,
                        "concurrency": params["concurrency"],
                        "warmup_s": params["warmup_s"],
                        "duration_s": params["duration_s"],
                        "server_pids": server.pids(),
                    },
                    timeout=params["warmup_s"] + params["duration_s"] + 120,
                )
                _log_load(page, loads[page])
            if any(load["errors"] for load in loads.values()):
                common.log(f"gunicorn log:\n{server.log_tail()}")

    metrics = _metrics(loads, data, params)
    targets = _targets(metrics, loads, data, params)
    return common.write_result(
        NAME, params=params, metrics=metrics, machine=machine, targets=targets
    )


def _log_load(page: str, load: dict[str, Any]) -> None:
    common.log(
        f"  {page}: {load['rps']:.1f} req/s, p50 {load['p50_ms']:.1f} ms, p95 {load['p95_ms']:.1f} ms, "
        f"statuses {load['statuses']}, client CPU {load['client_cpu_pct']:.0f}%, "
        f"server CPU {load['server_cpu_pct']:.0f}%, machine busy {load['machine_busy_pct']:.0f}%"
    )
    if load["exceptions"]:
        common.log(f"  {page}: client-side failures {load['exceptions']}")


def _metrics(
    loads: dict[str, dict[str, Any]], data: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    for page, _path, _signed_in in PAGES:
        load = loads[page]
        metrics[f"{page}_rps"] = round(load["rps"], 1)
        metrics[f"{page}_p50_ms"] = round(load["p50_ms"], 1)
        metrics[f"{page}_p95_ms"] = round(load["p95_ms"], 1)
        metrics[f"{page}_errors"] = load["errors"]
        metrics[f"{page}_client_cpu_pct"] = round(load["client_cpu_pct"], 1)
        metrics[f"{page}_server_cpu_pct"] = round(load["server_cpu_pct"], 1)
        metrics[f"{page}_machine_busy_pct"] = round(load["machine_busy_pct"], 1)
    metrics["errors"] = sum(load["errors"] for load in loads.values())
    metrics["requests"] = sum(load["requests"] for load in loads.values())
    metrics["home_bytes"] = loads["home"]["body_bytes"]
    citizens = data["citizens"]
    loaded = citizens[params["load_dashboard_citizen"]]
    metrics["home_render_ms"] = round(data["home"]["render_ms"], 1)
    metrics["login_render_ms"] = round(data["login"]["render_ms"], 1)
    metrics["dashboard_render_ms"] = round(loaded["render_ms"], 1)
    metrics["home_queries"] = data["home"]["queries"]
    metrics["login_queries"] = data["login"]["queries"]
    metrics["dashboard_queries"] = loaded["queries"]
    metrics["dashboard_queries_small"] = citizens["small"]["queries"]
    metrics["dashboard_queries_large"] = citizens["large"]["queries"]
    return metrics


def _targets(
    metrics: dict[str, Any], loads: dict[str, Any], data: dict[str, Any], params: dict[str, Any]
) -> list[Target]:
    limit = params["target_p95_ms"]
    targets = [
        Target(
            f"{page} p95 <= {limit} ms",
            metrics[f"{page}_p95_ms"] <= limit,
            f"{metrics[f'{page}_p95_ms']} ms",
        )
        for page, _path, _signed_in in PAGES
    ]
    small, large = data["citizens"]["small"], data["citizens"]["large"]
    targets.append(
        Target(
            "dashboard queries independent of data size",
            small["queries"] == large["queries"],
            f"{small['documents']} docs: {small['queries']} queries, "
            f"{large['documents']} docs: {large['queries']} queries",
        )
    )
    if small["queries"] != large["queries"]:
        common.log("dashboard SQL for the large citizen:\n  " + "\n  ".join(large["sql"]))
    targets.append(
        Target("no failed requests", metrics["errors"] == 0, f"{metrics['errors']} non-200")
    )
    busiest_client = max(load["client_cpu_pct"] for load in loads.values())
    targets.append(
        Target(
            "load client is not the bottleneck (< 50% of a core)",
            busiest_client < 50,
            f"client at most {busiest_client:.0f}% of a core",
        )
    )
    return targets


# --- Runs in a subprocess with the benchmark's Django environment ------------------------


def prepare(
    *, sizes: dict[str, int], activities_per_doc: int, render_repeats: int
) -> dict[str, Any]:
    """Create one verified citizen per size, sign each in, count the pages' queries."""
    import datetime
    import statistics
    import time
    from importlib import import_module

    import django

    django.setup()

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal import services
    from portal.models import Activity, CitizenDocument, User

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    kinds = [choice for choice, _label in CitizenDocument.Kind.choices]
    document_type = ContentType.objects.get_for_model(CitizenDocument)
    today = timezone.localdate()

    def measure(path: str, session_key: str = "") -> tuple[dict[str, Any], Any]:
        """Queries of one request (after a warming one) and the median in-process time.

        Like the load clients, every request comes from a fresh client that sends no
        cookie but the session's: a first-time visitor, or a signed-in citizen.
        """

        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])

        def get() -> Any:
            client.cookies.clear()
            if session_key:
                client.cookies[settings.SESSION_COOKIE_NAME] = session_key
            return client.get(path)

        get()  # the first request warms per-process caches (content types, templates)
        with CaptureQueriesContext(connection) as captured:
            response = get()
        # Read now: every request start empties the connection's query log.
        sql = [query["sql"] for query in captured.captured_queries]
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {path} answered {response.status_code} {response.get('Location', '')}"
            )
        timings = []
        for _ in range(render_repeats):
            started = time.perf_counter()
            get()
            timings.append((time.perf_counter() - started) * 1000)
        measured = {"queries": len(sql), "sql": sql, "render_ms": statistics.median(timings)}
        return measured, response

    citizens: dict[str, Any] = {}
    for index, (label, documents) in enumerate(sizes.items()):
        user = User.objects.create_user(email=f"warga.{label}@bench.example", password=None)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        services.citizen_profile_update(
            user=user,
            full_name=f"Warga Bench {label.title()}",
            nik=_NIKS[index % len(_NIKS)],
            birth_date=datetime.date(1990, 8, 15),
            phone="081234567890",
        )
        saved = [
            services.citizen_document_save(
                owner=user,
                kind=kinds[number % len(kinds)],
                number=f"B{index}{number:07d}",
                expires_on=today + datetime.timedelta(days=7 + number),
            )
            for number in range(documents)
        ]
        # citizen_document_save recorded one activity per document; add the rest in bulk.
        Activity.objects.bulk_create(
            [
                Activity(
                    actor=user,
                    verb="document.updated",
                    target_type=document_type,
                    target_id=str(document.pk),
                    data={"kind": document.kind},
                )
                for document in saved
                for _ in range(activities_per_doc - 1)
            ],
            batch_size=1000,
        )

        # Signed in through a session made here, not through the rate-limited login form.
        session = session_store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()

        measured, response = measure("/dasbor/", session.session_key)
        if f"Warga Bench {label.title()}".encode() not in response.content:
            raise RuntimeError("the dashboard did not show the signed-in citizen")
        citizens[label] = {
            "session_key": session.session_key,
            "documents": CitizenDocument.objects.filter(owner=user).count(),
            "activities": Activity.objects.filter(actor=user).count(),
            **measured,
        }

    return {
        "citizens": citizens,
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "home": measure("/")[0],
        "login": measure("/akun/login/")[0],
    }


if __name__ == "__main__":
    from bench.run import main

    sys.exit(main(["--only", NAME]))
