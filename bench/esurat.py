"""e-Surat benchmark: letters issued per second, numbering + log append latency, verification
time, and the size and cost of an inclusion proof in a log of a million leaves.

A fresh `portal_bench_letters` database is migrated and given a unit, classifications, a
signing official and an issuer; `manage.py letters_init_ca` makes the keys in a temporary
VAR_DIR. Then, each in its own process (bench.common.call_in_subprocess):

1. `issue`: `processes` processes each issue `letters_per_process` letters end to end
   (number, PDF through WeasyPrint, PAdES signature, log append, commit) on their own
   classification, at the same time; letters_per_s = all letters / wall time.
2. `number_and_append`: `append_samples` letter_issue calls with the renderer and signer
   replaced by trivial ones, so what is timed is the numbering (SELECT … FOR UPDATE), the
   letter row, the stored file, the log append and the commit.
3. `verify`: letter_verify_pdf (hash lookup + signature validation) on a real letter,
   `verify_repeats` times; median.
4. `million`: a log of `million_leaves` synthetic leaves is built directly (perfect-subtree
   nodes computed in one pass and COPYed into letters_treenode); then inclusion proofs for
   `proof_samples` random leaves are fetched from the database and verified.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import common
from bench.common import Target

NAME = "esurat"
DB_NAME = "portal_bench_letters"

PARAMS: dict[str, Any] = {
    "processes": 2,
    "letters_per_process": 30,
    "append_samples": 200,
    "verify_repeats": 20,
    "million_leaves": 1_000_000,
    "proof_samples": 50,
    "target_letters_per_s": 10,
    "target_number_and_append_p95_ms": 50,
    "target_verify_ms": 100,
    "target_proof_hashes": 20,
}


def run(**overrides: Any) -> dict[str, Any]:
    params = {**PARAMS, **overrides}
    cpu_idle_before = common.cpu_idle_fraction()
    with (
        tempfile.TemporaryDirectory(prefix="bench-esurat-") as tmp,
        common.bench_database(DB_NAME) as db_url,
    ):
        machine = common.machine_info(db_url, cpu_idle_before=cpu_idle_before)
        env = common.django_env(database_url=db_url, var_dir=Path(tmp, "var"))
        common.manage(["migrate", "--noinput"], env)
        common.manage(["letters_init_ca"], env)
        common.call_in_subprocess("bench.esurat:prepare", {"series": params["processes"]}, env=env)

        common.log(
            f"issuing {params['processes']} x {params['letters_per_process']} letters end to end"
        )
        results: list[Any] = [None] * params["processes"]
        errors: list[BaseException] = []

        def issue(slot: int) -> None:
            try:
                results[slot] = common.call_in_subprocess(
                    "bench.esurat:issue",
                    {"series": slot, "count": params["letters_per_process"]},
                    env=env,
                )
            except BaseException as error:
                errors.append(error)

        threads = [
            threading.Thread(target=issue, args=(slot,)) for slot in range(params["processes"])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        # The window from the first process starting its timed loop to the last one ending:
        # interpreter start-up and the warm-up letter are not part of the rate.
        wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
        issued = sum(result["issued"] for result in results)

        common.log("timing numbering + log append")
        append = common.call_in_subprocess(
            "bench.esurat:number_and_append", {"samples": params["append_samples"]}, env=env
        )
        common.log("timing verification")
        verify = common.call_in_subprocess(
            "bench.esurat:verify", {"repeats": params["verify_repeats"]}, env=env
        )
        common.log(f"building a log of {params['million_leaves']:,} leaves")
        million = common.call_in_subprocess(
            "bench.esurat:million",
            {"leaves": params["million_leaves"], "samples": params["proof_samples"]},
            env=env,
            timeout=1800,
        )

    metrics = {
        "letters_per_s": issued / wall,
        "letters_issued": issued,
        "letter_ms_single_process": statistics.median(r["per_letter_ms"] for r in results),
        "letter_cpu_ms_single_process": statistics.median(r["cpu_ms_per_letter"] for r in results),
        "number_and_append_p50_ms": append["p50_ms"],
        "number_and_append_p95_ms": append["p95_ms"],
        "verify_ms": verify["median_ms"],
        "verify_verdict": verify["verdict"],
        "proof_hashes_at_1m_leaves": million["proof_hashes"],
        "proof_nodes_read_at_1m_leaves": million["nodes_read"],
        "proof_fetch_and_verify_ms_at_1m": million["proof_ms_p50"],
        "proof_fetch_and_verify_p95_ms_at_1m": million["proof_ms_p95"],
        "million_build_s": million["build_s"],
    }
    targets = [
        Target(
            f"letters_per_s >= {params['target_letters_per_s']}",
            metrics["letters_per_s"] >= params["target_letters_per_s"],
            f"{metrics['letters_per_s']:.1f}/s with {params['processes']} processes",
        ),
        Target(
            f"number_and_append_p95_ms <= {params['target_number_and_append_p95_ms']}",
            metrics["number_and_append_p95_ms"] <= params["target_number_and_append_p95_ms"],
            f"{metrics['number_and_append_p95_ms']:.1f} ms",
        ),
        Target(
            f"verify_ms <= {params['target_verify_ms']}",
            metrics["verify_ms"] <= params["target_verify_ms"]
            and metrics["verify_verdict"] == "authentic",
            f"{metrics['verify_ms']:.1f} ms, {metrics['verify_verdict']}",
        ),
        Target(
            f"proof_hashes_at_1m_leaves <= {params['target_proof_hashes']}",
            metrics["proof_hashes_at_1m_leaves"] <= params["target_proof_hashes"],
            f"{metrics['proof_hashes_at_1m_leaves']} hashes, "
            f"{metrics['proof_fetch_and_verify_ms_at_1m']:.1f} ms to fetch and verify",
        ),
    ]
    return common.write_result(
        NAME, params=params, metrics=metrics, machine=machine, targets=targets
    )


# --- In the benchmark's Django processes ------------------------------------------------


def _setup_django() -> None:
    import django

    django.setup()


def _series(slot: int):
    from notifications.letters.models import Classification, IssuingUnit, SigningOfficial
    from portal.models import User

    unit = IssuingUnit.objects.get(code="BKPSDM")
    classification = Classification.objects.get(code=f"800.1.{slot + 1}")
    official = SigningOfficial.objects.get(unit=unit)
    issuer = User.objects.get(email="tu@bench.example")
    return unit, classification, official, issuer


def _issue_one(unit, classification, official, issuer):
    from notifications.letters.services import letter_issue

    return letter_issue(
        kind="notice",
        unit=unit,
        classification=classification,
        official=official,
        recipient_name="Warga Bench",
        subject="Pemberitahuan",
        body_template="letters/bodies/notice.html",
        context={"text": "Berkas Saudara telah diverifikasi dan dinyatakan lengkap."},
        issued_by=issuer,
    )


def prepare(series: int) -> dict[str, Any]:
    _setup_django()
    from notifications.letters.models import Classification, IssuingUnit, SigningOfficial
    from portal.models import User

    unit = IssuingUnit.objects.create(
        code="BKPSDM",
        name="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        address="Jl. Merdeka No. 12, Sukamaju",
        region_name="PEMERINTAH KABUPATEN SUKAMAJU",
    )
    SigningOfficial.objects.create(
        unit=unit, name="Drs. Ahmad Fauzi", nip="197104121996031002", position="Kepala BKPSDM"
    )
    for slot in range(series + 1):
        Classification.objects.create(code=f"800.1.{slot + 1}", title=f"Seri {slot + 1}")
    User.objects.create_user(email="tu@bench.example", password=None)
    return {}


def issue(series: int, count: int) -> dict[str, Any]:
    _setup_django()
    parts = _series(series)
    _issue_one(*parts)  # warm WeasyPrint, fonts and the signer outside the timing
    started_at = time.time()
    started = time.perf_counter()
    started_cpu = time.process_time()
    for _ in range(count):
        _issue_one(*parts)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    return {
        "issued": count,
        "per_letter_ms": elapsed / count * 1000,
        # This process's own CPU per letter: unlike the rate, hardly moved by other load.
        "cpu_ms_per_letter": cpu / count * 1000,
        "started": started_at,
        "ended": started_at + elapsed,
    }


def number_and_append(samples: int) -> dict[str, Any]:
    _setup_django()
    from notifications.letters import services

    services.letter_render_pdf = lambda letter: b"%PDF-1.7\n% " + letter.number.encode()

    class _Identity:
        def sign(self, pdf_bytes: bytes) -> bytes:
            return pdf_bytes

    services.signing.get_signer = lambda: _Identity()
    # Its own series, so it does not wait behind the end-to-end processes.
    parts = _series(int(_last_series()))
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        _issue_one(*parts)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"p50_ms": common.percentile(timings, 0.5), "p95_ms": common.percentile(timings, 0.95)}


def _last_series() -> int:
    from notifications.letters.models import Classification

    return Classification.objects.count() - 1


def verify(repeats: int) -> dict[str, Any]:
    _setup_django()
    from notifications.letters.models import Letter
    from notifications.letters.services import letter_verify_pdf

    letter = Letter.objects.exclude(pdf_sha256="").filter(classification__code="800.1.1").first()
    with letter.pdf.open("rb") as handle:
        data = handle.read()
    verdict = letter_verify_pdf(pdf_bytes=data)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        letter_verify_pdf(pdf_bytes=data)
        timings.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(timings), "verdict": str(verdict.status)}


def million(leaves: int, samples: int) -> dict[str, Any]:
    """A synthetic log of `leaves` leaves, its nodes COPYed in; proofs fetched and verified."""
    import hashlib
    import random

    _setup_django()
    from django.db import connection

    from notifications.letters import log, tlog
    from notifications.letters.models import LogHead

    started = time.perf_counter()
    level = [tlog.leaf_hash(b'{"bench":%d}' % index) for index in range(leaves)]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE letters_treenode")
    raw = connection.connection
    depth = 0
    while level:
        buffer = io.StringIO()
        for index, value in enumerate(level):
            buffer.write(f"{depth}\t{index}\t\\\\x{value.hex()}\n")
        buffer.seek(0)
        with raw.cursor() as cursor:
            cursor.copy_expert('COPY letters_treenode (level, "index", hash) FROM STDIN', buffer)
        if len(level) == 1:
            break
        level = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        depth += 1
    raw.commit()
    LogHead.objects.update_or_create(pk=1, defaults={"size": leaves})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE letters_treenode")
    build_s = time.perf_counter() - started

    rng = random.Random(1)
    root = log.root_at(leaves)
    timings = []
    hashes = 0
    nodes_read = 0
    for _ in range(samples):
        index = rng.randrange(leaves)
        begin = time.perf_counter()
        proof = log.inclusion_proof(index, leaves)
        leaf = tlog.leaf_hash(b'{"bench":%d}' % index)
        tlog.verify_inclusion(index, leaves, leaf, proof, root)
        timings.append((time.perf_counter() - begin) * 1000)
        hashes = max(hashes, len(proof))
        nodes_read = max(
            nodes_read,
            len(tlog.needed_nodes(lambda nodes, i=index: tlog.inclusion_proof(nodes, i, leaves))),
        )
    timings.sort()
    return {
        "build_s": build_s,
        "proof_hashes": hashes,
        "nodes_read": nodes_read,
        "proof_ms_p50": common.percentile(timings, 0.5),
        "proof_ms_p95": common.percentile(timings, 0.95),
    }


if __name__ == "__main__":
    from bench.run import main

    sys.exit(main(["--only", NAME]))
