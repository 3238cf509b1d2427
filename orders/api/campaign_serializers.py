"""Input and output serializers of the campaign API (docs/DESIGN.md sections 5 and 12).
Inputs are strict (JSON types as sent, no unknown field: 400 naming each); what they
admit goes to the campaign and pre-book services, whose refusals are 409 or 422.
Every field an answer always carries is read-only, so the schema requires it."""

from django.core.validators import MaxLengthValidator, MinLengthValidator
from rest_framework import serializers

from config.api.inputs import JsonBooleanField, JsonStringField, MomentField, StrictInput, WholeNumberField
from config.limits import MAX_WHOLE_NUMBER
from orders.api.catalogue_inputs import MAX_ID, QueryDateField
from orders.campaigns import MAX_CAMPAIGN_PRODUCTS
from orders.models import AllocationRun
from orders.validation import MAX_LINES, MAX_QUANTITY


def bounded_list(child, *, maximum: int, help_text: str) -> serializers.ListSerializer:
    """A list of 1 to `maximum` items; the bounds as validators too, which
    drf-spectacular declares as minItems and maxItems."""
    return serializers.ListSerializer(
        child=child,
        min_length=1,
        max_length=maximum,
        validators=[MinLengthValidator(1), MaxLengthValidator(maximum)],
        help_text=help_text,
    )


class CampaignProductInput(StrictInput):
    sku = JsonStringField(min_length=1, max_length=40, help_text="A SKU of the catalogue, e.g. RO-NAOMI-50.")
    cap_per_partner = WholeNumberField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_WHOLE_NUMBER,
        help_text="The most one partner's open pre-books may ask for, in units; null or absent: no cap.",
    )


class CampaignInput(StrictInput):
    """The body of PUT /api/v1/campaigns/{code}/: the whole campaign, as it is to be."""

    name = JsonStringField(min_length=1, max_length=200)
    delivery_date = QueryDateField(
        help_text="The one delivery date, YYYY-MM-DD: today or later, and a delivery day of at least one route."
    )
    opens_at = MomentField(help_text="Pre-books are taken from this moment (RFC 3339, with its offset).")
    closes_at = MomentField(
        help_text="Pre-books can be placed, changed or withdrawn until this moment; after opens_at."
    )
    products = bounded_list(
        CampaignProductInput(),
        maximum=MAX_CAMPAIGN_PRODUCTS,
        help_text="Each SKU once. A product left out is no longer the campaign's.",
    )


class PrebookLineInput(StrictInput):
    sku = JsonStringField(min_length=1, help_text="One of the campaign's SKUs.")
    quantity = WholeNumberField(
        min_value=1, max_value=MAX_QUANTITY, help_text="Units: whole case packs, at least the product's minimum."
    )


class PrebookChangeInput(StrictInput):
    """The body of PUT .../prebooks/{id}/: the pre-book's lines as they are to be."""

    ship_to = WholeNumberField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="One of the partner's address ids; null or absent: the address it has (a new pre-book: the "
        "partner's default).",
    )
    lines = bounded_list(PrebookLineInput(), maximum=MAX_LINES, help_text="Each SKU once.")


class PrebookInput(PrebookChangeInput):
    """The body of POST .../prebooks/."""

    partner = JsonStringField(
        required=False, min_length=1, help_text="Staff tokens only (and required for them): the partner's code."
    )


class AllocationRunInput(StrictInput):
    dry_run = JsonBooleanField(
        help_text="true: show what the run would give and change nothing; false: commit it and make the orders."
    )


class CampaignProductOutput(serializers.Serializer):
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    case_pack = serializers.IntegerField(read_only=True, help_text="Quantities are whole multiples of it.")
    min_order_qty = serializers.IntegerField(read_only=True, help_text="The least a line may ask for.")
    cap_per_partner = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The most one partner's open pre-books may ask for; null: no cap."
    )
    list_price = serializers.DecimalField(read_only=True, max_digits=10, decimal_places=2)
    price = serializers.DecimalField(
        read_only=True,
        max_digits=10,
        decimal_places=2,
        help_text="The partner's unit price for one case (list price for staff naming no partner).",
    )
    cap_left = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="What the partner's open pre-books leave of the cap; null without a cap or a partner.",
    )


class CampaignOutput(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    delivery_date = serializers.DateField(read_only=True)
    opens_at = serializers.DateTimeField(read_only=True)
    closes_at = serializers.DateTimeField(read_only=True)
    prebooks_open = serializers.BooleanField(
        read_only=True, help_text="Whether pre-books can be placed, changed and withdrawn now."
    )
    allocated = serializers.BooleanField(
        read_only=True,
        help_text="Whether a run has been committed: pre-books are then closed, and what is left sells for the "
        "date through orders.",
    )
    allocated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the first run was committed."
    )
    prebook_url = serializers.CharField(read_only=True, help_text="The campaign's page in the portal.")
    products = CampaignProductOutput(many=True, read_only=True)


class PrebookLineOutput(serializers.Serializer):
    sku = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True, help_text="Requested.")
    allocated = serializers.IntegerField(
        read_only=True, help_text="Allocated so far, over every committed run, on orders not cancelled."
    )
    forfeited = serializers.IntegerField(
        read_only=True,
        help_text="Allocated on orders since cancelled (a declined card, a cancel): back to stock and the next "
        "in line, not waitlisted again.",
    )
    waitlisted = serializers.IntegerField(
        read_only=True, help_text="What still waits once a run has been committed (0 before)."
    )
    waitlist_position = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        min_value=1,
        help_text="The line's place among the lines waiting for this product, 1 being next; null when none waits.",
    )


class PrebookOutput(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    campaign = serializers.CharField(read_only=True, help_text="The campaign's code.")
    partner = serializers.CharField(read_only=True, help_text="The partner's code.")
    ship_to = serializers.IntegerField(read_only=True, help_text="The address's id.")
    placed_at = serializers.DateTimeField(
        read_only=True, help_text="The pre-book's place in line: earlier is served first (a change keeps it)."
    )
    withdrawn_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Null in reads (open pre-books only); set when a key's replay answers a pre-book since withdrawn.",
    )
    lines = PrebookLineOutput(many=True, read_only=True)


class AllocationLineOutput(serializers.Serializer):
    prebook = serializers.IntegerField(read_only=True, help_text="The pre-book's id.")
    partner = serializers.CharField(read_only=True, help_text="The partner's code.")
    ship_to = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(read_only=True)
    requested = serializers.IntegerField(read_only=True)
    granted = serializers.IntegerField(read_only=True, help_text="What this run gives the line.")
    allocated = serializers.IntegerField(
        read_only=True, help_text="Allocated over every run so far, this one included (dry: as it would be)."
    )
    waitlisted = serializers.IntegerField(read_only=True, help_text="What still waits after the run.")
    waitlist_position = serializers.IntegerField(
        read_only=True, allow_null=True, min_value=1, help_text="1 is next in line; null when nothing waits."
    )


class AllocationOutput(serializers.Serializer):
    run = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The committed run's number; null for a dry run, and for a commit that found nothing to serve.",
    )
    dry_run = serializers.BooleanField(read_only=True)
    kind = serializers.ChoiceField(
        AllocationRun.Kind.choices,
        read_only=True,
        help_text="fair_share: the first run (tiers, pro rata); waitlist: a later one (pre-book order).",
    )
    lines = AllocationLineOutput(many=True, read_only=True, help_text="Every open pre-book line, in pre-book order.")
    orders = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The numbers of the orders the run made."
    )
