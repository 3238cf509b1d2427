import datetime

import factory
from factory.django import DjangoModelFactory

from fulfillment.models import Route, RouteException, Shipment, ShipmentLine
from inventory.factories import ProductFactory, WarehouseFactory


class ShipmentFactory(DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory("orders.factories.OrderFactory")
    warehouse = factory.SubFactory(WarehouseFactory)


class ShipmentLineFactory(DjangoModelFactory):
    class Meta:
        model = ShipmentLine

    shipment = factory.SubFactory(ShipmentFactory)
    order_line = factory.SubFactory(
        "orders.factories.OrderLineFactory", order=factory.SelfAttribute("..shipment.order")
    )
    product = factory.SubFactory(ProductFactory)
    quantity = 10
    reservation_id = factory.Sequence(lambda n: n + 1)


class RouteFactory(DjangoModelFactory):
    """A route that delivers every day, ordered for until 23:59:59 the same day: the one
    every test warehouse gets (`<code>-ALL`, as the upgrade makes them), so that a test
    not about the calendar can ask for any date from today on."""

    class Meta:
        model = Route
        django_get_or_create = ("code",)

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.LazyAttribute(lambda o: f"{o.warehouse.code}-ALL")
    name = factory.LazyAttribute(lambda o: f"{o.warehouse.code} every day")
    delivery_weekdays = [1, 2, 3, 4, 5, 6, 7]
    order_by_time = datetime.time(23, 59, 59)
    lead_days = 0


class RouteExceptionFactory(DjangoModelFactory):
    class Meta:
        model = RouteException

    route = factory.SubFactory(RouteFactory)
    date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=7))
    delivers = False
    order_by_time = None
