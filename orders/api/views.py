"""Orders through the REST API: thin doors onto the intake, cancellation and
selector functions. A request the schema refuses is 400; one it admits that a rule
refuses is 422 (or 409 for a conflict, 404 for a path naming nothing)."""

from collections.abc import Mapping
from datetime import datetime

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.first_look import expiry_seen, versions_seen
from config.api.inputs import parse_rfc3339, refuse_filter, whole_number_param
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import error_responses
from config.callers import caller_partner
from config.moments import utc_text
from orders.api import openapi, serializers
from orders.api.order_body import parse_order_body
from orders.cancellation import cancel_order
from orders.exceptions import IdempotencyKeyRequiredError, OrderRefusedError, OrderValidationError
from orders.idempotency import fingerprint_request
from orders.intake import place_order
from orders.intake_cache import intake_version_keys
from orders.models import OrderStatus
from orders.selectors import FEED_PAGE_MAX, MAX_EVENT_ID, event_feed, get_order, orders_visible_to, sync_watermark
from orders.wakeups import claim_promise, claim_promise_key
from partners.exceptions import PartnerNotFoundError
from partners.models import Partner
from partners.roles import orders_limited_to
from partners.selectors import get_partner_by_code

FORBIDDEN = "permission_denied: staff without the permission this call needs, naming it."
RESERVE_PROMISE_KEY = claim_promise_key("reserve")
NOT_FOUND = "order_not_found: no such order (or another partner's, or, for a buyer, another user's)."


def parse_moment(name: str, value: str) -> datetime:
    """An RFC 3339 date-time as an aware UTC datetime (any offset a client sends). A
    leap second reads as the second before it (this filter is "at or after", so
    nothing is missed)."""
    moment = parse_rfc3339(value)
    if moment is None:
        refuse_filter(name, f"{name} {value!r} is not an RFC 3339 date-time (e.g. 2026-11-29T08:00:00Z).")
    return moment


def resolve_partner(user, body) -> Partner:
    """The partner the order is for: the caller's own, or for staff the one the body
    names. A well-formed body naming no partner, or one that does not exist, is
    refused (422): the schema cannot say that only staff send `partner`."""
    partner = caller_partner(user)  # None for staff
    if partner is not None:
        if "partner" in body:
            detail = "partner is for staff tokens only; your token orders for its own partner."
            raise OrderRefusedError(detail, errors=[{"field": "partner", "code": "not_allowed", "detail": detail}])
        return partner
    if "partner" not in body:
        detail = 'Staff tokens must name the partner the order is for: add "partner": "<code>".'
        problem = {"field": "partner", "code": "partner_required", "detail": "partner is required for staff tokens."}
        raise OrderRefusedError(detail, code="partner_required", errors=[problem])
    try:
        return get_partner_by_code(code=body["partner"])
    except PartnerNotFoundError as error:
        problem = {"field": "partner", "code": error.code, "detail": error.message}
        raise OrderRefusedError(error.message, code=error.code, errors=[problem]) from None


