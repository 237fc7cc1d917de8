from __future__ import annotations

import random

from django.core.management.base import BaseCommand

from portal import demo
from portal.registry import seeders


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo data (citizens, ASN, an official, an admin) "
        "and print the demo logins. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")

    def handle(self, *args, seed: int, **options):
        rng = random.Random(seed)
        demo.seed_core(stdout=self.stdout, rng=rng)
        for seeder in seeders():
            self.stdout.write(f"  seeding {seeder.__module__} …")
            seeder(stdout=self.stdout, rng=rng)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all: %s):" % demo.DEMO_PASSWORD))
        for role, email in demo.DEMO_LOGINS:
            self.stdout.write(f"  {role:<24} {email}")
        self.stdout.write(
            "Staff accounts (pegawai, atasan, pejabat, admin) set up an authenticator app (TOTP) at first login."
        )
