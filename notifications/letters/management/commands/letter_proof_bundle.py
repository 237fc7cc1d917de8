from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from notifications.letters.bundle import proof_bundle_for
from notifications.letters.models import Letter


class Command(BaseCommand):
    help = (
        "Print the proof bundle of a letter (log leaves, inclusion proofs, signed checkpoint, CA "
        "certificate) as JSON, for `manage.py letter_verify FILE.pdf --bundle`. Signs a new "
        "checkpoint first if none covers the letter yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("number", help="letter number, e.g. 800.1.11.1/0042/BKPSDM/2026")

    def handle(self, *args, number: str, **options):
        letter = Letter.objects.select_related("unit").filter(number=number).first()
        if letter is None:
            raise CommandError(f"No letter numbered {number!r}.")
        self.stdout.write(json.dumps(proof_bundle_for(letter, ensure_checkpoint=True), indent=2))
