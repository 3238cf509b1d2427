# Issue 14: a credit hold expires after HELD_ORDER_RELEASE_AFTER_HOURS, counted from
# `held_since`; intake sums a partner's open orders against its open-order limit, an
# index-only scan of `order_open_by_partner`.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# Orders already held when this runs count from their last change, which is when
# the hold was put on (set_hold stamps updated_at) or later.
BACKFILL_SQL = "UPDATE orders_order SET held_since = updated_at WHERE hold <> ''"


class Migration(migrations.Migration):
    # The index is built without blocking the writes of the code still running
    # (CREATE INDEX CONCURRENTLY cannot run inside a transaction).
    atomic = False

    dependencies = [
        ("orders", "0010_upload_report_caps"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="held_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunSQL(BACKFILL_SQL, reverse_sql=migrations.RunSQL.noop),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status__in", ["SHIPPED", "CANCELLED"]), _negated=True),
                fields=["partner"],
                include=("total",),
                name="order_open_by_partner",
            ),
        ),
    ]