class OrderListCreateApi(APIView):
    # Staff place orders for any partner (on its card or credit): orders.add_order.
    permission_classes = [staff_may(GET=["orders.view_order"], POST=["orders.add_order"], partners_may=("GET", "POST"))]
    throttle_scope = {"POST": "order_intake"}  # the list counts against the general scope
    pagination_class = StandardPagination  # tells the schema the list is paged

    @staticmethod
    def versions_read_first(request, user) -> tuple[str, ...]:
        """The cache versions intake will read, read in the request's first look at
        Redis (config/api/first_look.py)."""
        partner = caller_partner(user)
        return intake_version_keys(partner.id) if request.method == "POST" and partner is not None else ()

    @staticmethod
    def expiries_read_first(request, user) -> tuple[str, ...]:
        """The reserve step's promised claim, read in the same round trip: an order
        committed before it needs no wake-up (orders.wakeups)."""
        return (RESERVE_PROMISE_KEY,) if request.method == "POST" else ()

    @extend_schema(
        summary="Place an order",
        parameters=[openapi.IDEMPOTENCY_KEY, *openapi.ACCEPTED_HEADERS],
        request=serializers.PlaceOrderInput,
        responses={
            202: openapi.ACCEPTED,
            **error_responses(
                _400="The request breaks this schema: idempotency_key_required (no or an empty Idempotency-Key), "
                "invalid_idempotency_key, invalid_body (not a JSON object), invalid_order (`errors` names each "
                "field or line: unknown_field, invalid_type, blank, too_long, invalid_date, lines_required, "
                "too_many_lines, invalid_line, sku_required, invalid_quantity), malformed_json.",
                _403=FORBIDDEN,
            ),
            **openapi.PLACE_ORDER_REFUSALS,
        },
        examples=[openapi.ORDER_EXAMPLE],
    )
    def post(self, request):
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")  # request.headers would copy every header first
        if not key:
            raise IdempotencyKeyRequiredError(
                "Send an Idempotency-Key header (one unique key per order) so a retry cannot place it twice."
            )
        body = parse_order_body(request.data)
        read_at, promised_ms = expiry_seen(request, RESERVE_PROMISE_KEY)
        result = place_order(
            partner=resolve_partner(request.user, body),
            user=request.user,
            lines=body["lines"],
            po_number=body.get("po_number", ""),
            requested_delivery_date=body.get("requested_delivery_date"),
            ship_to=body.get("ship_to"),
            idempotency_key=key,
            request_fingerprint=fingerprint_request(body),
            versions_seen=versions_seen(request),
            reserve_promise=claim_promise(promised_ms, read_at=read_at),
        )
        headers = {"Location": f"/api/v1/orders/{result.snapshot['number']}/"}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(result.snapshot, status=202, headers=headers)

    @extend_schema(
        summary="List orders",
        parameters=openapi.LIST_PARAMETERS,
        responses={
            200: serializers.OrderSummaryOutput(many=True),
            **error_responses(
                _400="invalid_filter: status, updated_since, page or page_size is not what this schema says "
                "(an empty value included), naming it.",
                _403=FORBIDDEN,
            ),
        },
    )
    def get(self, request):
        orders = orders_visible_to(
            partner=caller_partner(request.user), placed_by=orders_limited_to(request.user)
        ).order_by("updated_at", "id")
        status_filter = request.query_params.get("status")
        if status_filter is not None:
            if status_filter not in OrderStatus.values:
                refuse_filter("status", f"status {status_filter!r} is not one of {', '.join(OrderStatus.values)}.")
            orders = orders.filter(status=status_filter)
        updated_since = request.query_params.get("updated_since")
        if updated_since is not None:
            orders = orders.filter(updated_at__gte=parse_moment("updated_since", updated_since))
        watermark = sync_watermark()  # read before the page, so nothing lands between
        response = paginated_response(
            self, request, orders, lambda page: serializers.OrderSummaryOutput(page, many=True).data
        )
        response["Sync-Watermark"] = utc_text(watermark)
        return response


class OrderDetailApi(APIView):
    permission_classes = [staff_may(GET=["orders.view_order"], partners_may=("GET",))]

    @extend_schema(
        summary="An order with its lines, shipments and events",
        responses={200: serializers.OrderDetailOutput, **error_responses(_403=FORBIDDEN, _404=NOT_FOUND)},
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
        description="The body is optional: without one (or with no reason) the order is cancelled with none.",
        request=serializers.CancelOrderInput,
        responses={
            200: serializers.OrderDetailOutput,
            **error_responses(
                _400="invalid_body: a body that is not a JSON object; invalid: a field breaks this schema (each "
                "named in `errors`). The order is not cancelled.",
                _403=FORBIDDEN,
                _404=NOT_FOUND,
            ),
            409: OpenApiResponse(
                serializers.NotCancellableOutput,
                description="not_cancellable: CONFIRMED or later; `status` is the order's status now.",
            ),
        },
    )
    def post(self, request, number: str):
        scope = {"partner": caller_partner(request.user), "placed_by": orders_limited_to(request.user)}
        order = get_order(**scope, number=number, for_detail=False)
        # No body at all parses as an empty form (a Mapping): a cancel without a reason.
        if not isinstance(request.data, Mapping):
            raise OrderValidationError("The body must be a JSON object (or absent).", code="invalid_body")
        body = serializers.CancelOrderInput(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data.get("reason", "").strip()
        cancel_order(order_id=order.id, reason=reason, actor=request.user.username)
        return Response(serializers.OrderDetailOutput(get_order(**scope, number=number)).data)


class EventFeedApi(APIView):
    permission_classes = [staff_may(GET=["orders.view_orderevent"], partners_may=("GET",))]
    throttle_scope = "event_feed"

    @extend_schema(
        summary="The order event feed, for pulling with a cursor",
        description=openapi.FEED_DESCRIPTION,
        parameters=openapi.FEED_PARAMETERS,
        responses={
            200: serializers.EventPageOutput,
            **error_responses(
                _400="invalid_filter: after or limit is not a whole number within its bounds, naming it.",
                _403=FORBIDDEN,
                _422="invalid_cursor: `after` is not an event id this feed has served to you.",
            ),
        },
    )
    def get(self, request):
        after = whole_number_param(request, "after", default=0, minimum=0, maximum=MAX_EVENT_ID)
        limit = whole_number_param(request, "limit", default=100, minimum=1, maximum=FEED_PAGE_MAX)
        events = event_feed(
            partner=caller_partner(request.user), placed_by=orders_limited_to(request.user), after=after, limit=limit
        )
        return Response(
            {
                "results": serializers.FeedEventOutput(events, many=True).data,
                "next_after": events[-1].id if events else after,
                "has_more": len(events) == limit,
            }
        )
