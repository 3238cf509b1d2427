"""Dispatch: the warehouse confirms a shipment left; the order is SHIPPED once all
its shipments are out, and each reservation becomes a stock decrement."""

import logging

from django.db import transaction

from fulfillment import services as fulfillment
from fulfillment.exceptions import ShipmentNotFoundError
from fulfillment.models import Shipment
from inventory.stock import commit_reservations
from orders.exceptions import NotDispatchableError, OrderError
from orders.models import OrderStatus
from orders.transitions import lock_order, transition

logger = logging.getLogger("bouquet.orders")


def confirm_dispatch(*, shipment_id: int, tracking_number: str, actor: str) -> Shipment:
    """Mark the shipment dispatched, turn its reservations into stock decrements, and
    move the order to SHIPPED once all its shipments are out. A repeat is a no-op."""
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise OrderError("tracking_number is required to confirm a dispatch.", code="tracking_number_required")
    order_id = Shipment.objects.filter(id=shipment_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise ShipmentNotFoundError(f"Shipment {shipment_id} does not exist.")
    with transaction.atomic():
        order = lock_order(order_id)
        shipment = fulfillment.lock_shipment(shipment_id=shipment_id)
        if shipment.status == Shipment.Status.DISPATCHED:
            return shipment
        if order.status != OrderStatus.CONFIRMED:
            raise NotDispatchableError(f"Order {order.number} is {order.status}; only CONFIRMED orders are dispatched.")
        reservation_ids = fulfillment.mark_dispatched(shipment=shipment, tracking_number=tracking_number)
        commit_reservations(
            reservation_ids=reservation_ids, actor=actor, note=f"shipment {shipment.id} of {order.number}"
        )
        if fulfillment.all_dispatched(order_id=order.id):
            transition(order, OrderStatus.SHIPPED, actor=actor, detail=f"last shipment {shipment.id} dispatched")
    logger.info("shipment dispatched", extra={"order": order.number, "shipment": shipment.id, "actor": actor})
    return shipment
