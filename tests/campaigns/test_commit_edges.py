"""A committed run at its edges: lines of mixed freshness rules in one order, an
on-account partner past its headroom, a client's key in the runs' namespace, and a
product's case pack changed after the pre-books."""

import datetime

import pytest

from inventory.models import Reservation, Stock
from orders.campaign_runs import run_allocation, serve_waitlists
from orders.campaign_standings import line_standings
from orders.exceptions import OrderValidationError
from orders.intake import place_order
from orders.models import Order, OrderStatus
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import Partner
from tests.support.campaigns import campaign_date, make_campaign, prebook, ship_to_of

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_a_lax_line_in_an_order_with_a_strict_one_leaves_the_fresh_lots_to_the_strict_partner(warehouses, make_product):
    date = campaign_date()
    ams, rtm = warehouses["AMS"], warehouses["RTM"]
    make_product(
        "LILY", case_pack=10, min_days_at_delivery=7,
        lots=[{"warehouse": ams, "lot": "L", "on_hand": 100, "expires_on": date + 9 * DAY}],
    )  # fmt: skip
    make_product(
        "ROSE", case_pack=10,
        lots=[{"warehouse": ams, "lot": "FRESH", "on_hand": 100, "expires_on": date + 9 * DAY},
              {"warehouse": rtm, "lot": "OLD", "on_hand": 100, "expires_on": date + 3 * DAY}],
    )  # fmt: skip
    campaign = make_campaign(skus=["LILY", "ROSE"], delivery_date=date)
    # LAX has no rule of its own: the lily's default asks 7 days, the rose none. Its
    # home holds the only rose lot fit for STRICT's 5 days.
    prebook(campaign, PartnerFactory(code="LAX", home_warehouse=ams), {"LILY": 100, "ROSE": 100})
    prebook(campaign, PartnerFactory(code="STRICT", home_warehouse=rtm, min_days_at_delivery=5), {"ROSE": 100})

    outcome = run_allocation(campaign=campaign, dry_run=False)

    assert sorted(outcome.granted.values()) == [100, 100, 100]
    strict = Order.objects.get(partner__code="STRICT")
    assert list(Reservation.objects.filter(order_id=strict.id).values_list("lot", "quantity")) == [("FRESH", 100)]


def test_an_allocation_past_the_credit_headroom_is_cancelled_and_its_units_go_to_the_next_in_line(
    warehouses, make_product
):
    make_product("ROSE", case_pack=10, list_price="2.00", stock={warehouses["AMS"]: 1000})
    campaign = make_campaign(skus=["ROSE"])
    fern = PartnerFactory(
        code="FERN", home_warehouse=warehouses["AMS"], payment_method=Partner.PaymentMethod.ACCOUNT, credit=None
    )
    CreditAccountFactory(partner=fern, credit_limit="10.00")
    prebook(campaign, fern, {"ROSE": 500})
    prebook(campaign, PartnerFactory(code="BLOOM", home_warehouse=warehouses["AMS"]), {"ROSE": 1000})

    run_allocation(campaign=campaign, dry_run=False)
    held = Order.objects.get(partner=fern)
    assert (held.status, held.cancel_reason, held.hold) == (OrderStatus.CANCELLED, "credit_limit", "")
    serve_waitlists()

    standings = {s.partner_code: s for s in line_standings(campaign)}
    assert (standings["FERN"].allocated, standings["FERN"].forfeited, standings["FERN"].waitlisted) == (0, 340, 0)
    assert (standings["BLOOM"].allocated, standings["BLOOM"].waitlisted) == (1000, 0)
    assert Stock.objects.get().reserved == 1000  # nothing promised twice


def test_a_client_cannot_take_a_key_of_the_runs_namespace(warehouses, make_product):
    make_product("VASE", case_pack=1, stock={warehouses["AMS"]: 10})
    partner = PartnerFactory(code="SQUAT", home_warehouse=warehouses["AMS"])
    with pytest.raises(OrderValidationError) as refused:
        place_order(
            partner=partner,
            lines=[{"sku": "VASE", "quantity": 1}],
            idempotency_key=f"campaign:VDAY:run:1:ship-to:{ship_to_of(partner).id}",
        )
    assert refused.value.code == "invalid_idempotency_key" and "campaign:" in refused.value.message


def test_a_case_pack_changed_after_the_pre_books_still_allocates_whole_packs(warehouses, make_product):
    rose = make_product("ROSE", case_pack=10, stock={warehouses["AMS"]: 1000})
    campaign = make_campaign(skus=["ROSE"])
    prebook(campaign, PartnerFactory(code="A", home_warehouse=warehouses["AMS"]), {"ROSE": 130})
    rose.case_pack = 25
    rose.save()

    outcome = run_allocation(campaign=campaign, dry_run=False)

    assert list(outcome.granted.values()) == [125]
