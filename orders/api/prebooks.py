"""Pre-books through the REST API (docs/DESIGN.md sections 5 and 12): thin doors onto
orders.prebooks, which every door pre-books through, and orders.campaign_selectors.
A partner's token reaches its own partner's pre-books only (another partner's is a
404, as an order of another partner is), and a buyer limited to their own orders
(partners.roles) to the pre-books they placed, as with orders; caps count the whole
partner's. Staff reach every partner's and name the partner a new pre-book is for."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers as drf
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import JsonStringField, parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import error_responses
from config.callers import caller_partner
from config.errors import UnprocessableError
from orders.api import campaign_openapi as openapi
from orders.api import campaign_serializers as serializers
from orders.api.catalogue_inputs import MAX_ID, named_partner
from orders.campaign_selectors import get_open_prebook, open_prebooks, standings_by_prebook, was_withdrawn
from orders.campaigns import get_campaign
from orders.exceptions import IdempotencyKeyRequiredError, PrebookNotFoundError
from orders.idempotency import clean_idempotency_key, fingerprint_request
from orders.models import Campaign, Prebook
from orders.prebooks import change_prebook, place_prebook, withdraw_prebook
from partners.models import Partner
from partners.roles import orders_limited_to


class PrebookFilterInput(drf.Serializer):
    partner = JsonStringField(required=False, max_length=20, help_text=openapi.PARTNER_FILTER.description)


def prebook_answers(campaign: Campaign, prebooks: list[Prebook]) -> list[dict]:
    """The pre-books with their lines where they stand. A withdrawn one (a replay of
    its key) has its lines as requested: it was withdrawn before any run."""
    standings = standings_by_prebook(campaign, prebooks)
    answers = []
    for prebook in prebooks:
        lines = [
            {
                "sku": s.sku,
                "quantity": s.requested,
                "allocated": s.allocated,
                "forfeited": s.forfeited,
                "waitlisted": s.waitlisted,
                "waitlist_position": s.waitlist_position,
            }
            for s in standings[prebook.id]
        ] or [
            {"sku": line.product.sku, "quantity": line.quantity, "allocated": 0, "forfeited": 0, "waitlisted": 0,
             "waitlist_position": None}
            for line in prebook.lines.select_related("product").order_by("id")
        ]  # fmt: skip
        answers.append(
            {
                "id": prebook.id,
                "campaign": campaign.code,
                "partner": prebook.partner.code,
                "ship_to": prebook.ship_to_id,
                "placed_at": prebook.created_at,
                "withdrawn_at": prebook.withdrawn_at,
                "lines": lines,
            }
        )
    return serializers.PrebookOutput(answers, many=True).data


def prebook_partner(request, body: dict) -> Partner:
    """The partner a new pre-book is for: the caller's own, or the one a staff token
    names (422 when it names none, or a partner's token names one)."""
    partner = named_partner(caller_partner(request.user), body.get("partner"))
    if partner is None:
        detail = 'Staff tokens must name the partner the pre-book is for: add "partner": "<code>".'
        problem = {"field": "partner", "code": "partner_required", "detail": detail}
        raise UnprocessableError(detail, code="partner_required", errors=[problem])
    return partner


def prebook_id_of(text: str) -> int:
    """The path's pre-book id; anything but a whole number within an id's bounds
    names no pre-book (404)."""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID:
        return int(text)
    raise PrebookNotFoundError(f"No pre-book {text!r}: a pre-book's id is a whole number.")


class PrebookListCreateApi(APIView):
    permission_classes = [
        staff_may(GET=["orders.view_prebook"], POST=["orders.add_prebook"], partners_may=("GET", "POST"))
    ]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Pre-book for a campaign",
        description="Quantities follow each product's case pack and minimum, as orders do; a partner's open "
        "pre-books for a product never pass its cap. Placed, changed and withdrawn while the window is open "
        "(opens_at to closes_at, until the first committed run).",
        parameters=[
            openapi.CAMPAIGN_CODE,
            openapi.IDEMPOTENCY_KEY,
            *openapi.PREBOOK_HEADERS,
        ],
        request=serializers.PrebookInput,
        responses={
            201: OpenApiResponse(serializers.PrebookOutput, description="Placed (or, replayed, the first answer)."),
            **error_responses(
                _400="idempotency_key_required, invalid_idempotency_key; invalid: the body breaks this schema "
                "(`errors` names each field or line: unknown_field, invalid, required, min_length, max_length, "
                "min_value, max_value).",
                _403=openapi.FORBIDDEN,
                _404=openapi.CAMPAIGN_NOT_FOUND,
                _422=f"{openapi.PREBOOK_REFUSALS} {openapi.PARTNER_REFUSALS} idempotency_key_reused: the key was "
                "used for another body.",
            ),
        },
        examples=openapi.PREBOOK_EXAMPLES,
    )
    def post(self, request, code: str):
        key = request.headers.get("Idempotency-Key")
        if not key:
            raise IdempotencyKeyRequiredError(
                "Send an Idempotency-Key header (one unique key per pre-book) so a retry cannot place it twice."
            )
        key = clean_idempotency_key(key)
        body = serializers.PrebookInput(data=request.data)
        body.is_valid(raise_exception=True)
        fields = body.validated_data
        campaign = get_campaign(code)
        result = place_prebook(
            campaign=campaign,
            partner=prebook_partner(request, fields),
            lines=[dict(line) for line in fields["lines"]],
            ship_to=fields.get("ship_to"),
            user=request.user,
            idempotency_key=key,
            fingerprint=fingerprint_request(request.data),
            source="api",
        )
        prebook = result.prebook
        headers = {"Location": reverse("api-prebook", args=[campaign.code, prebook.id])}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(prebook_answers(campaign, [prebook])[0], status=201, headers=headers)

    @extend_schema(
        summary="The caller's pre-books for a campaign, each line where it stands",
        description="Open pre-books in pre-book order (a partner's token: its own; staff: all, or one partner's). "
        "After a committed run each line shows what was allocated over every run, what waits and its place in "
        "line.",
        parameters=[openapi.CAMPAIGN_CODE, openapi.PARTNER_FILTER],
        responses={
            200: serializers.PrebookOutput(many=True),
            **error_responses(
                _400="invalid_filter: partner, page or page_size breaks this schema, naming it.",
                _403=openapi.FORBIDDEN,
                _404=openapi.CAMPAIGN_NOT_FOUND,
                _422=openapi.PARTNER_NAMED,
            ),
        },
        examples=openapi.PREBOOK_EXAMPLES[1:],
    )
    def get(self, request, code: str):
        filters = parse_filters(PrebookFilterInput, request)
        partner = named_partner(caller_partner(request.user), filters.get("partner"))
        campaign = get_campaign(code)
        return paginated_response(
            self,
            request,
            open_prebooks(campaign, partner=partner, placed_by=orders_limited_to(request.user)),
            lambda page: prebook_answers(campaign, list(page)),
        )


