"""Output serializers for orders and events. Intake's answer is the intake snapshot
(orders.intake.order_snapshot), so the hot path needs no serializer."""

from rest_framework import serializers

from orders.models import Order, OrderEvent, OrderLine


class OrderLineOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="product_name")

    class Meta:
        model = OrderLine
        fields = ["line_no", "sku", "name", "quantity", "unit_price", "line_total"]


class OrderEventOutput(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["id", "from_status", "to_status", "reason", "detail", "actor", "created_at"]


class FeedEventOutput(OrderEventOutput):
    order = serializers.CharField(source="order.number")

    class Meta(OrderEventOutput.Meta):
        fields = ["id", "order", *OrderEventOutput.Meta.fields[1:]]


class ShipmentLineOutput(serializers.Serializer):
    sku = serializers.CharField(source="order_line.sku")
    quantity = serializers.IntegerField()


class ShipmentSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    warehouse = serializers.CharField(source="warehouse.code")
    status = serializers.CharField()
    tracking_number = serializers.CharField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    lines = ShipmentLineOutput(many=True)


class OrderSummaryOutput(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code")

    class Meta:
        model = Order
        fields = [
            "number",
            "partner",
            "status",
            "po_number",
            "requested_delivery_date",
            "currency",
            "total",
            "hold",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]


class OrderDetailOutput(OrderSummaryOutput):
    ship_to = serializers.SerializerMethodField()
    lines = OrderLineOutput(many=True)
    shipments = ShipmentSummaryOutput(many=True)
    events = OrderEventOutput(many=True)
    payment = serializers.SerializerMethodField()

    class Meta(OrderSummaryOutput.Meta):
        fields = [
            *OrderSummaryOutput.Meta.fields,
            "cancel_detail",
            "ship_to",
            "lines",
            "shipments",
            "events",
            "payment",
        ]

    def get_ship_to(self, order) -> dict | None:
        a = order.ship_to
        return (
            None
            if a is None
            else {
                "id": a.id,
                "label": a.label,
                "line1": a.line1,
                "postcode": a.postcode,
                "city": a.city,
                "country": a.country,
            }
        )

    def get_payment(self, order) -> dict | None:
        payment = getattr(order, "payment", None)
        return None if payment is None else {"method": payment.method, "status": payment.status}


class PlaceOrderLineInput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()


class PlaceOrderInput(serializers.Serializer):
    """Documents the body of POST /api/v1/orders/ (the view parses it by hand: intake
    is the hot path, and the intake service validates every line itself)."""

    partner = serializers.CharField(required=False, help_text="Staff tokens only: the partner's code.")
    po_number = serializers.CharField(required=False, allow_blank=True)
    requested_delivery_date = serializers.DateField(required=False, allow_null=True)
    ship_to = serializers.IntegerField(required=False, allow_null=True)
    lines = PlaceOrderLineInput(many=True)


class CancelOrderInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
