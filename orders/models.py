"""Orders and their lines (prices fixed at intake), the event log, idempotency records.

`Order.status` changes only through `orders.transitions.transition`."""

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now


class OrderStatus(models.TextChoices):
    CREATED = "CREATED"
    INVENTORY_RESERVED = "INVENTORY_RESERVED"
    PAYMENT_PENDING = "PAYMENT_PENDING"
    PAID = "PAID"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"


FINAL_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED})


class NextOrderNumber(models.Func):
    """The database numbers orders from a sequence, so the insert itself returns the
    number: no extra round trip, no gaps filled twice."""

    template = "'BQ-' || lpad(nextval('orders_order_number_seq')::text, 8, '0')"
    output_field = models.CharField()

    def __init__(self):
        super().__init__()


class CurrentTransactionId(models.Func):
    """The id of the writing transaction: the event feed orders by it so that an event
    committed late is never behind a reader's cursor (see orders.selectors)."""

    template = "pg_current_xact_id()::text::bigint"
    output_field = models.BigIntegerField()

    def __init__(self):
        super().__init__()


class Order(models.Model):
    class Source(models.TextChoices):
        API = "api"
        PORTAL = "portal"
        CSV = "csv"
        ADMIN = "admin"
        PREBOOK = "prebook"  # made by a committed campaign allocation run

    class Hold(models.TextChoices):
        NONE = "", "not held"
        CREDIT = "credit", "credit hold"
        DEAD_LETTER = "dead_letter", "dead-lettered"

    number = models.CharField(max_length=20, unique=True, db_default=NextOrderNumber())
    # No index of its own: order_partner_recent and order_open_by_partner lead with it.
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="orders", db_index=False)
    # No index: every query by it is within a partner's orders (order_partner_recent),
    # and an index would take a B-tree write at every step of every order.
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    ship_to = models.ForeignKey(
        "partners.ShipToAddress", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    po_number = models.CharField(max_length=64, blank=True)
    # The delivery date (the one asked for, or the earliest option), the route that
    # promised it and the order-by moment it was accepted under, fixed at intake: a
    # later calendar change moves no accepted order. Empty on orders placed before the
    # delivery promise.
    requested_delivery_date = models.DateField(null=True, blank=True)
    # Neither a foreign key nor an index in the database, for intake's sake: a few
    # routes serve every order, so the key's check would lock the route's row (FOR KEY
    # SHARE) in every intake transaction at once, a multixact on one hot row, and an
    # index of a handful of values is a B-tree insert per order that only the back
    # office's rare route filter and a route's deletion would read (bench/RESULTS.md,
    # 2026-11-30 05:00). PROTECT still keeps the admin and the ORM from deleting a route
    # an order names.
    route = models.ForeignKey(
        "fulfillment.Route",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    order_by = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    cancel_reason = models.CharField(max_length=40, blank=True)
    cancel_detail = models.TextField(blank=True)
    # A held order waits for a person (credit hold, dead letter); steps skip it.
    hold = models.CharField(max_length=20, choices=Hold.choices, blank=True, default="")
    # When the current hold began (null when not held): a credit hold expires after
    # HELD_ORDER_RELEASE_AFTER_HOURS (orders.credit_holds).
    held_since = models.DateTimeField(null=True, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # The journey's bookkeeping: failed attempts of the current step, and when a step
    # may next claim the order (a lease while a worker holds it, a backoff after a
    # failure).
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_default=Now())
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-id"]
        # The back office's order operations, each its own right so that the roles
        # (backoffice/roles.py) can split them: orders are never edited, so
        # change_order grants none of them.
        permissions = [
            ("cancel_order", "Can cancel orders"),
            ("redrive_order", "Can re-drive orders"),
            ("release_credit_hold", "Can release credit holds"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        indexes = [
            # What every journey step claims from: orders waiting at a state.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="order_waiting_at_step",
                condition=Q(hold="") & ~Q(status__in=["SHIPPED", "CANCELLED"]),
            ),
            models.Index(fields=["partner", "-created_at"], name="order_partner_recent"),
            # Intake sums a partner's open orders against its open-order limit
            # (orders.intake): an index-only scan of the open ones.
            models.Index(
                fields=["partner"],
                include=["total"],
                name="order_open_by_partner",
                condition=~Q(status__in=["SHIPPED", "CANCELLED"]),
            ),
            models.Index(fields=["updated_at"], name="order_updated_at"),
            # The sweeper looks every minute for credit holds past their time
            # (orders.credit_holds): the few held orders, not the whole table.
            models.Index(fields=["held_since"], name="order_credit_hold_since", condition=Q(hold="credit")),
        ]

    def __str__(self):
        return self.number

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class OrderLine(models.Model):
    # No index of its own: order_line_unique_no (order, line_no) leads with it.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveSmallIntegerField()
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=40)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["order_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"


class OrderEvent(models.Model):
    """One row per transition (and per note worth keeping), written in the same
    transaction as the change it records. Read in id order, it is the ERP's feed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    # The order's partner, copied by the statement that writes the event, so that a
    # partner's feed reads its own index instead of everyone's events (an index cannot
    # span the join to the order).
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.CharField(max_length=40, blank=True)
    detail = models.TextField(blank=True)
    actor = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    tx_id = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["tx_id", "id"], name="order_event_feed"),
            # A partner's feed: its events in feed order, from the cursor on.
            models.Index(fields=["partner", "tx_id", "id"], name="order_event_partner_feed"),
            # The admin home's peak view reads the last hours' events by minute
            # (backoffice.peak_figures). Events are only ever appended, stamped with
            # their transaction's start, so a block range index finds the recent ones
            # for a few pages of summary, where a B-tree would cost every event's insert.
            BrinIndex(fields=["created_at"], name="order_event_created_brin"),
        ]

    def __str__(self):
        return f"{self.from_status or '-'} -> {self.to_status}"


class IdempotencyRecord(models.Model):
    """The first answer to a partner's Idempotency-Key, kept so a replay gets it again."""

    # No index of its own: idempotency_unique_partner_key (partner, key) leads with it.
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_default=Now(), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_unique_partner_key"),
        ]

    def __str__(self):
        return f"{self.partner_id}:{self.key}"


class Cart(models.Model):
    """A portal user's cart, kept in the database so it survives devices and restarts.
    `idempotency_key` goes into the checkout form and is renewed once an order is
    placed, so a double click or a resubmitted form places one order."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    ship_to = models.ForeignKey(
        "partners.ShipToAddress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    po_number = models.CharField(max_length=64, blank=True)
    requested_delivery_date = models.DateField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"cart of {self.user}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class CsvUpload(models.Model):
    """A CSV file of order lines and what became of it. The file is kept here (not on
    one host's disk) so any worker can process it; its hash recognises a second upload
    of the same file."""

    class Status(models.TextChoices):
        INVALID = "invalid", "rejected: see the report"
        QUEUED = "queued"
        PROCESSING = "processing"
        DONE = "done"
        FAILED = "failed"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", "all rows or none"
        VALID_ROWS = "valid", "only the valid rows"

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="csv_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64)
    content = models.TextField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    orders_created = models.PositiveIntegerField(default=0)
    # The notes on how rows were grouped, and the orders placed.
    report = models.JSONField(default=list, blank=True)
    # The first CSV_REPORT_MAX_PROBLEMS problems in file order, each with its line and
    # reason: capped, so a page of them is read in SQL (uploads/reports.py) without
    # loading a file's worth of problems; the counts below cover them all.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)
    # An all-or-nothing file stops being checked at the line where the cap of problems
    # was reached; the rows after it were not checked.
    stopped_at_line = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_default=Now())
    # Set when a run claims the upload and at each progress flush: an upload left
    # `processing` with an old heartbeat lost its worker, and the sweeper queues it again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # A file is placed once per partner; a rejected one may be uploaded again.
            models.UniqueConstraint(
                fields=["partner", "content_hash"],
                name="csv_upload_placed_once",
                condition=~Q(status__in=["invalid", "failed"]),
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.status})"


class DeadLetter(models.Model):
    """A step that failed its last attempt for an order: the back office retries it or
    marks it handled (orders.dead_letters)."""

    class Status(models.TextChoices):
        OPEN = "open"
        RETRIED = "retried"
        RESOLVED = "resolved"

    task = models.CharField(max_length=100)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="dead_letters")
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(db_default=Now())
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)

    class Meta:
        # Born in `payments`; the table kept its name when the model moved here.
        db_table = "payments_deadletter"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="dead_letter_status")]

    def __str__(self):
        return f"{self.task} ({self.status})"


# The campaign models live in their own module (this one is at its length limit);
# importing them here is what makes them the orders app's models.
from orders.campaign_models import (  # noqa: E402, F401
    Allocation,
    AllocationRun,
    Campaign,
    CampaignProduct,
    Prebook,
    PrebookLine,
)
