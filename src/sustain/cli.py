"""The `sustain` command: Django's management commands under one name.

`sustain demo`, `sustain serve`, `sustain load-reference`, `sustain verify-history` and every
Django command (`sustain migrate`, `sustain check --deploy`, …). Hyphenated names map to the
underscored management commands.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sustain.config.settings.dev")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "sustain"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
