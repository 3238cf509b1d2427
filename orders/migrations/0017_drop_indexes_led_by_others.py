# Issue 20: three foreign keys had an index of their own that another index leading
# with the same column already serves (order_partner_recent, order_line_unique_no,
# idempotency_unique_partner_key), and the order number had, beside its unique index,
# the pattern index Django adds for LIKE 'prefix%', which no query asks (the admin
# searches numbers case-blind, the portal anywhere in them). Each was one more B-tree
# write for every order placed, and, for orders_order, for every step of its journey.
#
# Dropped concurrently (no blocking of the code still running), with the connection's
# timeouts lifted for the drop; the foreign keys themselves stay as they are (Django's
# own AlterField would drop and re-add them, checking every row under a lock).

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    # (index, table, column): to build them again on the way back.
    ("orders_idempotencyrecord_partner_id_cd5079d3", "orders_idempotencyrecord", "partner_id"),
    ("orders_order_partner_id_9b0056be", "orders_order", "partner_id"),
    ("orders_orderline_order_id_17f8f3ef", "orders_orderline", "order_id"),
    ("orders_order_number_abc9e0f2_like", "orders_order", "number varchar_pattern_ops"),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0016_order_event_created_brin"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="idempotencyrecord",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="orders.order",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "SET statement_timeout = 0; SET lock_timeout = 0",
                    reverse_sql="RESET statement_timeout; RESET lock_timeout",
                ),
                *(
                    migrations.RunSQL(
                        f"DROP INDEX CONCURRENTLY IF EXISTS {index}",
                        reverse_sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {table} ({column})",
                    )
                    for index, table, column in DROPPED
                ),
                migrations.RunSQL(
                    "RESET statement_timeout; RESET lock_timeout",
                    reverse_sql="SET statement_timeout = 0; SET lock_timeout = 0",
                ),
            ],
        ),
    ]
