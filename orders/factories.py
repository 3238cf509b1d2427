from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from inventory.factories import ProductFactory
from orders.models import DeadLetter, IdempotencyRecord, Order, OrderEvent, OrderLine, OrderStatus
from partners.factories import PartnerFactory


class OrderFactory(DjangoModelFactory):
    """A bare order row; journey tests place orders through `place_order` instead."""

    class Meta:
        model = Order

    partner = factory.SubFactory(PartnerFactory)
    status = OrderStatus.CREATED
    total = Decimal("0.00")


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    sku = factory.LazyAttribute(lambda o: o.product.sku)
    product_name = factory.LazyAttribute(lambda o: o.product.name)
    quantity = 10
    unit_price = Decimal("1.00")
    line_total = factory.LazyAttribute(lambda o: o.unit_price * o.quantity)


class OrderEventFactory(DjangoModelFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    partner = factory.LazyAttribute(lambda o: o.order.partner)
    from_status = ""
    to_status = OrderStatus.CREATED


class IdempotencyRecordFactory(DjangoModelFactory):
    class Meta:
        model = IdempotencyRecord

    partner = factory.SubFactory(PartnerFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    fingerprint = "0" * 64


class DeadLetterFactory(DjangoModelFactory):
    class Meta:
        model = DeadLetter

    task = "journey.pay"
    order = factory.SubFactory(OrderFactory)
    error = "RuntimeError: boom"
    attempts = 6
