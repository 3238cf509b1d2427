"""Shipments as the warehouse systems see them, and the dispatch confirmation."""

from rest_framework import serializers

from config.api.inputs import JsonStringField, StrictInput
from fulfillment.models import Shipment
from inventory.api.serializers import WarehouseFilterInput


class ShipmentFilterInput(WarehouseFilterInput):
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=Shipment.Status.choices)


class ShipmentItemOutput(serializers.Serializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    lot = serializers.CharField(
        read_only=True,
        help_text='The lot to pick, as reserved and as dispatch commits it ("": stock without a lot code). '
        "A line split over lots comes as one item per lot.",
    )
    quantity = serializers.IntegerField(read_only=True)


class ShipmentOutput(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", read_only=True, help_text="The order's number.")
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    # A plain string: a `status` enum here would collide with the order's `status`
    # enum in the schema's component names (see ENUM_NAME_OVERRIDES).
    status = serializers.CharField(read_only=True, help_text="pending (waiting for dispatch) or dispatched.")
    lines = ShipmentItemOutput(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "order", "warehouse", "status", "tracking_number", "dispatched_at", "created_at", "lines"]
        read_only_fields = fields


class DispatchInput(StrictInput):
    tracking_number = JsonStringField(
        min_length=1,
        max_length=Shipment._meta.get_field("tracking_number").max_length,
        help_text="The carrier's tracking number.",
    )
