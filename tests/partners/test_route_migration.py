"""partners/migrations/0006_ship_tos_get_a_route.py gives every existing ship-to a route
of its partner's home warehouse, making one that keeps every date open where the
warehouse had none, and leaves an address that has a route alone."""

import datetime
import importlib

import pytest
from django.apps import apps

from fulfillment.factories import RouteFactory
from fulfillment.models import Route
from inventory.models import Warehouse
from partners.factories import PartnerFactory, ShipToAddressFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("partners.migrations.0006_ship_tos_get_a_route")


def routeless_address(partner, label):
    return ShipToAddressFactory(partner=partner, label=label, route=None)


def test_a_warehouse_without_a_route_gets_one_open_every_day_and_its_partners_addresses_take_it():
    bare = Warehouse.objects.create(code="UTR", name="Utrecht", priority=5)  # no route, as before the upgrade
    shop = routeless_address(PartnerFactory(home_warehouse=bare), "Shop")
    stall = routeless_address(shop.partner, "Stall")

    migration.assign_routes(apps, None)

    made = Route.objects.get(warehouse=bare)
    assert (made.code, made.delivery_weekdays, made.order_by_time, made.lead_days) == (
        "UTR-ALL",
        [1, 2, 3, 4, 5, 6, 7],
        datetime.time(23, 59),
        0,
    )
    for address in (shop, stall):
        address.refresh_from_db()
        assert address.route == made


def test_an_address_takes_the_first_route_of_its_home_warehouse_and_one_with_a_route_keeps_it(warehouses):
    RouteFactory(code="AMS-NL", warehouse=warehouses["AMS"])
    partner = PartnerFactory(home_warehouse=warehouses["AMS"])
    routeless = routeless_address(partner, "Shop")
    kept = ShipToAddressFactory(partner=partner, label="Stall", route=RouteFactory(warehouse=warehouses["RTM"]))

    migration.assign_routes(apps, None)

    routeless.refresh_from_db()
    kept.refresh_from_db()
    assert routeless.route.code == "AMS-ALL"  # before AMS-NL by code
    assert kept.route.code == "RTM-ALL"


def test_a_partner_without_a_home_warehouse_is_served_from_the_first_warehouse_by_priority(warehouses):
    address = routeless_address(PartnerFactory(home_warehouse=None), "Shop")

    migration.assign_routes(apps, None)

    address.refresh_from_db()
    assert address.route.warehouse.code == "AMS"
