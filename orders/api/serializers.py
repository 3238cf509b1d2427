"""Input and output serializers for orders and events. Every field an answer always
carries is read-only, which the schema makes required, and every nested object is a
serializer of its own, so a generated client types them all. Intake's answer is the
intake snapshot (orders.intake_answer.order_snapshot), which AcceptedOrderOutput describes:
the hot path needs no serializer."""

from django.core.validators import MaxLengthValidator, MinLengthValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import JsonStringField, StrictInput, WholeNumberField
from config.api.schema import ErrorOutput
from fulfillment.promise import REASONS
from orders.intake_answer import delivery_snapshot
from orders.models import Order, OrderEvent, OrderLine, OrderStatus
from orders.validation import MAX_LINES, MAX_PO_LENGTH, MAX_QUANTITY
from payments.models import Payment


class OrderLineOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="product_name", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["line_no", "sku", "name", "quantity", "unit_price", "line_total"]
        read_only_fields = fields


class OrderEventOutput(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["id", "from_status", "to_status", "reason", "detail", "actor", "created_at"]
        read_only_fields = fields


class FeedEventOutput(OrderEventOutput):
    order = serializers.CharField(source="order.number", read_only=True, help_text="The order's number.")

    class Meta(OrderEventOutput.Meta):
        fields = ["id", "order", *OrderEventOutput.Meta.fields[1:]]
        read_only_fields = fields


class EventPageOutput(serializers.Serializer):
    results = FeedEventOutput(many=True, read_only=True)
    next_after = serializers.IntegerField(
        read_only=True,
        min_value=0,
        help_text="Pass it as `after` for the next page (the last event's id; `after` again when the page is empty).",
    )
    has_more = serializers.BooleanField(read_only=True, help_text="A full page: ask again at once.")


class ShipmentLineOutput(serializers.Serializer):
    sku = serializers.CharField(source="order_line.sku", read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class ShipmentSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    status = serializers.CharField(read_only=True)
    tracking_number = serializers.CharField(read_only=True)
    dispatched_at = serializers.DateTimeField(read_only=True, allow_null=True)
    lines = ShipmentLineOutput(many=True, read_only=True)


class ShipToOutput(serializers.Serializer):
    """The address an order ships to, the same in intake's answer and the detail."""

    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)
    line1 = serializers.CharField(read_only=True)
    postcode = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2.")


class PaymentOutput(serializers.Serializer):
    method = serializers.ChoiceField(Payment.Method.choices, read_only=True)
    status = serializers.ChoiceField(Payment.Status.choices, read_only=True)


ORDER_BY_HELP = (
    "Until when the order could be placed for its date (the order-by moment it was accepted under): ISO 8601 on "
    "the route's warehouse clock, with its UTC offset (2027-02-12T14:00:00+01:00). Null on orders placed before "
    "the delivery promise."
)


@extend_schema_field({"type": "string", "format": "date-time", "example": "2027-02-12T14:00:00+01:00"})
class OffsetMomentField(serializers.Field):
    """A moment already rendered with its offset (orders.intake_answer.delivery_snapshot):
    shown as it is, never moved to UTC as the API's other moments are."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


class DeliveryFieldsMixin(serializers.Serializer):
    """An order's `route` and `order_by`, read through delivery_snapshot from the order's
    route and warehouse, which the selectors join (no query a row)."""

    route = serializers.SerializerMethodField(help_text="The code of the route delivering it; null before the promise.")
    order_by = serializers.SerializerMethodField(help_text=ORDER_BY_HELP)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_route(self, order) -> str | None:
        return delivery_snapshot(order)["route"]

    @extend_schema_field(OffsetMomentField(allow_null=True))
    def get_order_by(self, order) -> str | None:
        return delivery_snapshot(order)["order_by"]


class OrderSummaryOutput(DeliveryFieldsMixin, serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "partner",
            "status",
            "po_number",
            "requested_delivery_date",
            "route",
            "order_by",
            "currency",
            "total",
            "hold",
            "cancel_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderDetailOutput(OrderSummaryOutput):
    ship_to = ShipToOutput(read_only=True, allow_null=True, help_text="Null when the partner has no address.")
    lines = OrderLineOutput(many=True, read_only=True)
    shipments = ShipmentSummaryOutput(many=True, read_only=True)
    events = OrderEventOutput(many=True, read_only=True)
    payment = PaymentOutput(read_only=True, allow_null=True, help_text="Null until the order is paid for.")

    class Meta(OrderSummaryOutput.Meta):
        fields = [
            *OrderSummaryOutput.Meta.fields,
            "cancel_detail",
            "ship_to",
            "lines",
            "shipments",
            "events",
            "payment",
        ]
        read_only_fields = fields


class AcceptedOrderOutput(serializers.Serializer):
    """An order as intake accepts it (and as a replay of its key answers it again)."""

    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(OrderStatus.choices, read_only=True, help_text="CREATED.")
    partner = serializers.CharField(read_only=True)
    po_number = serializers.CharField(read_only=True)
    requested_delivery_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The delivery date: the one asked for, else the earliest option."
    )
    ship_to = ShipToOutput(read_only=True, allow_null=True, help_text="Null when the partner has no address.")
    route = serializers.CharField(read_only=True, allow_null=True, help_text="The code of the route delivering it.")
    order_by = OffsetMomentField(allow_null=True, help_text=ORDER_BY_HELP)
    currency = serializers.CharField(read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    lines = OrderLineOutput(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class OrderRefusedOutput(ErrorOutput):
    """A refused order. For delivery_date_unavailable (the date the only problem) the
    date's particulars are at the top as well as in `errors`."""

    field = serializers.CharField(required=False, help_text="requested_delivery_date.")
    date = serializers.DateField(required=False, allow_null=True, help_text="The date refused.")
    reason = serializers.ChoiceField(
        REASONS, required=False, help_text="no_delivery_day, holiday, cutoff_passed or too_far_ahead."
    )
    next_available = serializers.DateField(
        required=False, allow_null=True, help_text="The first date that is an option (null: none within a year)."
    )


class NotCancellableOutput(ErrorOutput):
    status = serializers.ChoiceField(OrderStatus.choices, read_only=True, help_text="The order's status now.")


class PlaceOrderLineInput(StrictInput):
    """One line of an order: a SKU once, and how many."""

    sku = JsonStringField(min_length=1, help_text="A SKU of the catalogue, e.g. RO-NAOMI-50.")
    quantity = WholeNumberField(
        min_value=1, max_value=MAX_QUANTITY, help_text="Stems or pieces: whole cases, at least the minimum."
    )


class PlaceOrderInput(StrictInput):
    """The body of POST /api/v1/orders/. orders.api.order_body holds these rules with
    400 (intake is the hot path, so the view reads the body by hand)."""

    partner = JsonStringField(
        required=False, min_length=1, help_text="Staff tokens only (and required for them): the partner's code."
    )
    po_number = JsonStringField(required=False, allow_blank=True, max_length=MAX_PO_LENGTH)
    requested_delivery_date = serializers.DateField(
        required=False, allow_null=True, help_text="Today or later; null or absent: none asked for."
    )
    ship_to = WholeNumberField(
        required=False, allow_null=True, help_text="One of the partner's address ids; null or absent: its default."
    )
    # The bounds as validators too: drf-spectacular declares minItems and maxItems from those.
    lines = serializers.ListSerializer(
        child=PlaceOrderLineInput(),
        min_length=1,
        max_length=MAX_LINES,
        validators=[MinLengthValidator(1), MaxLengthValidator(MAX_LINES)],
        help_text="Each SKU once.",
    )


class CancelOrderInput(StrictInput):
    """The optional body of a cancel: why, in the client's words."""

    # Not trimmed, so that maxLength counts what the client sent; the view trims.
    reason = JsonStringField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)


class DeliveryOptionOutput(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    order_by = OffsetMomentField(
        help_text="Until when an order gets this date: ISO 8601 on the warehouse's clock, with its UTC offset.",
    )


class ExcludedDateOutput(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    reason = serializers.ChoiceField(
        REASONS, read_only=True, help_text="no_delivery_day, holiday or cutoff_passed (its order-by moment is past)."
    )


class DeliveryOptionsOutput(serializers.Serializer):
    """The delivery promise for one address (docs/DESIGN.md section 10)."""

    ship_to = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The address's id; null for a partner without one."
    )
    route = serializers.CharField(read_only=True, help_text="The code of the route serving it.")
    timezone = serializers.CharField(read_only=True, help_text="The route's warehouse's IANA zone.")
    options = DeliveryOptionOutput(many=True, read_only=True, help_text="The dates an order can get, earliest first.")
    excluded = ExcludedDateOutput(many=True, read_only=True, help_text="The other dates of the span, with why.")
