from __future__ import annotations

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import demo
from portal.registry import seeders


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo data (citizens, ASN, an official, an admin) "
        "and print the demo logins. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--logins-only", action="store_true", help="only print the demo logins")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even when DEBUG=0 (demo accounts share a published password)",
        )

    def handle(self, *args, seed: int, logins_only: bool, allow_production: bool, **options):
        if not settings.DEBUG and not allow_production and not logins_only:
            raise CommandError(
                "Refusing to seed demo accounts with DEBUG=0: they share a published password. "
                "Use --allow-production on a staging copy if you really mean it."
            )
        if not logins_only:
            rng = random.Random(seed)
            demo.seed_core(stdout=self.stdout, rng=rng)
            for seeder in seeders():
                self.stdout.write(f"  seeding {seeder.__module__} …")
                seeder(stdout=self.stdout, rng=rng)
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for role, email in demo.DEMO_LOGINS:
            self.stdout.write(f"  {role:<24} {email}")
        self.stdout.write(
            "Staff accounts (pegawai, atasan, pejabat, admin) set up an authenticator app (TOTP) at first login."
        )
