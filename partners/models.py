"""Partner companies, their users, ship-to addresses, price lists and credit.

Partners refer to inventory's products (price lists) and warehouses (home warehouse);
nothing else outside this app."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from inventory.models import MAX_DAYS_AT_DELIVERY


def default_max_order_value():
    return settings.BOUQUET["PARTNER_MAX_ORDER_VALUE"]


def default_max_open_order_value():
    return settings.BOUQUET["PARTNER_MAX_OPEN_ORDER_VALUE"]


# Every partner's tier until the back office sets another.
DEFAULT_ALLOCATION_PRIORITY = 100


class Partner(models.Model):
    class PaymentMethod(models.TextChoices):
        CARD = "card", "card on file"
        ACCOUNT = "account", "on account"

    class Segment(models.TextChoices):
        FLORIST = "florist"
        GARDEN_CENTRE = "garden_centre", "garden centre"
        SUPERMARKET = "supermarket"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.FLORIST)
    email = models.EmailField(blank=True)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CARD)
    home_warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.SET_NULL, related_name="home_partners"
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_payment_method_id = models.CharField(max_length=255, blank=True)
    # What the portal shows of the card on file, never its number: copied from Stripe
    # when the card is saved (payments.cards_on_file), so showing it asks Stripe nothing;
    # db_default, so that code still running during a deploy inserts partners too.
    card_brand = models.CharField(max_length=20, blank=True, default="", db_default="")
    card_last4 = models.CharField(max_length=4, blank=True, default="", db_default="")
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # Intake refuses an order worth more than max_order_value (`order_too_large`), and
    # one that would take the value of the partner's open orders (not yet shipped or
    # cancelled) past max_open_order_value (`open_orders_limit`): orders.limits. Empty
    # means no limit, which also spares intake summing the open orders.
    max_order_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=default_max_order_value,
        help_text="The most one order may total, in the order currency. Empty: no limit.",
    )
    max_open_order_value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=default_max_open_order_value,
        help_text="The most the partner's orders not yet shipped or cancelled may total together. Empty: no limit.",
    )
    # Days of life a lot must have left on the delivery date (docs/DESIGN.md section
    # 11): a supermarket 7, a florist 3. Empty: each product's default applies.
    min_days_at_delivery = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_DAYS_AT_DELIVERY)],
        help_text="Days of vase life the partner wants left on the delivery date. Empty: each product's default.",
    )
    # Peak campaigns share scarce supply tier by tier (docs/DESIGN.md section 12): a
    # lower number is served first, and partners with the same number share pro rata.
    # db_default, so that code still running during a deploy inserts partners too.
    allocation_priority = models.PositiveSmallIntegerField(
        default=DEFAULT_ALLOCATION_PRIORITY,
        db_default=DEFAULT_ALLOCATION_PRIORITY,
        help_text="Campaign allocation tier: lower is served first; partners in the same tier share pro rata.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_order_value__gte=0), name="partner_max_order_value_not_negative"),
            models.CheckConstraint(
                condition=Q(max_open_order_value__gte=0), name="partner_max_open_order_value_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class CreditAccount(models.Model):
    """The partner's credit row, kept apart from `Partner` so that locking it for a
    credit check does not block order inserts that reference the partner."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, primary_key=True, related_name="credit")
    credit_limit = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # What on-account orders owe, paid or later and not yet settled.
    open_balance = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="credit_limit_not_negative"),
            models.CheckConstraint(condition=Q(open_balance__gte=0), name="credit_open_balance_not_negative"),
        ]

    @property
    def headroom(self):
        return self.credit_limit - self.open_balance

    def __str__(self):
        return f"{self.partner_id}: {self.open_balance} of {self.credit_limit}"


class Membership(models.Model):
    """Ties a user to the partner company they work for."""

    class Role(models.TextChoices):
        BUYER = "buyer"
        ADMIN = "admin"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.BUYER)

    def __str__(self):
        return f"{self.user} at {self.partner.code} ({self.role})"


class ShipToAddress(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="ship_tos")
    label = models.CharField(max_length=100)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default="NL")
    is_default = models.BooleanField(default=False)
    # Named by string: routes live in fulfillment, above this app. Empty only for an
    # address made while older code ran; intake refuses to promise it a date.
    route = models.ForeignKey(
        "fulfillment.Route", null=True, blank=True, on_delete=models.PROTECT, related_name="ship_tos"
    )

    class Meta:
        verbose_name = "ship-to address"
        verbose_name_plural = "ship-to addresses"
        ordering = ["partner_id", "-is_default", "label"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "label"], name="ship_to_unique_label_per_partner"),
        ]

    def __str__(self):
        return f"{self.label}, {self.city}"


class PartnerPrice(models.Model):
    """A partner's price for a product from `min_quantity` units up: several rows for
    one product make quantity breaks."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE, related_name="partner_prices")
    min_quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partner_id", "product_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "product", "min_quantity"], name="price_unique_break"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="price_min_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_not_negative"),
        ]

    def __str__(self):
        return f"{self.partner_id}/{self.product_id} from {self.min_quantity}: {self.unit_price}"


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`). The key itself is never stored:
    only its SHA-256 and its first characters, which are no secret and serve to find
    the row and to tell tokens apart (partners/tokens.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
