"""What the orders API's schema says beyond its serializers: the Idempotency-Key
rules, the headers it answers with, the feed's cursor rule and examples from the demo
world (devdata), so that a client generated from the schema needs no hand-written
line."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from config.api.schema import ErrorOutput, replayed_header
from orders.api import serializers
from orders.idempotency import KEY_PATTERN, MAX_KEY_LENGTH
from orders.models import OrderStatus
from orders.selectors import FEED_PAGE_MAX, MAX_EVENT_ID

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=True,
    description=(
        f"One unique key per order: 1 to {MAX_KEY_LENGTH} printable ASCII characters, no space at either end. "
        "Keys are scoped per partner (another partner's identical key is another key) and kept for "
        "IDEMPOTENCY_KEY_TTL_HOURS, 48 hours by default; after that a key is new again. Sending the same key "
        "with the same body answers the first answer again (202 with `Idempotent-Replayed: true`, no second "
        "order); while the first request with the key is still running the answer is 409 "
        "`idempotency_key_in_flight` (retry it); the "
        "same key with another body, or for another buyer's order, is 422 `idempotency_key_reused`."
    ),
)

ORDER_EXAMPLE = OpenApiExample(
    "Order",
    request_only=True,
    # A demo SKU (case pack 50) and no date: the order gets the earliest option, which
    # a fresh demo world has whatever the day (a fixed date would pass its order-by time).
    value={
        "po_number": "PO-1042",
        "lines": [{"sku": "RO-NAOMI-50", "quantity": 100}],
    },
)

ACCEPTED = OpenApiResponse(
    serializers.AcceptedOrderOutput,
    description="Accepted in state CREATED; the journey moves it on (follow it at Location or in the event feed). "
    "A replay of the key answers the first answer again, with Idempotent-Replayed: true.",
)
ACCEPTED_HEADERS = [
    OpenApiParameter(
        "Location",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[202],
        required=True,
        description="The order's URL (/api/v1/orders/{number}/).",
    ),
    replayed_header(202),
]

PLACE_ORDER_REFUSALS = {
    409: OpenApiResponse(
        ErrorOutput, description="idempotency_key_in_flight: the first request with this key is still running."
    ),
    422: OpenApiResponse(
        serializers.OrderRefusedOutput,
        description="A well-formed order a rule refuses. delivery_date_unavailable: requested_delivery_date is not "
        "an option of the address's route (GET /api/v1/delivery-options/); `field`, `date`, `reason` "
        "(no_delivery_day, holiday, cutoff_passed, too_far_ahead) and `next_available` say which, why and what to "
        "ask for instead. invalid_order, its `errors` naming each line and SKU or field: unknown_sku, inactive_sku, "
        "duplicate_sku, not_case_pack_multiple, below_minimum, delivery_date_unavailable (with the date's "
        "particulars), no_delivery_route (no route serves the address yet), invalid_ship_to, partner_inactive, "
        "not_allowed (partner from a partner's token). partner_required: a staff token names no partner; "
        "partner_not_found: the partner it names does not exist. idempotency_key_reused: the key was used with "
        "another body; order_too_large: the total is more than a column holds or than the partner's maximum "
        "order value; open_orders_limit: the order would take the partner's open orders past its open-order "
        "limit (the answer adds open_order_value and max_open_order_value).",
    ),
}

LIST_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=OrderStatus.values, description="Only orders in this status."),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description=(
            "Orders changed at or after this moment (RFC 3339, with its offset). For incremental sync pass the "
            "Sync-Watermark of your previous call as it came (it ends in Z, so it needs no URL encoding): changes "
            "committed late are never behind it, and an order may come twice."
        ),
    ),
    OpenApiParameter(
        "Sync-Watermark",
        OpenApiTypes.DATETIME,
        OpenApiParameter.HEADER,
        response=[200],
        required=True,
        description="Every change before this moment (UTC, ending in Z) is final and included; pass it as the "
        "next updated_since.",
    ),
]

FEED_DESCRIPTION = (
    "Events after the event `after` (0 or absent: from the start), in feed order, each naming its order. Events "
    "appear once their transaction and every older one has ended, so a cursor never moves past an event that "
    "commits late; hence ids are not monotonic in feed order."
)
FEED_PARAMETERS = [
    OpenApiParameter(
        "after",
        {"type": "integer", "minimum": 0, "maximum": MAX_EVENT_ID, "default": 0},
        description=(
            "Pass the `next_after` of the previous page; ids are not monotonic in feed order, so never the largest "
            "id seen. 0: from the start. Any other value must be an event id this feed has served to you, else "
            "422 invalid_cursor."
        ),
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": FEED_PAGE_MAX, "default": 100},
        description=f"Events a page, 1 to {FEED_PAGE_MAX}.",
    ),
]
