"""Peak campaigns (docs/DESIGN.md section 12): a campaign, its products and caps, the
partners' pre-books and their lines, and each committed allocation run with what it
gave each line and the order it made. Imported by orders.models, so Django finds them
as the orders app's models.

A line's standing is read, never stored: `allocated` sums its allocations whose order
is not cancelled, `forfeited` those whose order was (a declined card, a buyer's
cancel: those units went back to the stock and to whoever is next in line), and what
neither covers waits on the waitlist once the campaign has a committed run."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now


class Campaign(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    delivery_date = models.DateField()
    opens_at = models.DateTimeField(help_text="Pre-books are taken from this moment.")
    closes_at = models.DateTimeField(help_text="Pre-books can be placed, changed or withdrawn until this moment.")
    # Set by the first committed allocation run: from then on the date sells through
    # the usual doors from what is left, and pre-books are closed.
    first_committed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-delivery_date", "code"]
        permissions = [("run_allocation", "Can run and commit campaign allocations")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="campaign_window_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_allocated(self) -> bool:
        return self.first_committed_at is not None


class CampaignProduct(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="products")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    cap_per_partner = models.PositiveIntegerField(
        null=True, blank=True, help_text="The most one partner's open pre-books may ask for. Empty: no cap."
    )

    class Meta:
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "product"], name="campaign_product_once"),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.product_id}"


class Prebook(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="prebooks")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    ship_to = models.ForeignKey("partners.ShipToAddress", on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, default="api")
    # The API's Idempotency-Key and a fingerprint of the body it came with ("" from
    # the portal, whose form carries its own token as the key).
    idempotency_key = models.CharField(max_length=255, blank=True, default="")
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The waitlist's order: earliest pre-book first, then id. A change keeps its place.
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "partner", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="prebook_idempotency_key_once",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "partner"], name="prebook_by_partner")]

    def __str__(self):
        return f"pre-book {self.pk}"


class PrebookLine(models.Model):
    prebook = models.ForeignKey(Prebook, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["prebook_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["prebook", "product"], name="prebook_line_product_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="prebook_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class AllocationRun(models.Model):
    """A committed run: what it saw (`inputs`: supply per product and freshness rule,
    and every line waiting) and what it gave (`result`), enough to replay it."""

    class Kind(models.TextChoices):
        FAIR_SHARE = "fair_share", "fair share (first run)"
        WAITLIST = "waitlist", "waitlist"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    inputs = models.JSONField()
    result = models.JSONField()
    actor = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["campaign_id", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="allocation_run_number_once")]

    def __str__(self):
        return f"{self.campaign_id} run {self.number}"


class Allocation(models.Model):
    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="allocations")
    line = models.ForeignKey(PrebookLine, on_delete=models.PROTECT, related_name="allocations")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="allocation_once_per_run_and_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} to line {self.line_id}"
