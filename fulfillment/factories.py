import factory
from factory.django import DjangoModelFactory

from fulfillment.models import Shipment, ShipmentLine
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
