"""Shipments as the warehouse systems see them, and the dispatch confirmation."""

from rest_framework import serializers

from config.api.inputs import StrictInput
from fulfillment.models import Shipment
from inventory.api.serializers import WarehouseFilterInput


class ShipmentFilterInput(WarehouseFilterInput):
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=Shipment.Status.choices)


class ShipmentItemOutput(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    quantity = serializers.IntegerField()


class ShipmentOutput(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", help_text="The order's number.")
    warehouse = serializers.CharField(source="warehouse.code")
    # A plain string: a `status` enum here would collide with the order's `status`
    # enum in the schema's component names (see ENUM_NAME_OVERRIDES).
    status = serializers.CharField(help_text="pending (waiting for dispatch) or dispatched.")
    lines = ShipmentItemOutput(many=True)

    class Meta:
        model = Shipment
        fields = ["id", "order", "warehouse", "status", "tracking_number", "dispatched_at", "created_at", "lines"]
        read_only_fields = fields


class DispatchInput(StrictInput):
    tracking_number = serializers.CharField(max_length=100, help_text="The carrier's tracking number.")
