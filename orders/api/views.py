"""Orders through the REST API: thin doors onto the intake, cancellation and
selector functions."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import MissingPartnerError, staff_may
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import ErrorOutput, error_responses
from config.callers import caller_partner
from config.errors import summarise_errors
from orders.api import serializers
from orders.cancellation import cancel_order
from orders.exceptions import IdempotencyKeyRequiredError, OrderError, OrderValidationError
from orders.idempotency import fingerprint_request
from orders.intake import place_order
from orders.models import OrderStatus
from orders.selectors import event_feed, get_order, orders_visible_to, sync_watermark
from orders.validation import MAX_QUANTITY
from partners.models import Partner
from partners.roles import orders_limited_to
from partners.selectors import get_partner_by_code

ORDER_FIELDS = {"partner", "po_number", "requested_delivery_date", "ship_to", "lines"}
LINE_FIELDS = {"sku", "quantity"}
ERRORS = error_responses(
    _403="permission_denied: staff without the permission this call needs, naming it.",
    _404="Not found (or another partner's, or, for a buyer, another user's).",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="Required. One key per order; a replay with the same body returns the first answer.",
)


def parse_order_body(body, *, staff: bool) -> dict:
    """Check the JSON shape of an order; the intake service checks the content."""
    if not isinstance(body, dict):
        raise OrderValidationError("The body must be a JSON object.", code="invalid_body")
    errors = [
        {"field": f, "code": "unknown_field", "detail": f"Unknown field {f!r}."}
        for f in sorted(set(body) - ORDER_FIELDS)
    ]
    if "partner" in body and not staff:
        errors.append(
            {
                "field": "partner",
                "code": "not_allowed",
                "detail": "partner is for staff tokens only; your token orders for its own partner.",
            }
        )
    for field in ("po_number", "requested_delivery_date", "partner"):
        if body.get(field) is not None and not isinstance(body[field], str):
            errors.append({"field": field, "code": "invalid_type", "detail": f"{field} must be a string."})
    if body.get("ship_to") is not None and (isinstance(body["ship_to"], bool) or not isinstance(body["ship_to"], int)):
        errors.append(
            {"field": "ship_to", "code": "invalid_type", "detail": "ship_to must be an address id (integer)."}
        )
    lines = body.get("lines")
    if not isinstance(lines, list):
        errors.append(
            {"field": "lines", "code": "lines_required", "detail": "lines must be a list of {sku, quantity}."}
        )
    else:
        for number, line in enumerate(lines, start=1):
            errors.extend(_quantity_type_problems(number, line))
            if isinstance(line, dict) and set(line) - LINE_FIELDS:
                unknown = ", ".join(sorted(set(line) - LINE_FIELDS))
                errors.append(
                    {
                        "line": number,
                        "sku": str(line.get("sku", "")),
                        "code": "unknown_field",
                        "detail": f"Line {number}: unknown field(s) {unknown}.",
                    }
                )
    if errors:
        raise OrderValidationError(summarise_errors(errors, subject="this order"), errors=errors)
    return body


def _quantity_type_problems(number: int, line) -> list[dict]:
    """The API takes a quantity as a JSON integer, as its schema says; its range, case
    pack and minimum are intake's `validate_lines` to check."""
    if not isinstance(line, dict) or line.get("quantity") is None:
        return []
    quantity = line["quantity"]
    if isinstance(quantity, int) and not isinstance(quantity, bool):
        return []
    sku = str(line.get("sku", ""))
    return [
        {
            "line": number,
            "sku": sku,
            "code": "invalid_quantity",
            "detail": f"Line {number}: quantity for {sku} must be a whole number (a JSON integer) "
            f"from 1 to {MAX_QUANTITY}.",
        }
    ]


def parse_moment(name: str, value: str) -> datetime:
    """An ISO 8601 date-time as an aware UTC datetime (any offset a client sends)."""
    try:
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        pass
    raise OrderError(f"{name} {value!r} is not an ISO 8601 date-time.", code="invalid_filter")


def resolve_partner(user, body) -> Partner:
    partner = caller_partner(user)
    if partner is not None:
        return partner
    code = body.get("partner")
    if not code:
        raise MissingPartnerError(
            'Staff tokens must name the partner the order is for: add "partner": "<code>".',
            errors=[
                {"field": "partner", "code": "partner_required", "detail": "partner is required for staff tokens."}
            ],
        )
    return get_partner_by_code(code=code)


