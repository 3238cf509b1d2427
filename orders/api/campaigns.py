"""Peak campaigns through the REST API (docs/DESIGN.md sections 5 and 12): thin doors
onto orders.campaigns (saving one), orders.campaign_selectors (what a campaign offers
the caller) and orders.campaign_runs (the allocation run). Partners read campaigns
with their own prices and what their caps leave; staff read and write them all and
run the allocation. Pre-books: orders.api.prebooks."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers as drf
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.access import staff_may
from config.api.inputs import JsonStringField, parse_filters
from config.api.pagination import StandardPagination, paginated_response
from config.api.schema import created_location, error_responses
from config.callers import caller_partner
from orders.api import campaign_openapi as openapi
from orders.api import campaign_serializers as serializers
from orders.api.catalogue_inputs import named_partner
from orders.campaign_runs import RunOutcome, run_allocation
from orders.campaign_selectors import campaign_offers, list_campaigns
from orders.campaigns import get_campaign, prebook_page_path, save_campaign
from orders.models import Campaign
from orders.prebooks import window_closed_error
from partners.models import Partner


class CampaignFilterInput(drf.Serializer):
    partner = JsonStringField(required=False, max_length=20, help_text=openapi.PARTNER_FILTER.description)


def campaign_answers(campaigns: list[Campaign], partner: Partner | None) -> list[dict]:
    """The campaigns as the partner sees them (staff naming none: list prices, no cap left)."""
    now = timezone.now()
    offers = campaign_offers(campaigns, partner)
    answers = [
        {
            "code": campaign.code,
            "name": campaign.name,
            "delivery_date": campaign.delivery_date,
            "opens_at": campaign.opens_at,
            "closes_at": campaign.closes_at,
            "prebooks_open": window_closed_error(campaign, now) is None,
            "allocated": campaign.is_allocated,
            "allocated_at": campaign.first_committed_at,
            "prebook_url": prebook_page_path(campaign.code),
            "products": [vars(offer) for offer in offers[campaign.id]],
        }
        for campaign in campaigns
    ]
    return serializers.CampaignOutput(answers, many=True).data


def partner_for(request) -> Partner | None:
    """The caller's partner, or the one a staff token names in `partner`."""
    filters = parse_filters(CampaignFilterInput, request)
    return named_partner(caller_partner(request.user), filters.get("partner"))


class CampaignListApi(APIView):
    permission_classes = [staff_may(GET=["orders.view_campaign"], partners_may=("GET",))]
    pagination_class = StandardPagination

    @extend_schema(
        summary="Peak campaigns, with the caller's prices and caps left",
        description="Every campaign, the latest delivery date first. A partner's token sees its own prices and "
        "what its open pre-books leave of each cap; staff see list prices, or a partner's view when they name it.",
        parameters=[openapi.PARTNER_FILTER],
        responses={
            200: serializers.CampaignOutput(many=True),
            **error_responses(
                _400="invalid_filter: partner, page or page_size breaks this schema, naming it.",
                _403=openapi.FORBIDDEN,
                _422=openapi.PARTNER_NAMED,
            ),
        },
        examples=openapi.CAMPAIGN_EXAMPLES,
    )
    def get(self, request):
        partner = partner_for(request)
        return paginated_response(self, request, list_campaigns(), lambda page: campaign_answers(list(page), partner))


