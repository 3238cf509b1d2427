"""The committed migrations match the models and apply to an empty database."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_every_migration_is_applied_to_the_test_database():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = 'orders_order_number_seq'")
        assert cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_the_index_migration_runs_again_over_an_index_a_failed_run_left_behind():
    # A concurrent build that timed out leaves its index (INVALID) and no record of the
    # migration: the next `migrate` must build it anew rather than fail on the name.
    executor = MigrationExecutor(connection)
    executor.migrate([("orders", "0011_order_held_since")])
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX order_credit_hold_since ON orders_order (id)")  # the leftover

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every later migration too, as the next test expects

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'order_credit_hold_since'")
        [(definition,)] = cursor.fetchall()
        cursor.execute("SHOW statement_timeout")
        [(timeout,)] = cursor.fetchall()
    assert "(held_since) WHERE ((hold)::text = 'credit'::text)" in definition
    assert timeout != "0"  # the connection's own timeout again after the build
