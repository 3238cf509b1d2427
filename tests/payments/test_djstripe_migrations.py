"""dj-stripe's own migrations: the test databases create its tables from its models
(config/stripe_settings.py, DJSTRIPE_TABLES_FROM_MODELS), so this checks, once, that
its migrations agree with its models under our settings and apply, with ours, to an
empty database, as `migrate` does in production."""

import io
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@override_settings(MIGRATION_MODULES={})
def test_djstripe_migrations_agree_with_its_models_under_our_settings():
    out = io.StringIO()
    call_command("makemigrations", "djstripe", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _server_url(database: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_migration_with_djstripes_applies_to_an_empty_database():
    scratch = f"{settings.DATABASES['default']['NAME']}_migrate_all"
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    env = {k: v for k, v in os.environ.items() if k != "DJSTRIPE_TABLES_FROM_MODELS"}
    env["DATABASE_URL"] = _server_url(scratch)
    try:
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=800,
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        with psycopg.connect(_server_url(scratch)) as connection:
            applied = connection.execute("SELECT count(*) FROM django_migrations WHERE app = 'djstripe'").fetchone()[0]
            mirror_table = connection.execute("SELECT to_regclass('djstripe_paymentintent')").fetchone()[0]
    finally:
        with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    assert applied > 0 and mirror_table == "djstripe_paymentintent"
