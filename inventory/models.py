"""Products, warehouses, stock in lots (per product, warehouse and lot code),
reservations and the stock movement ledger. This app knows no other app: orders are referred to by id only."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

DEFAULT_TIME_ZONE = "Europe/Amsterdam"
# A freshness rule asks for at most a year of life left at delivery.
MAX_DAYS_AT_DELIVERY = 365


def validate_time_zone(name: str) -> None:
    """Refuse a name that is not an IANA time zone this machine knows."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder: IsADirectoryError
        raise ValidationError(f"{name!r} is not an IANA time zone (such as Europe/Amsterdam).") from None


class Warehouse(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    # Lower serves first, after a partner's home warehouse.
    priority = models.PositiveSmallIntegerField(default=10)
    is_open = models.BooleanField(default=True)
    # The zone its routes' order-by times are wall-clock times in.
    timezone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        # In the database too: code still running during a deploy inserts warehouses without it.
        db_default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="IANA time zone of the routes' order-by times, such as Europe/London.",
    )

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self):
        return self.code


class Product(models.Model):
    sku = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=40, db_index=True)
    unit = models.CharField(max_length=20, default="stem")
    case_pack = models.PositiveIntegerField(default=1, help_text="Orders come in multiples of this.")
    min_order_qty = models.PositiveIntegerField(default=0, help_text="0 means no minimum beyond one case.")
    list_price = models.DecimalField(max_digits=10, decimal_places=2)
    active = models.BooleanField(default=True)
    # The days of life a lot must have left at delivery for a partner without a rule
    # of its own (docs/DESIGN.md section 11). Empty: none.
    min_days_at_delivery = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DAYS_AT_DELIVERY)],
        help_text="Days of vase life a lot must have left on the delivery date, for partners without a rule of "
        "their own. Empty: no requirement.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(case_pack__gt=0), name="product_case_pack_positive"),
            models.CheckConstraint(condition=Q(min_order_qty__gte=0), name="product_min_order_qty_not_negative"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"


NO_LOT = ""
# What a lot shows wherever lots are listed (the stock API, the stock admin, the
# stock export), after its SKU and warehouse.
LOT_COLUMNS = ["lot", "available_from", "expires_on", "on_hand", "reserved", "available", "version"]


class Stock(models.Model):
    """One lot: what a warehouse holds of a product under one lot code (the grower's
    or the auction's batch reference; stock without one is lot ""). `on_hand` is set
    by the ERP and by dispatches; `reserved` is ours alone. `version` grows with every
    change of `on_hand` or of the dates, so writers that do not lock can detect that
    someone wrote first; reservations do not bump it, so a busy SKU does not starve
    the ERP's sync. `available_from` is the first delivery date the lot can serve
    (empty: now) and `expires_on` the last day it is fit to sell, inclusive (empty: it
    does not perish): inventory.freshness judges them."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    # db_default: code still running during a deploy inserts rows without a lot.
    lot = models.CharField(max_length=40, blank=True, default=NO_LOT, db_default=NO_LOT)
    available_from = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "warehouse_id", "lot"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse", "lot"], name="stock_unique_product_warehouse_lot"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("reserved")), name="stock_reserved_within_on_hand"),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gte=F("available_from")),
                name="stock_lot_expires_after_available",
            ),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def __str__(self):
        lot = f" lot {self.lot}" if self.lot else ""
        return f"{self.product.sku}@{self.warehouse.code}{lot}"


class Reservation(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        RELEASED = "released"
        COMMITTED = "committed"

    order_id = models.BigIntegerField(db_index=True)
    order_line_id = models.BigIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40, blank=True, default=NO_LOT, db_default=NO_LOT)
    # What the lot was judged fit for, so a change of the lot's dates can be checked
    # against the reservations it holds without asking the orders app.
    delivery_date = models.DateField(null=True, blank=True)
    min_days_at_delivery = models.PositiveSmallIntegerField(default=0, db_default=0)
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_positive"),
        ]

    def __str__(self):
        lot = f" lot {self.lot}" if self.lot else ""
        return f"order {self.order_id}: {self.quantity} x {self.product_id} @ {self.warehouse_id}{lot} ({self.status})"


class StockMovement(models.Model):
    """The ledger: every change of a lot writes one movement in the same transaction,
    so summing the movements of a (product, warehouse, lot) gives the lot."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "goods received"
        SYNC = "sync", "set by ERP or back office"
        RESERVE = "reserve", "reserved for an order"
        RELEASE = "release", "reservation released"
        DISPATCH = "dispatch", "dispatched"
        EXPIRY = "expiry", "written off when it expired"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=40, blank=True, default=NO_LOT, db_default=NO_LOT)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["product", "warehouse", "lot"], name="movement_product_warehouse_lot"),
            # The waste report reads write-offs by date; they are a sliver of the ledger.
            models.Index(fields=["created_at"], condition=Q(kind="expiry"), name="movement_expiry_created"),
        ]
        # The waste report sums the EXPIRY movements in money: for those who buy and
        # plan stock, who need not see the whole ledger (inventory.waste).
        permissions = [("view_waste_report", "Can see the waste report (what expired unsold)")]

    def __str__(self):
        return f"{self.kind} {self.on_hand_delta:+}/{self.reserved_delta:+}"
