"""Where the time of one e-Surat issuance goes: CPU ms per step, in one process.

Run against a migrated database that has the bench's unit, classification, official and
issuer (`bench.esurat:prepare`) and the keys of `manage.py letters_init_ca`:

    .venv/bin/python -m bench.esurat_profile [--letters 20] [--cprofile FILE]

Prints the CPU time (time.process_time, so other work on the machine does not count)
of each step of letter_issue, measured on warm caches, then of the whole issuance.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import statistics
import time
from collections.abc import Callable
from typing import Any


def _cpu_ms(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = function()  # warm
    samples = []
    for _ in range(repeats):
        started = time.process_time()
        result = function()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--cprofile", help="write a cProfile of the issuances to this file")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.utils import translation

    from bench.esurat import _issue_one, _series
    from notifications.letters import log, signing
    from notifications.letters.models import Letter, LogLeaf
    from notifications.letters.pdf import letter_pdf_context, letter_render_pdf, qr_data_uri
    from portal.pdf import render_pdf

    parts = _series(0)
    letter = _issue_one(*parts)
    letter = Letter.objects.select_related("unit", "official", "classification").get(pk=letter.pk)
    repeats = args.letters
    rows: list[tuple[str, float]] = []

    ms, _ = _cpu_ms(
        lambda: render_to_string(
            "letters/bodies/notice.html", {"text": "Berkas Saudara telah diverifikasi."}
        ),
        repeats,
    )
    rows.append(("body template", ms))
    ms, _ = _cpu_ms(lambda: qr_data_uri("https://portal.example/verifikasi/" + "x" * 22), repeats)
    rows.append(("QR (segno)", ms))

    def html() -> str:
        with translation.override("id"):
            return render_to_string("letters/pdf/letter.html", letter_pdf_context(letter))

    ms, _ = _cpu_ms(html, repeats)
    rows.append(("letter HTML (incl. QR)", ms))

    def pdf() -> bytes:
        with translation.override("id"):
            return render_pdf("letters/pdf/letter.html", letter_pdf_context(letter))

    ms, pdf_bytes = _cpu_ms(pdf, repeats)
    rows.append(("WeasyPrint PDF (incl. HTML)", ms))
    signer = signing.get_signer()
    ms, signed = _cpu_ms(lambda: signer.sign(pdf_bytes), repeats)
    rows.append(("pyhanko sign", ms))
    ms, _ = _cpu_ms(lambda: hashlib.sha256(signed).hexdigest(), repeats)
    rows.append(("SHA-256 of the PDF", ms))

    letter.revoked_at = letter.issued_at  # a 'revoked' leaf: the issued one already exists

    def append() -> None:
        with transaction.atomic():
            log.append(letter=letter, event=LogLeaf.Event.REVOKED)
            transaction.set_rollback(True)

    ms, _ = _cpu_ms(append, repeats)
    rows.append(("tlog append (rolled back)", ms))
    ms, _ = _cpu_ms(lambda: signing.check_signature(signed), repeats)
    rows.append(("(verify signature)", ms))

    profiler = cProfile.Profile() if args.cprofile else None
    cpu, wall = [], []
    for _ in range(repeats):
        if profiler:
            profiler.enable()
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        _issue_one(*parts)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        if profiler:
            profiler.disable()
    if profiler:
        profiler.dump_stats(args.cprofile)

    for name, value in rows:
        print(f"{name:32s} {value:8.1f} ms CPU")
    print(f"{'letter_issue end to end':32s} {statistics.median(cpu):8.1f} ms CPU (median)")
    print(f"{'letter_issue end to end':32s} {statistics.median(wall):8.1f} ms wall (median)")
    print(f"PDF size {len(signed):,} bytes; {letter_render_pdf(letter)[:8]!r}")


if __name__ == "__main__":
    main()
