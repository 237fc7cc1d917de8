#!/usr/bin/env python
"""Django's command-line utility for Portal Layanan Publik."""

import os
import sys

if sys.version_info < (3, 12):  # noqa: UP036 - a clear message beats a SyntaxError
    sys.exit(
        f"Portal Layanan Publik needs Python 3.12+ (Django 6.1); this is {sys.version.split()[0]}."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
