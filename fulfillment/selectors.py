"""Reads of shipments for the warehouse systems: each with its order number,
warehouse and lines, in a fixed number of queries however many are listed."""

from django.db.models import Prefetch, QuerySet

from fulfillment.exceptions import ShipmentNotFoundError
from fulfillment.models import Shipment, ShipmentLine


def _shipments() -> QuerySet[Shipment]:
    return Shipment.objects.select_related("order", "warehouse").prefetch_related(
        Prefetch("lines", queryset=ShipmentLine.objects.select_related("product").order_by("id"))
    )


def list_shipments(*, warehouse=None, status: str | None = None) -> QuerySet[Shipment]:
    """Return shipments oldest first, only the warehouse's and in the status when
    given."""
    shipments = _shipments().order_by("id")
    if warehouse is not None:
        shipments = shipments.filter(warehouse=warehouse)
    if status:
        shipments = shipments.filter(status=status)
    return shipments


def get_shipment(*, shipment_id: int) -> Shipment:
    """Return the shipment with its order, warehouse and lines; raise
    ShipmentNotFoundError naming the id when there is none."""
    shipment = _shipments().filter(id=shipment_id).first()
    if shipment is None:
        raise ShipmentNotFoundError(f"Shipment {shipment_id} does not exist.")
    return shipment
