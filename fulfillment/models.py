"""Delivery routes and their calendar (the delivery promise, fulfillment/promise.py),
and shipments, one per order and warehouse, made from the order's reservations."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

ISO_WEEKDAYS = range(1, 8)
MAX_LEAD_DAYS = 14


class Route(models.Model):
    """A delivery route: the days a warehouse's trucks deliver on, and until when
    (`order_by_time` in the warehouse's zone, `lead_days` before the delivery date) an
    order can still make one."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="routes")
    delivery_weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        help_text="ISO weekdays the route delivers on: 1 is Monday, 7 Sunday.",
    )
    order_by_time = models.TimeField(help_text="Wall-clock time in the warehouse's time zone.")
    lead_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(MAX_LEAD_DAYS)],
        help_text="How many days before the delivery date the order-by time falls (1: order today for tomorrow).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery_weekdays__contained_by=list(ISO_WEEKDAYS)), name="route_weekdays_iso"
            ),
            models.CheckConstraint(condition=Q(lead_days__lte=MAX_LEAD_DAYS), name="route_lead_days_bounded"),
        ]

    def __str__(self):
        return self.code


class RouteException(models.Model):
    """One date that differs from the route's week: no delivery (a holiday), or a
    delivery on a day the route normally skips; either may carry its own order-by time."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    delivers = models.BooleanField(help_text="Off: a holiday. On: a delivery that day, even on a day the route skips.")
    order_by_time = models.TimeField(
        null=True, blank=True, help_text="This date's own order-by time; empty: the route's."
    )
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["route_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["route", "date"], name="route_exception_unique_date"),
        ]

    def __str__(self):
        return f"{self.route_id} {self.date} {'delivers' if self.delivers else 'holiday'}"


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
    # The lot reserved, which dispatch commits: the warehouse picks from it. A line
    # split over lots is one shipment line per lot.
    lot = models.CharField(max_length=40, blank=True, default="", db_default="")
    quantity = models.PositiveIntegerField()
    reservation_id = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x product {self.product_id}"
