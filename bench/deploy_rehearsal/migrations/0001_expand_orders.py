"""The expand: a nullable column without a default, which PostgreSQL adds by changing
the catalogue alone (no table rewrite), and which the old code, naming its columns in
every INSERT, never notices. Migrating back to zero is the contract."""

from django.db import migrations

from bench.deploy_rehearsal.expand import alter_without_queueing


def add_column(apps, schema_editor):
    alter_without_queueing(schema_editor, "ALTER TABLE orders_order ADD COLUMN chaos_rehearsal text NULL")


def drop_column(apps, schema_editor):
    alter_without_queueing(schema_editor, "ALTER TABLE orders_order DROP COLUMN chaos_rehearsal")


class Migration(migrations.Migration):
    atomic = False  # each try of the ALTER is a short transaction of its own

    dependencies = [("orders", "0015_peak_campaigns")]

    operations = [migrations.RunPython(add_column, drop_column)]
