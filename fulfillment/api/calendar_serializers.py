"""Input and output serializers for the delivery calendar: routes, their dated
exceptions, and the ship-to addresses they serve. Inputs are strict (config.api.inputs):
JSON types as sent, no unknown field, every bound the schema declares held with 400;
what only the calendar's rules can refuse is fulfillment.routes' to say."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import ClockTimeField, JsonBooleanField, JsonStringField, StrictInput, WholeNumberField
from fulfillment.models import ISO_WEEKDAYS, MAX_LEAD_DAYS, Route, RouteException
from fulfillment.routes import ROUTE_CODE_LENGTH
from fulfillment.selectors import upcoming_exceptions
from inventory.models import Warehouse
from partners.models import Partner, ShipToAddress

WEEKDAY = {"type": "integer", "minimum": ISO_WEEKDAYS[0], "maximum": ISO_WEEKDAYS[-1]}


@extend_schema_field(
    {
        "type": "array",
        "items": WEEKDAY,
        "maxItems": len(ISO_WEEKDAYS),
        "uniqueItems": True,
        "description": "ISO weekdays the route delivers on, each once: 1 is Monday, 7 Sunday. Empty: only on "
        "the dates its exceptions add.",
        "example": [1, 2, 3, 4, 5, 6],
    }
)
class WeekdaysField(serializers.ListField):
    """ISO weekdays, each a JSON integer from 1 to 7, none twice."""

    child = WholeNumberField(min_value=ISO_WEEKDAYS[0], max_value=ISO_WEEKDAYS[-1])
    default_error_messages = {"duplicate": "delivery_weekdays names a weekday twice."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", len(ISO_WEEKDAYS))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        if len(set(days)) != len(days):
            self.fail("duplicate")
        return sorted(days)


class RouteExceptionOutput(serializers.ModelSerializer):
    order_by_time = ClockTimeField(
        read_only=True, allow_null=True, help_text="This date's own order-by time; null: the route's."
    )

    class Meta:
        model = RouteException
        fields = ["date", "delivers", "order_by_time", "note"]
        read_only_fields = fields


class RouteDateExceptionOutput(RouteExceptionOutput):
    """One date's exception as its PUT answers it, naming its route."""

    route = serializers.CharField(source="route.code", read_only=True)

    class Meta(RouteExceptionOutput.Meta):
        fields = ["route", *RouteExceptionOutput.Meta.fields]
        read_only_fields = fields


class RouteOutput(serializers.ModelSerializer):
    """A route with its warehouse's time zone and its exceptions from today on. The
    view passes `now` in the context."""

    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    timezone = serializers.CharField(
        source="warehouse.timezone", read_only=True, help_text="The warehouse's IANA zone: order_by_time's clock."
    )
    delivery_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=ISO_WEEKDAYS[0], max_value=ISO_WEEKDAYS[-1]),
        read_only=True,
        help_text="ISO weekdays: 1 is Monday, 7 Sunday.",
    )
    order_by_time = ClockTimeField(read_only=True, help_text="On the warehouse's clock, lead_days before the date.")
    lead_days = serializers.IntegerField(read_only=True, min_value=0, max_value=MAX_LEAD_DAYS)
    exceptions = serializers.SerializerMethodField(help_text="Holidays and extra days from today on, by date.")

    class Meta:
        model = Route
        fields = [
            "code",
            "name",
            "warehouse",
            "timezone",
            "delivery_weekdays",
            "order_by_time",
            "lead_days",
            "exceptions",
        ]
        read_only_fields = fields

    @extend_schema_field(RouteExceptionOutput(many=True))
    def get_exceptions(self, route) -> list[dict]:
        return RouteExceptionOutput(upcoming_exceptions(route, now=self.context["now"]), many=True).data


class RouteInput(StrictInput):
    """The body of PUT /api/v1/routes/{code}/: the whole route."""

    name = JsonStringField(min_length=1, max_length=Route._meta.get_field("name").max_length)
    warehouse = JsonStringField(
        min_length=1, max_length=Warehouse._meta.get_field("code").max_length, help_text="The warehouse's code."
    )
    delivery_weekdays = WeekdaysField()
    order_by_time = ClockTimeField(help_text='"HH:MM" on the warehouse\'s clock, e.g. "14:00".')
    lead_days = WholeNumberField(
        min_value=0,
        max_value=MAX_LEAD_DAYS,
        help_text="Days before the delivery date the order-by time falls: 1 is order today for tomorrow.",
    )


class RouteExceptionInput(StrictInput):
    """The body of PUT /api/v1/routes/{code}/exceptions/{date}/."""

    delivers = JsonBooleanField(
        help_text="false: a holiday. true: a delivery that date, even on a day the route skips."
    )
    order_by_time = ClockTimeField(
        required=False,
        allow_null=True,
        help_text="A delivery date's own order-by time; null or absent: the route's. A holiday has none (ignored).",
    )
    note = JsonStringField(
        required=False,
        allow_blank=True,
        max_length=RouteException._meta.get_field("note").max_length,
        help_text="For people, e.g. King's Day.",
    )


class ShipToAddressOutput(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code", read_only=True, help_text="The partner's code.")
    route = serializers.CharField(
        source="route.code", read_only=True, allow_null=True, help_text="The route serving it; null: none yet."
    )
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2.")

    class Meta:
        model = ShipToAddress
        fields = ["id", "partner", "label", "line1", "line2", "postcode", "city", "country", "is_default", "route"]
        read_only_fields = fields


class ShipToFilterInput(serializers.Serializer):
    partner = JsonStringField(
        required=False,
        allow_blank=True,
        max_length=Partner._meta.get_field("code").max_length,
        help_text="A partner's code: only its addresses (a partner's token: its own code only).",
    )


class ShipToRouteInput(StrictInput):
    """The body of PATCH /api/v1/ship-tos/{id}/."""

    route = JsonStringField(min_length=1, max_length=ROUTE_CODE_LENGTH, help_text="The code of the route to serve it.")
