"""Every ship-to gets a route of its partner's home warehouse (DESIGN section 10).

Where a warehouse has no route yet, this makes one that delivers every day with an
order-by time of 23:59 on the day itself (`<WAREHOUSE>-ALL`): the dates orders could
ask for before the promise existed stay open, so the deploy refuses no order that
would have been taken the day before. The back office then sets each route's real
days, order-by time and lead days, or moves the addresses to other routes."""

import datetime

from django.db import migrations


def assign_routes(apps, schema_editor):
    Route = apps.get_model("fulfillment", "Route")
    ShipToAddress = apps.get_model("partners", "ShipToAddress")
    Warehouse = apps.get_model("inventory", "Warehouse")
    fallback = Warehouse.objects.order_by("priority", "code").first()
    route_of_warehouse = {}
    for address in ShipToAddress.objects.filter(route__isnull=True).select_related("partner"):
        warehouse_id = address.partner.home_warehouse_id or (fallback.id if fallback else None)
        if warehouse_id is None:
            continue
        if warehouse_id not in route_of_warehouse:
            route = Route.objects.filter(warehouse_id=warehouse_id).order_by("code").first()
            if route is None:
                warehouse = Warehouse.objects.get(id=warehouse_id)
                route = Route.objects.create(
                    code=f"{warehouse.code}-ALL",
                    name=f"{warehouse.name}, every day (set by the upgrade)",
                    warehouse_id=warehouse_id,
                    delivery_weekdays=[1, 2, 3, 4, 5, 6, 7],
                    order_by_time=datetime.time(23, 59),
                    lead_days=0,
                )
            route_of_warehouse[warehouse_id] = route.id
        address.route_id = route_of_warehouse[warehouse_id]
        address.save(update_fields=["route"])


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_shiptoaddress_route"),
        ("inventory", "0002_warehouse_timezone"),
    ]

    operations = [migrations.RunPython(assign_routes, migrations.RunPython.noop)]
