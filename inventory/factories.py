import factory
from factory.django import DjangoModelFactory

from inventory.models import Product, Reservation, Stock, StockMovement, Warehouse


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"W{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    priority = factory.Sequence(lambda n: n + 1)
    is_open = True
    # Named by path: routes live in fulfillment, which this app must not import.
    route = factory.RelatedFactory("fulfillment.factories.RouteFactory", factory_related_name="warehouse")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Red rose {n}")
    category = "roses"
    unit = "stem"
    case_pack = 10
    min_order_qty = 0
    list_price = factory.Faker("pydecimal", left_digits=2, right_digits=2, positive=True, min_value=1, max_value=50)
    active = True


class StockFactory(DjangoModelFactory):
    """A stock row with its opening ledger movement, so the ledger sums stay true."""

    class Meta:
        model = Stock
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    lot = ""
    available_from = None
    expires_on = None
    on_hand = 100
    reserved = 0
    version = 1

    @factory.post_generation
    def ledger(obj, create, extracted, **kwargs):
        if create and (obj.on_hand or obj.reserved):
            StockMovement.objects.create(
                product=obj.product,
                warehouse=obj.warehouse,
                lot=obj.lot,
                kind=StockMovement.Kind.RECEIPT,
                on_hand_delta=obj.on_hand,
                reserved_delta=obj.reserved,
                actor="factory",
            )


class ReservationFactory(DjangoModelFactory):
    class Meta:
        model = Reservation

    order_id = factory.Sequence(lambda n: n + 1)
    order_line_id = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = 10


class StockMovementFactory(DjangoModelFactory):
    class Meta:
        model = StockMovement

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    kind = StockMovement.Kind.RECEIPT
    on_hand_delta = 0
    reserved_delta = 0
