"""A fresh SQLite schema built from the models is the schema the migrations build: same
tables, columns (type, null), indexes and constraints, and every migration recorded as
applied (so `migrate` then has nothing to do and later upgrades apply normally)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = r"""
import json, sys, django
django.setup()
from django.core.management import call_command
from django.db import connection
from sustain.core.schema import create_fresh_schema
fresh = create_fresh_schema() if sys.argv[1] == "fresh" else False
call_command("migrate", verbosity=0)
with connection.cursor() as c:
    tables = sorted(connection.introspection.table_names(c))
    out = {"fresh": fresh, "tables": {}}
    for t in tables:
        cols = sorted((d.name, d.type_code, bool(d.null_ok))
                      for d in connection.introspection.get_table_description(c, t))
        cons = connection.introspection.get_constraints(c, t)
        keys = sorted((name if not name.startswith(("__", "fk_")) else "", sorted(v["columns"]),
                       v["unique"], v["primary_key"], bool(v["foreign_key"]), v["index"],
                       bool(v["check"]))
                      for name, v in cons.items())
        out["tables"][t] = {"columns": cols, "constraints": keys}
    c.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    out["applied"] = [list(r) for r in c.fetchall()]
print(json.dumps(out, default=str))
"""


def _build(tmp_path: Path, how: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="sustain.config.settings.dev",
               SUSTAIN_DATA_DIR=str(tmp_path / how))
    done = subprocess.run([sys.executable, "-c", SCRIPT, how], env=env,  # noqa: S603
                          capture_output=True,
                          text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.smoke
def test_fresh_schema_equals_the_migrated_schema(tmp_path: Path) -> None:
    migrated = _build(tmp_path, "migrated")
    fresh = _build(tmp_path, "fresh")
    assert fresh["fresh"] is True and migrated["fresh"] is False
    assert fresh["applied"] == migrated["applied"]
    assert sorted(fresh["tables"]) == sorted(migrated["tables"])
    for table, shape in migrated["tables"].items():
        assert fresh["tables"][table]["columns"] == shape["columns"], table
        assert fresh["tables"][table]["constraints"] == shape["constraints"], table
