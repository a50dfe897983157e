"""A fresh database's schema, built from the models in one pass instead of replaying every
migration (used by `sustain demo`; see docs/adr/0013-fresh-schema-from-models.md).

Replaying 60-odd migrations on an empty SQLite file costs about 15 s of the demo's minute,
almost all of it Django re-rendering the project state after each operation. On a database
with no tables at all, `create_fresh_schema` creates every table from the current models (as
`migrate --run-syncdb` and the test runner do), then records every migration as applied, so
later upgrades migrate from here as usual. SQLite only: the demo's embedded database;
PostgreSQL databases are always migrated. It is exact because CI checks that the models and
the migrations agree (`makemigrations --check`) and no migration here carries data
(`RunPython`/`RunSQL` — checked by `migrations_carry_no_data`). A database with any table
goes through `migrate` as always.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections, router
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython, RunSQL
from django.db.migrations.recorder import MigrationRecorder


def is_empty(using: str = "default") -> bool:
    connection = connections[using]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def migrations_carry_no_data(using: str = "default") -> list[str]:
    """Migrations (app, name) with a RunPython or RunSQL operation of our own apps: they
    would be skipped by the fresh schema, so their presence turns the fast path off."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    found = []
    for (app_label, name), migration in loader.disk_migrations.items():
        config = apps.get_app_config(app_label)
        if not config.name.startswith("sustain."):
            continue  # Django's and libraries' data steps act on existing rows only
        if any(isinstance(op, RunPython | RunSQL) for op in migration.operations):
            found.append(f"{app_label}.{name}")
    return sorted(found)


def create_fresh_schema(using: str = "default") -> bool:
    """Create every table from the models and record every migration as applied, if the
    database has no table yet and no migration of ours carries data. Returns whether it did;
    the caller runs `migrate` afterwards either way (it applies nothing after a fresh build,
    and sends the post-migrate signals that create content types and permissions)."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not is_empty(using) or migrations_carry_no_data(using):
        return False  # PostgreSQL (production) always migrates
    models = []
    for config in apps.get_app_configs():
        for model in router.get_migratable_models(config, using, include_auto_created=False):
            if model._meta.can_migrate(connection):
                models.append(model)
    with connection.schema_editor() as editor:  # foreign keys are added at the end
        for model in models:
            editor.create_model(model)
    loader = MigrationLoader(connection)
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    for app_label, name in sorted(loader.graph.nodes):
        recorder.record_applied(app_label, name)
    return True