class OrderListCreateApi(APIView):
    # Staff place orders for any partner (on its card or credit): orders.add_order.
    permission_classes = [staff_may(GET=["orders.view_order"], POST=["orders.add_order"], partners_may=("GET", "POST"))]
    throttle_scope = {"POST": "order_intake"}  # the list counts against the general scope
    pagination_class = StandardPagination  # tells the schema the list is paged

    @extend_schema(
        summary="Place an order",
        parameters=[IDEMPOTENCY_KEY],
        request=serializers.PlaceOrderInput,
        responses={
            202: OpenApiResponse(
                description="Accepted in state CREATED (or the first answer again, with header "
                "Idempotent-Replayed: true)."
            ),
            **ERRORS,
            409: OpenApiResponse(
                ErrorOutput, description="idempotency_key_in_flight: the first request with this key is still running."
            ),
            422: OpenApiResponse(
                ErrorOutput,
                description="idempotency_key_reused: the key was used with another body; order_too_large: the "
                "total is more than a column holds or than the partner's maximum order value; open_orders_limit: "
                "the order would take the partner's open orders past its open-order limit (the answer adds "
                "open_order_value and max_open_order_value).",
            ),
        },
        examples=[
            OpenApiExample(
                "Order",
                request_only=True,
                value={
                    "po_number": "PO-1042",
                    "requested_delivery_date": "2027-02-13",
                    "lines": [{"sku": "ROS-RED-50", "quantity": 100}],
                },
            )
        ],
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if not key:
            raise IdempotencyKeyRequiredError(
                "Send an Idempotency-Key header (one unique key per order) so a retry cannot place it twice."
            )
        body = parse_order_body(request.data, staff=request.user.is_staff)
        result = place_order(
            partner=resolve_partner(request.user, body),
            user=request.user,
            lines=body.get("lines") or [],
            po_number=body.get("po_number") or "",
            requested_delivery_date=body.get("requested_delivery_date"),
            ship_to=body.get("ship_to"),
            idempotency_key=key,
            request_fingerprint=fingerprint_request(body),
        )
        headers = {"Location": f"/api/v1/orders/{result.snapshot['number']}/"}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(result.snapshot, status=202, headers=headers)

    @extend_schema(
        summary="List orders",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=OrderStatus.values),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description=(
                    "Orders changed at or after this time (ISO 8601). For incremental sync pass the Sync-Watermark "
                    "header of your previous call: changes committed late are never behind it."
                ),
            ),
            OpenApiParameter(
                "Sync-Watermark",
                OpenApiTypes.DATETIME,
                OpenApiParameter.HEADER,
                response=True,
                description="Every change before this moment is final and included; use it as the next updated_since.",
            ),
        ],
        responses={200: serializers.OrderSummaryOutput(many=True), **ERRORS},
    )
    def get(self, request):
        orders = orders_visible_to(
            partner=caller_partner(request.user), placed_by=orders_limited_to(request.user)
        ).order_by("updated_at", "id")
        status_filter = request.query_params.get("status")
        if status_filter:
            if status_filter not in OrderStatus.values:
                raise OrderError(
                    f"status {status_filter!r} is not one of {', '.join(OrderStatus.values)}.", code="invalid_filter"
                )
            orders = orders.filter(status=status_filter)
        updated_since = request.query_params.get("updated_since")
        if updated_since:
            orders = orders.filter(updated_at__gte=parse_moment("updated_since", updated_since))
        watermark = sync_watermark()  # read before the page, so nothing lands between
        response = paginated_response(
            self, request, orders, lambda page: serializers.OrderSummaryOutput(page, many=True).data
        )
        response["Sync-Watermark"] = watermark.isoformat()
        return response


class OrderDetailApi(APIView):
    permission_classes = [staff_may(GET=["orders.view_order"], partners_may=("GET",))]

    @extend_schema(
        summary="An order with its lines, shipments and events",
        responses={200: serializers.OrderDetailOutput, **ERRORS},
    )
    def get(self, request, number: str):
        order = get_order(
            partner=caller_partner(request.user), placed_by=orders_limited_to(request.user), number=number
        )
        return Response(serializers.OrderDetailOutput(order).data)


class OrderCancelApi(APIView):
    permission_classes = [staff_may(POST=["orders.cancel_order"], partners_may=("POST",))]

    @extend_schema(
        summary="Cancel an order (until CONFIRMED)",
        request=serializers.CancelOrderInput,
        responses={
            200: serializers.OrderDetailOutput,
            **ERRORS,
            409: OpenApiResponse(ErrorOutput, description="not_cancellable: CONFIRMED or later."),
        },
    )
    def post(self, request, number: str):
        scope = {"partner": caller_partner(request.user), "placed_by": orders_limited_to(request.user)}
        order = get_order(**scope, number=number, for_detail=False)
        body = serializers.CancelOrderInput(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        cancel_order(order_id=order.id, reason=body.validated_data.get("reason", ""), actor=request.user.username)
        return Response(serializers.OrderDetailOutput(get_order(**scope, number=number)).data)


class EventFeedApi(APIView):
    permission_classes = [staff_may(GET=["orders.view_orderevent"], partners_may=("GET",))]
    throttle_scope = "event_feed"

    @extend_schema(
        summary="The order event feed, for pulling with a cursor",
        description=(
            "Events after the event `after` (0 or absent: from the start), in feed order. Pass the last id you "
            "received as `after` next time. Events appear once their transaction and every older one has ended, "
            "so a cursor never moves past an event that commits late."
        ),
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT),
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most 500; default 100."),
        ],
        responses={200: OpenApiResponse(description="{results: [event], next_after: id, has_more: bool}"), **ERRORS},
    )
    def get(self, request):
        try:
            after = int(request.query_params.get("after") or 0)
            limit = int(request.query_params.get("limit") or 100)
        except ValueError:
            raise OrderError("after and limit must be whole numbers.", code="invalid_cursor") from None
        if after < 0 or limit < 1:
            raise OrderError("after must be 0 or more and limit 1 or more.", code="invalid_cursor")
        events = event_feed(
            partner=caller_partner(request.user), placed_by=orders_limited_to(request.user), after=after, limit=limit
        )
        return Response(
            {
                "results": serializers.FeedEventOutput(events, many=True).data,
                "next_after": events[-1].id if events else after,
                "has_more": len(events) == min(limit, 500),
            }
        )
