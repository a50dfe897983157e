"""`sustain demo`: prepare the database, build the demo organisation, print its accounts, serve.

The database is SQLite in the data folder (SUSTAIN_DATA_DIR, default ./var) unless
DATABASE_URL is set. `--reset` ERASES THE WHOLE DATABASE (the SQLite file is deleted; another
database is flushed) and builds the demo again: it is meant for demo data only, and refuses when
the database holds any organisation other than the demo one.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections
from django.utils import timezone

from sustain.core.schema import create_fresh_schema
from sustain.demo import data
from sustain.demo.builder import (
    DemoAccount,
    build_demo,
    demo_accounts,
    demo_organisation,
    demo_passwords,
)
from sustain.tenancy.models import Organisation


def _as_of(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        msg = f"--as-of: expected a date as YYYY-MM-DD, got {value!r}"
        raise CommandError(msg) from exc


class Command(BaseCommand):
    help = ("Create or migrate the database, load the reference library, build the demo "
            "organisation, print its accounts and serve it on http://127.0.0.1:8000.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true",
                            help="Build and print the accounts, then exit.")
        parser.add_argument("--reset", action="store_true",
                            help="Erase the whole database and build the demo again.")
        parser.add_argument("--accounts-json", metavar="FILE",
                            help="Also write the demo accounts to FILE as JSON.")
        parser.add_argument("--seed", type=int, default=data.DEFAULT_SEED,
                            help="Seed for the generated data (default %(default)s).")
        parser.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD",
                            help="Date the demo data is built relative to (default today).")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbosity = int(options["verbosity"])
        if options["reset"]:
            self._reset_database()
        self.stdout.write(f"Preparing the database ({self._describe_database()})…")
        create_fresh_schema()  # an empty database: tables from the models, in one pass
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if options["reset"] and not self._sqlite_file():
            call_command("flush", interactive=False, verbosity=0)
        self.stdout.write("Loading the CQC reference library…")
        call_command("load_reference", verbosity=max(verbosity - 1, 0))
        self.stdout.write("Loading the playbooks…")
        call_command("load_playbooks", verbosity=max(verbosity - 1, 0))

        seed: int = options["seed"]
        passwords = demo_passwords(seed)
        organisation = demo_organisation()
        if organisation is None:
            as_of = options["as_of"] or timezone.localdate()
            self.stdout.write(f"Building the demo organisation (seed {seed}, as of "
                              f"{as_of:%d %b %Y})…")
            result = build_demo(seed=seed, as_of=as_of)
            accounts = result.accounts
            self.stdout.write(self.style.SUCCESS(
                f"Built {data.ORGANISATION_NAME} in {time.monotonic() - started:.1f} s."))
        else:
            accounts = demo_accounts(organisation, passwords)
            self.stdout.write(f"The demo organisation already exists: kept it (use --reset "
                              f"to rebuild). Ready in {time.monotonic() - started:.1f} s.")
            self._warn_on_changed_passwords(accounts)

        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(self.format_accounts(accounts, url))
        if options["accounts_json"]:
            path = Path(options["accounts_json"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps([a.as_dict() for a in accounts], indent=2) + "\n")
            self.stdout.write(f"Accounts written to {path}.")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    # -- database --------------------------------------------------------------------------
    @staticmethod
    def _sqlite_file() -> Path | None:
        connection = connections["default"]
        if connection.vendor != "sqlite" or connection.is_in_memory_db():
            return None
        return Path(connection.settings_dict["NAME"])

    def _describe_database(self) -> str:
        path = self._sqlite_file()
        if path is not None:
            return f"SQLite at {path}"
        connection = connections["default"]
        return f"{connection.vendor} database {connection.settings_dict['NAME']!s}"

    def _reset_database(self) -> None:
        try:
            others = sorted(Organisation.objects.exclude(slug=data.ORGANISATION_SLUG)
                            .values_list("name", flat=True))
        except DatabaseError:
            others = []  # no tables yet: nothing to protect
        if others:
            msg = ("--reset erases the whole database, and this one holds other organisations ("
                   + ", ".join(others) + "). Point SUSTAIN_DATA_DIR or DATABASE_URL at a demo "
                   "database instead.")
            raise CommandError(msg)
        path = self._sqlite_file()
        if path is None:
            self.stdout.write("Erasing the database (flush) to rebuild the demo…")
            return  # flushed after migrate, when every table exists
        connections["default"].close()
        self.stdout.write(f"Erasing the demo database {path}…")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def _warn_on_changed_passwords(self, accounts: list[DemoAccount]) -> None:
        from sustain.accounts.models import User

        hashes = dict(User.objects.filter(username__in=[a.username for a in accounts])
                      .values_list("username", "password"))
        stale = [a.username for a in accounts
                 if not check_password(a.password, hashes.get(a.username, ""))]
        if stale:
            self.stderr.write(self.style.WARNING(
                "These accounts no longer have the passwords shown (changed, or built with "
                "another --seed): " + ", ".join(stale) + ". Run with --reset to rebuild."))

    # -- output ----------------------------------------------------------------------------
    @staticmethod
    def format_accounts(accounts: list[DemoAccount], url: str) -> str:
        """A plain-text table of the accounts, then which locations each scope covers."""
        headers = ("Username", "Password", "Role", "Scope")
        rows = [(a.username, a.password, a.role_label, a.scope_name) for a in accounts]
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

        def line(cells: tuple[str, ...]) -> str:
            padded = (c.ljust(w) for c, w in zip(cells, widths, strict=True))
            return ("  " + "  ".join(padded)).rstrip()

        out = ["", f"Demo accounts for {data.ORGANISATION_NAME} — sign in at {url}/accounts/login/",
               "", line(headers), line(tuple("-" * w for w in widths))]
        out += [line(r) for r in rows]
        out += ["", "Locations each account can see:"]
        for account in accounts:
            out.append(f"  {account.username}: " + (", ".join(account.locations) or "none"))
        out.append("")
        return "\n".join(out)
