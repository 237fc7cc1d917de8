from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from notifications.letters.bundle import verify_offline


class Command(BaseCommand):
    help = (
        "Check a letter PDF offline: its signature, its leaf's inclusion proof against the signed "
        "checkpoint in the proof bundle, and the checkpoint's signature by the log's public key. "
        "Exit 0 when authentic, 1 when not authentic or revoked."
    )

    def add_arguments(self, parser):
        parser.add_argument("pdf", type=Path, help="the letter's PDF file")
        parser.add_argument(
            "--bundle",
            type=Path,
            required=True,
            help="proof bundle JSON (manage.py letter_proof_bundle NUMBER, or the QR page's bukti.json)",
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            required=True,
            help="file with the log's verifier key (name+hash+base64), from /verifikasi/log/kunci-publik",
        )
        parser.add_argument(
            "--ca",
            type=Path,
            help="CA certificate (PEM) to trust for the signature; default: the one in the bundle",
        )

    def handle(self, *args, pdf: Path, bundle: Path, public_key: Path, ca: Path | None, **options):
        try:
            pdf_bytes = pdf.read_bytes()
            bundle_data = json.loads(bundle.read_text(encoding="utf-8"))
            verifier = public_key.read_text(encoding="utf-8").strip()
            ca_pem = ca.read_text(encoding="utf-8") if ca else None
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the input: {error}") from error
        result = verify_offline(
            pdf_bytes=pdf_bytes, bundle=bundle_data, verifier_key=verifier, ca_pem=ca_pem
        )
        for name, ok, detail in result.checks:
            mark = "ok  " if ok else "FAIL"
            self.stdout.write(f"[{mark}] {name}{f': {detail}' if detail else ''}")
        if not ca:
            self.stdout.write("note: the signature was checked against the CA in the bundle")
        if result.status == "authentic":
            self.stdout.write(self.style.SUCCESS(f"Asli: {bundle_data.get('number')}"))
            return
        if result.status == "revoked":
            raise CommandError(f"Dicabut: {result.reason}")
        raise CommandError("Tidak asli.")
