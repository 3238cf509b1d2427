# Issue 19: the admin home's peak view reads the last hours' order events by minute
# (backoffice.peak_figures); a BRIN index on their append-only `created_at` finds them
# without a B-tree insert per event.
#
# Built as 0012 builds its indexes: concurrently (no blocking of the writes of the code
# still running), with the connection's statement and lock timeouts lifted for the
# build, and a leftover INVALID index of a failed run dropped first.

from django.contrib.postgres.indexes import BrinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations

INDEX = BrinIndex(fields=["created_at"], name="order_event_created_brin")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0015_peak_campaigns"),
    ]

    operations = [
        migrations.RunSQL(
            "SET statement_timeout = 0; SET lock_timeout = 0",
            reverse_sql="RESET statement_timeout; RESET lock_timeout",
        ),
        migrations.RunSQL(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX.name}", reverse_sql=migrations.RunSQL.noop),
        AddIndexConcurrently(model_name="orderevent", index=INDEX),
        migrations.RunSQL(
            "RESET statement_timeout; RESET lock_timeout",
            reverse_sql="SET statement_timeout = 0; SET lock_timeout = 0",
        ),
    ]
