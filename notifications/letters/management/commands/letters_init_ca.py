from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.letters import keys


class Command(BaseCommand):
    help = (
        "Create the local test CA, the e-Surat signing key and certificate and the transparency "
        "log's Ed25519 key (development and tests only; production uses a certified provider). "
        "Keeps existing files unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="replace every key and certificate (rotation)"
        )

    def handle(self, *args, force: bool = False, **options):
        paths = keys.KeyPaths.configured()
        written = keys.create_keys(paths, force=force)
        for path in written:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(f"log public key: {keys.tlog_verifier_key()}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(written)} file(s) written, {5 - len(written)} kept.")
        )
