# Issue 14: intake sums a partner's open orders against its open-order limit, an
# index-only scan of `order_open_by_partner`; the sweeper finds credit holds past their
# time through `order_credit_hold_since`.
#
# Both are built without blocking the writes of the code still running (CREATE INDEX
# CONCURRENTLY, which cannot run in a transaction), and with the connection's statement
# and lock timeouts lifted (config/settings.py sets 30 s and 10 s): on a large, busy
# orders table a build takes longer. A build that failed anyway leaves an INVALID index
# behind; each is dropped first, so that running the migration again builds it anew.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

INDEXES = (
    models.Index(
        condition=models.Q(("status__in", ["SHIPPED", "CANCELLED"]), _negated=True),
        fields=["partner"],
        include=("total",),
        name="order_open_by_partner",
    ),
    models.Index(condition=models.Q(hold="credit"), fields=["held_since"], name="order_credit_hold_since"),
)


def build(index: models.Index) -> list:
    return [
        migrations.RunSQL(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}", reverse_sql=migrations.RunSQL.noop),
        AddIndexConcurrently(model_name="order", index=index),
    ]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0011_order_held_since"),
    ]

    operations = [
        migrations.RunSQL(
            "SET statement_timeout = 0; SET lock_timeout = 0",
            reverse_sql="RESET statement_timeout; RESET lock_timeout",
        ),
        *build(INDEXES[0]),
        *build(INDEXES[1]),
        # Back to the connection's own timeouts for the migrations that follow.
        migrations.RunSQL(
            "RESET statement_timeout; RESET lock_timeout",
            reverse_sql="SET statement_timeout = 0; SET lock_timeout = 0",
        ),
    ]