class PrebookApi(APIView):
    # Withdrawing marks the pre-book withdrawn and keeps it: a change, not a deletion.
    permission_classes = [
        staff_may(
            GET=["orders.view_prebook"],
            PUT=["orders.change_prebook"],
            DELETE=["orders.change_prebook"],
            partners_may=("GET", "PUT", "DELETE"),
        )
    ]

    @extend_schema(
        summary="One pre-book, each line where it stands",
        parameters=[openapi.CAMPAIGN_CODE, openapi.PREBOOK_ID],
        responses={
            200: serializers.PrebookOutput,
            **error_responses(_403=openapi.FORBIDDEN, _404=openapi.PREBOOK_NOT_FOUND),
        },
        examples=openapi.PREBOOK_EXAMPLES[1:],
    )
    def get(self, request, code: str, id: str):
        campaign = get_campaign(code)
        prebook = get_open_prebook(
            campaign, prebook_id_of(id), partner=caller_partner(request.user), placed_by=orders_limited_to(request.user)
        )
        return Response(prebook_answers(campaign, [prebook])[0])

    @extend_schema(
        summary="Change a pre-book while the window is open",
        description="The lines given replace the pre-book's, under the same rules as a new one; the pre-book "
        "keeps its place in line. Without `ship_to` it keeps its address.",
        parameters=[openapi.CAMPAIGN_CODE, openapi.PREBOOK_ID],
        request=serializers.PrebookChangeInput,
        responses={
            200: OpenApiResponse(serializers.PrebookOutput, description="Changed."),
            **error_responses(
                _400="invalid: the body breaks this schema (`errors` names each field or line).",
                _403=openapi.FORBIDDEN,
                _404=openapi.PREBOOK_NOT_FOUND,
                _422=openapi.PREBOOK_REFUSALS,
            ),
        },
        examples=openapi.PREBOOK_EXAMPLES[1:],
    )
    def put(self, request, code: str, id: str):
        campaign = get_campaign(code)
        prebook_id = prebook_id_of(id)
        body = serializers.PrebookChangeInput(data=request.data)
        body.is_valid(raise_exception=True)
        prebook = change_prebook(
            campaign=campaign,
            prebook_id=prebook_id,
            partner=caller_partner(request.user),
            placed_by=orders_limited_to(request.user),
            lines=[dict(line) for line in body.validated_data["lines"]],
            ship_to=body.validated_data.get("ship_to"),
        )
        return Response(prebook_answers(campaign, [prebook])[0])

    @extend_schema(
        summary="Withdraw a pre-book while the window is open",
        description="204 also when the pre-book was withdrawn already, so a retry after a lost answer succeeds. "
        "The pre-book is kept for the record, gone from every read; its units no longer count against the cap.",
        parameters=[openapi.CAMPAIGN_CODE, openapi.PREBOOK_ID],
        responses={
            204: OpenApiResponse(description="Withdrawn."),
            **error_responses(
                _403=openapi.FORBIDDEN,
                _404=openapi.PREBOOK_NOT_FOUND,
                _422="prebook_window_closed: after closes_at, or once a run has been committed. Nothing changes.",
            ),
        },
    )
    def delete(self, request, code: str, id: str):
        campaign = get_campaign(code)
        prebook_id, partner = prebook_id_of(id), caller_partner(request.user)
        try:
            withdraw_prebook(
                campaign=campaign, prebook_id=prebook_id, partner=partner, placed_by=orders_limited_to(request.user)
            )
        except PrebookNotFoundError:
            if not was_withdrawn(campaign, prebook_id, partner=partner):
                raise
        return Response(status=204)
