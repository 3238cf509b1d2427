# Issue 14: a credit hold expires after HELD_ORDER_RELEASE_AFTER_HOURS, counted from
# `held_since`. The indexes that go with it are built in 0012, outside a transaction.

from django.db import migrations, models

# Orders already held when this runs count from their last change, which is when
# the hold was put on (set_hold stamps updated_at) or later.
BACKFILL_SQL = "UPDATE orders_order SET held_since = updated_at WHERE hold <> ''"


class Migration(migrations.Migration):
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
    ]
