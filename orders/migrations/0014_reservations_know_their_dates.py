"""Reservations made before lots record no delivery date; give the active ones their
order's, so a later change of their lot's dates is checked against it (inventory
records orders by id only, so the orders app, which knows both, fills it in)."""

from django.db import migrations

FILL = """
UPDATE inventory_reservation r
   SET delivery_date = o.requested_delivery_date
  FROM orders_order o
 WHERE o.id = r.order_id AND r.status = 'active' AND r.delivery_date IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_order_route_and_order_by"),
        ("inventory", "0003_lots"),
    ]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