class CampaignApi(APIView):
    # A PUT creates or changes: it needs both rights.
    permission_classes = [
        staff_may(
            GET=["orders.view_campaign"],
            PUT=["orders.add_campaign", "orders.change_campaign"],
            partners_may=("GET",),
        )
    ]

    @extend_schema(
        summary="A peak campaign, with the caller's prices and caps left",
        parameters=[openapi.CAMPAIGN_CODE, openapi.PARTNER_FILTER],
        responses={
            200: serializers.CampaignOutput,
            **error_responses(_403=openapi.FORBIDDEN, _404=openapi.CAMPAIGN_NOT_FOUND, _422=openapi.PARTNER_NAMED),
        },
        examples=openapi.CAMPAIGN_EXAMPLES,
    )
    def get(self, request, code: str):
        partner = partner_for(request)
        return Response(campaign_answers([get_campaign(code)], partner)[0])

    @extend_schema(
        summary="Create or change a peak campaign (staff)",
        description="The code is the path's; the body is the whole campaign. Until its first committed run it "
        "can change (pre-books already placed stay); after, 409 campaign_allocated. From saving until that run, "
        "its products cannot be ordered for its date (422 campaign_prebook_only): they sell through pre-books.",
        parameters=[openapi.CAMPAIGN_CODE, created_location("The campaign's URL.")],
        request=serializers.CampaignInput,
        responses={
            200: OpenApiResponse(serializers.CampaignOutput, description="Changed."),
            201: OpenApiResponse(serializers.CampaignOutput, description="Created."),
            **error_responses(
                _400="The request breaks this schema (`errors` names each field): invalid, unknown_field.",
                _403=openapi.FORBIDDEN,
                _409="campaign_allocated: a run has been committed; the campaign can no longer change.",
                _422="invalid_campaign, its `errors` naming each field or product: invalid_campaign_code, "
                "date_in_past, no_delivery_day (no route delivers on delivery_date: add a route exception first), "
                "window_empty (closes_at not after opens_at), unknown_sku, duplicate_sku. Nothing is written.",
            ),
        },
        examples=openapi.PUT_CAMPAIGN_EXAMPLES,
    )
    def put(self, request, code: str):
        body = serializers.CampaignInput(data=request.data)
        body.is_valid(raise_exception=True)
        campaign, created = save_campaign(code=code, **body.validated_data)
        answer = campaign_answers([campaign], None)[0]
        if created:
            return Response(answer, status=201, headers={"Location": reverse("api-campaign", args=[campaign.code])})
        return Response(answer)


def allocation_answer(outcome: RunOutcome) -> dict:
    """The run's result per open line, `allocated` counting every run so far (dry:
    as the run would leave it)."""
    lines = [
        {
            "prebook": standing.prebook_id,
            "partner": standing.partner_code,
            "ship_to": standing.ship_to_id,
            "sku": standing.sku,
            "requested": standing.requested,
            "granted": outcome.granted.get(standing.line_id, 0),
            "allocated": standing.allocated,
            "waitlisted": standing.waitlisted,
            "waitlist_position": standing.waitlist_position,
        }
        for standing in outcome.standings_after
    ]
    answer = {
        "run": outcome.number,
        "dry_run": outcome.dry_run,
        "kind": outcome.kind,
        "lines": lines,
        "orders": outcome.order_numbers,
    }
    return serializers.AllocationOutput(answer).data


class AllocationRunApi(APIView):
    permission_classes = [staff_may(POST=["orders.run_allocation"])]

    @extend_schema(
        summary="Run a campaign's allocation (staff)",
        description="The first committed run shares each product's supply for the campaign's date by tier, pro "
        "rata in whole case packs, leftover packs in pre-book order; every later one serves the waitlist in "
        "pre-book order. A dry run answers what the run would give and changes nothing. A commit makes one order "
        "per partner and ship-to (source prebook, reserved at once), which continue as any order; committing "
        "again serves only what waits, and answers 200 with run null when nothing new can be served.",
        parameters=[openapi.CAMPAIGN_CODE],
        request=serializers.AllocationRunInput,
        responses={
            200: OpenApiResponse(
                serializers.AllocationOutput, description="A dry run, or a commit that found nothing to serve."
            ),
            201: OpenApiResponse(serializers.AllocationOutput, description="Committed: the run and its orders."),
            **error_responses(
                _400="The request breaks this schema (`errors` names each field): invalid, unknown_field.",
                _403=openapi.FORBIDDEN,
                _404=openapi.CAMPAIGN_NOT_FOUND,
                _409="allocation_supply_changed: the stock counted could not be reserved in full; run it again.",
                _422="invalid_campaign: the campaign's delivery date has passed.",
            ),
        },
        examples=openapi.ALLOCATION_EXAMPLES,
    )
    def post(self, request, code: str):
        body = serializers.AllocationRunInput(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = run_allocation(
            campaign=code, dry_run=body.validated_data["dry_run"], actor=request.user.get_username()
        )
        return Response(allocation_answer(outcome), status=201 if outcome.run is not None else 200)
