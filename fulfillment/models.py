"""Shipments, one per order and warehouse, made from the order's reservations."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class Shipment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "waiting for dispatch"
        DISPATCHED = "dispatched"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    tracking_number = models.CharField(max_length=100, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "warehouse"], name="shipment_unique_order_warehouse"),
        ]
        indexes = [models.Index(fields=["warehouse", "status"], name="shipment_warehouse_status")]

    def __str__(self):
        return f"{self.order_id}@{self.warehouse_id} {self.status}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    reservation_id = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x product {self.product_id}"
