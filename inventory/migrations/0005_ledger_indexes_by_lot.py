# Issue 17: the ledger is summed per lot (the audit) and write-offs are read by date
# (the waste report). The stock movements are the largest table and every reserve,
# release and dispatch writes to it, so both indexes are built without blocking those
# writes (CREATE INDEX CONCURRENTLY, outside a transaction, timeouts lifted: a build on
# a large ledger outlasts config/settings.py's 30 s statement timeout), each dropped
# first in case a failed build left it INVALID. The old (product, warehouse) index
# goes last, concurrently too: the new one's prefix serves what it served.

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models

BY_LOT = models.Index(fields=["product", "warehouse", "lot"], name="movement_product_warehouse_lot")
EXPIRY_BY_DATE = models.Index(fields=["created_at"], condition=models.Q(kind="expiry"), name="movement_expiry_created")


def build(index: models.Index) -> list:
    return [
        migrations.RunSQL(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}", reverse_sql=migrations.RunSQL.noop),
        AddIndexConcurrently(model_name="stockmovement", index=index),
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inventory", "0004_expiry_write_off"),
    ]

    operations = [
        migrations.RunSQL(
            "SET statement_timeout = 0; SET lock_timeout = 0",
            reverse_sql="RESET statement_timeout; RESET lock_timeout",
        ),
        *build(BY_LOT),
        *build(EXPIRY_BY_DATE),
        RemoveIndexConcurrently(model_name="stockmovement", name="movement_product_warehouse"),
        migrations.RunSQL(
            "RESET statement_timeout; RESET lock_timeout",
            reverse_sql="SET statement_timeout = 0; SET lock_timeout = 0",
        ),
    ]
