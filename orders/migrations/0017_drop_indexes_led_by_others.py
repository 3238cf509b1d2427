# Issue 20: indexes no query needs, each one more B-tree write for every order placed,
# and, on orders_order, for every step of its journey (a step changes the status,
# which is indexed, so no update of an order is a HOT update):
# - three foreign keys' own indexes, where another index leading with the same column
#   serves (order_partner_recent, order_line_unique_no, idempotency_unique_partner_key);
# - the index of who placed an order: every query by it is within a partner's orders;
# - the order number's pattern index, which Django adds beside the unique one for
#   LIKE 'prefix%' and no query asks for (the admin searches numbers case-blind, the
#   portal anywhere in them).
#
# Dropped concurrently (no blocking of the code still running), with the connection's
# timeouts lifted for the drop; the foreign keys themselves stay as they are (Django's
# own AlterField would drop and re-add them, checking every row under a lock).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = [
    # (index, table, column): to build them again on the way back.
    ("orders_idempotencyrecord_partner_id_cd5079d3", "orders_idempotencyrecord", "partner_id"),
    ("orders_order_partner_id_9b0056be", "orders_order", "partner_id"),
    ("orders_orderline_order_id_17f8f3ef", "orders_orderline", "order_id"),
    ("orders_order_placed_by_id_fb0fe558", "orders_order", "placed_by_id"),
    ("orders_order_number_abc9e0f2_like", "orders_order", "number varchar_pattern_ops"),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0016_order_event_created_brin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
                    model_name="order",
                    name="placed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
