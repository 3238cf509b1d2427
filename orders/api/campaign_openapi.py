"""What the campaign API's schema says beyond its serializers: the path parameters,
the error answers of each operation, and examples.

The request examples are sent to the demo world by tests/api/test_schema_examples.py,
in the schema's order of paths: the PUT of /campaigns/{code}/ comes first and creates
MDAY (Mother's Day, far enough ahead never to meet its own past), which the pre-book
and allocation examples then use. The demo world's own campaign, VDAY, moves with the
calendar, so no fixed example could be sent to it."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter

from config.api.schema import created_location, replayed_header
from orders.api.catalogue_inputs import MAX_ID
from orders.campaigns import CAMPAIGN_CODE_PATTERN
from orders.idempotency import KEY_PATTERN, MAX_KEY_LENGTH

FORBIDDEN = "permission_denied: staff without the permission this call needs, naming it (partners: staff calls)."
CAMPAIGN_NOT_FOUND = "campaign_not_found: no campaign with that code."
PREBOOK_NOT_FOUND = (
    f"{CAMPAIGN_NOT_FOUND} prebook_not_found: no open pre-book with that id in the campaign (or another "
    "partner's, or withdrawn)."
)
PREBOOK_REFUSALS = (
    "prebook_window_closed: before opens_at, after closes_at, or once a run has been committed (`campaign`, "
    "`opens_at` and `closes_at` say which). invalid_prebook, its `errors` naming each line and SKU or field: "
    "unknown_sku, inactive_sku, duplicate_sku, not_case_pack_multiple, below_minimum, not_in_campaign, "
    "invalid_ship_to, ship_to_required. prebook_cap_exceeded: the partner's open pre-books would pass a "
    "product's cap; each error names the SKU with its `cap` and what is `left`. Nothing is written."
)
PARTNER_NAMED = (
    "partner_not_found: staff name a partner that does not exist. not_allowed: a partner's token names `partner`. "
    "Each names the parameter in `errors`."
)
PARTNER_REFUSALS = (
    "partner_required: a staff token names no partner; partner_not_found: the partner it names does not exist; "
    "not_allowed: a partner's token names `partner`."
)

CAMPAIGN_CODE = OpenApiParameter(
    "code",
    {"type": "string", "pattern": CAMPAIGN_CODE_PATTERN},
    OpenApiParameter.PATH,
    description="The campaign's code: 1 to 20 letters, digits, '-' or '_'.",
    examples=[OpenApiExample("code of the examples' campaign", value="MDAY")],
)
PREBOOK_ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The pre-book's id, as its POST answered it.",
    examples=[OpenApiExample("a pre-book's id", value=1)],
)
PARTNER_FILTER = OpenApiParameter(
    "partner",
    {"type": "string", "minLength": 1, "maxLength": 20},
    description="Staff only: a partner's code; its pre-books only (campaigns: its prices and caps left).",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "One unique key per pre-book, as for orders (1 to 255 printable ASCII characters, no space at either end). "
        "Keys are scoped per campaign and partner and kept with the pre-book. The same key with the same body answers "
        "the pre-book again (201 with `Idempotent-Replayed: true`, no second pre-book), as it stands now; with another "
        "body it is 422 idempotency_key_reused."
    ),
)
PREBOOK_HEADERS = [
    created_location("The pre-book's URL (/api/v1/campaigns/{code}/prebooks/{id}/)."),
    replayed_header(201),
]

MOTHERS_DAY = {
    "name": "Mother's Day",
    "delivery_date": "2036-05-10",
    "opens_at": "2026-01-05T08:00:00Z",
    "closes_at": "2036-05-03T17:00:00Z",
    "products": [{"sku": "RO-NAOMI-50", "cap_per_partner": 1000}, {"sku": "TU-STRONGGOLD"}],
}
CAMPAIGN_EXAMPLE = {
    "code": "MDAY",
    **{key: value for key, value in MOTHERS_DAY.items() if key != "products"},
    "opens_at": "2026-01-05T08:00:00.000000Z",
    "closes_at": "2036-05-03T17:00:00.000000Z",
    "prebooks_open": True,
    "allocated": False,
    "allocated_at": None,
    "prebook_url": "/campaigns/MDAY/",
    "products": [
        {
            "sku": "RO-NAOMI-50",
            "name": "Rose Red Naomi 50 cm",
            "case_pack": 50,
            "min_order_qty": 0,
            "cap_per_partner": 1000,
            "list_price": "0.46",
            "price": "0.42",
            "cap_left": 900,
        },
        {
            "sku": "TU-STRONGGOLD",
            "name": "Tulip Strong Gold",
            "case_pack": 50,
            "min_order_qty": 0,
            "cap_per_partner": None,
            "list_price": "0.24",
            "price": "0.22",
            "cap_left": None,
        },
    ],
}
CAMPAIGN_EXAMPLES = [
    OpenApiExample("Mother's Day, as BLOOM sees it", value=CAMPAIGN_EXAMPLE, response_only=True),
]
PUT_CAMPAIGN_EXAMPLES = [
    OpenApiExample("Mother's Day", request_only=True, value=MOTHERS_DAY),
    OpenApiExample(
        "Mother's Day, as staff see it",
        response_only=True,
        value={
            **CAMPAIGN_EXAMPLE,
            "products": [
                {**product, "price": product["list_price"], "cap_left": None}
                for product in CAMPAIGN_EXAMPLE["products"]
            ],
        },
    ),
]

PREBOOK_BODY = {"ship_to": 1, "lines": [{"sku": "RO-NAOMI-50", "quantity": 100}]}
PREBOOK_EXAMPLE = {
    "id": 7,
    "campaign": "MDAY",
    "partner": "BLOOM",
    "ship_to": 1,
    "placed_at": "2026-01-12T09:30:00.000000Z",
    "withdrawn_at": None,
    "lines": [
        {
            "sku": "RO-NAOMI-50",
            "quantity": 600,
            "allocated": 450,
            "forfeited": 0,
            "waitlisted": 150,
            "waitlist_position": 3,
        }
    ],
}
PREBOOK_EXAMPLES = [
    OpenApiExample("BLOOM's pre-book", request_only=True, value=PREBOOK_BODY),
    OpenApiExample("A pre-book after a run", response_only=True, value=PREBOOK_EXAMPLE),
]
ALLOCATION_EXAMPLES = [
    OpenApiExample("A dry run", request_only=True, value={"dry_run": True}),
    OpenApiExample(
        "A committed first run",
        response_only=True,
        value={
            "run": 1,
            "dry_run": False,
            "kind": "fair_share",
            "lines": [
                {
                    "prebook": 7,
                    "partner": "BLOOM",
                    "ship_to": 1,
                    "sku": "RO-NAOMI-50",
                    "requested": 600,
                    "granted": 450,
                    "allocated": 450,
                    "waitlisted": 150,
                    "waitlist_position": 3,
                }
            ],
            "orders": ["BQ-00000412"],
        },
    ),
]
