"""A campaign's pages in the portal: the list, the page where intake's refusals point
(its date and window, prices, caps left, standings per line after a committed run),
and pre-booking, changing and withdrawing through it, each bad input refused with
nothing changed, and nobody reaching a pre-book that is not theirs."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from orders.campaign_runs import run_allocation
from orders.campaigns import prebook_page_path
from orders.models import Prebook, PrebookLine
from partners.factories import MembershipFactory, PartnerFactory, ShipToAddressFactory, UserFactory
from partners.models import Membership
from portal.campaign_text import moment_text
from tests.support.campaigns import make_campaign, prebook

pytestmark = pytest.mark.django_db

PAGE = "/campaigns/VDAY/"


def cases(product, number) -> dict:
    return {f"cases_{product.id}": str(number)}


def prebook_post(portal, ship_to, *lines: dict, token="form-1", follow=False):
    data = {"token": token, "ship_to": ship_to.id}
    for line in lines:
        data.update(line)
    return portal.post(PAGE, data, follow=follow)


def change_post(portal, prebook_id, ship_to, *lines: dict):
    data = {f"prebook-{prebook_id}-ship_to": ship_to.id}
    for line in lines:
        data.update({f"prebook-{prebook_id}-{name}": value for name, value in line.items()})
    return portal.post(f"{PAGE}prebooks/{prebook_id}/change/", data)


def lines_of(prebook_row) -> list[tuple[str, int]]:
    return [(line.product.sku, line.quantity) for line in prebook_row.lines.order_by("id")]


# --- where the page is, and what it shows ---------------------------------------------------


def test_the_page_is_where_intakes_refusal_points(rose_campaign):
    assert reverse("portal:campaign", args=["VDAY"]) == prebook_page_path("VDAY") == PAGE


def test_the_list_shows_the_campaigns_ahead_linked_from_the_navigation(portal, rose_campaign, products):
    make_campaign("MDAY", name="Mother's Day", skus=["ROSE-RED"], delivery_date=timezone.localdate() + timedelta(20))
    now = timezone.now()
    make_campaign("PAST", name="Last year", skus=["ROSE-RED"], delivery_date=timezone.localdate(),
                  opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))  # fmt: skip

    home = portal.get("/").content.decode()
    listing = portal.get("/campaigns/").content.decode()

    assert 'href="/campaigns/"' in home and "Pre-book peak campaigns" in home
    assert listing.index('href="/campaigns/VDAY/"') < listing.index('href="/campaigns/MDAY/"')
    assert "Valentine&#x27;s Day" in listing and "Open" in listing
    assert 'href="/campaigns/PAST/"' in listing  # delivering today is still ahead


def test_shows_the_date_window_prices_and_the_cap_left(portal, rose_campaign, account_buyer, ship_tos, products):
    prebook(rose_campaign, account_buyer, {"ROSE-RED": 50})  # by someone else of the company

    page = portal.get(PAGE).content.decode()

    assert f"Pre-booking is open until {moment_text(rose_campaign.closes_at)}" in page
    assert "Amsterdam time" in page
    assert rose_campaign.delivery_date.strftime("%A") in page
    rose_row = page[page.index('id="product-ROSE-RED"') : page.index('id="product-TULIP-YEL"')]
    assert "€ 0.80" in rose_row  # list price
    assert "€ 0.70" in rose_row and "from 100: € 0.60" in rose_row  # FERN's own prices
    assert '<td class="num">200</td>' in rose_row and '<td class="num cap-left">150</td>' in rose_row
    tulip_row = page[page.index('id="product-TULIP-YEL"') :]
    assert '<td class="num">100</td>' in tulip_row  # the minimum, in units
    assert "none" in tulip_row  # no cap
    assert f'<label class="visually-hidden" for="id_cases_{products["rose"].id}">Cases of ROSE-RED</label>' in page
    assert 'id="prebook-submit">Pre-book</button>' in page and 'id="prebook-upload-submit">Upload</button>' in page


def test_an_unknown_campaign_is_not_found(portal, rose_campaign):
    assert portal.get("/campaigns/NOPE/").status_code == 404


# --- pre-book, change, withdraw -----------------------------------------------------------


def test_prebooks_cases_as_units_for_the_chosen_address(portal, rose_campaign, products, ship_tos, buyer):
    response = prebook_post(portal, ship_tos[1], cases(products["rose"], 5), cases(products["tulip"], 2))

    made = Prebook.objects.get()
    assert response.status_code == 302 and response["Location"] == PAGE
    assert lines_of(made) == [("ROSE-RED", 50), ("TULIP-YEL", 100)]
    assert (made.ship_to, made.placed_by, made.source) == (ship_tos[1], buyer, "portal")
    page = portal.get(PAGE).content.decode()
    assert f"Pre-book #{made.id} placed" in page
    assert "requested 50, waiting for the allocation" in page and "requested 100, waiting for the allocation" in page
    assert '<td class="num cap-left">150</td>' in page


def test_a_second_click_on_the_same_form_is_one_prebook(portal, rose_campaign, products, ship_tos):
    prebook_post(portal, ship_tos[0], cases(products["rose"], 5))
    again = prebook_post(portal, ship_tos[0], cases(products["rose"], 5))

    assert again.status_code == 302
    assert Prebook.objects.count() == 1


def test_changes_a_prebook_which_keeps_its_place(portal, rose_campaign, products, ship_tos, buyer, account_buyer):
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 50}, user=buyer)

    response = change_post(portal, mine.id, ship_tos[1], cases(products["rose"], 20), cases(products["tulip"], 4))

    mine.refresh_from_db()
    assert response.status_code == 302
    assert lines_of(mine) == [("ROSE-RED", 200), ("TULIP-YEL", 200)]
    assert mine.ship_to == ship_tos[1]
    page = portal.get(PAGE).content.decode()
    assert f"Pre-book #{mine.id} changed." in page and '<td class="num cap-left">0</td>' in page


def test_the_change_form_shows_the_prebook_in_cases(portal, rose_campaign, products, buyer, account_buyer):
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 70}, user=buyer)

    page = portal.get(PAGE).content.decode()

    assert f'name="prebook-{mine.id}-cases_{products["rose"].id}" value="7"' in page
    assert f'id="save-prebook-{mine.id}">Save changes</button>' in page
    assert f'id="withdraw-prebook-{mine.id}">Withdraw</button>' in page


def test_withdraws_a_prebook(portal, rose_campaign, buyer, account_buyer):
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 200}, user=buyer)

    response = portal.post(f"{PAGE}prebooks/{mine.id}/withdraw/", follow=True)

    mine.refresh_from_db()
    page = response.content.decode()
    assert mine.withdrawn_at is not None
    assert f"Pre-book #{mine.id} withdrawn." in page and '<td class="num cap-left">200</td>' in page
    assert "requested 200" not in page


# --- standings --------------------------------------------------------------------------------


def test_after_a_committed_run_each_line_says_where_it_stands(
    portal, warehouses, make_product, account_buyer, ship_tos, buyer
):
    # Cheap enough that FERN's 450 stay within its credit (past it, its order would cancel).
    make_product("ROSE-PEAK", case_pack=50, list_price="1.00", stock={warehouses["AMS"]: 1350})
    campaign = make_campaign("VDAY", skus=["ROSE-PEAK"])
    for code in ("ALPHA", "BETA"):
        prebook(campaign, PartnerFactory(code=code, home_warehouse=warehouses["AMS"]), {"ROSE-PEAK": 600})
    mine = prebook(campaign, account_buyer, {"ROSE-PEAK": 600}, user=buyer)
    before = portal.get(PAGE).content.decode()

    run_allocation(campaign=campaign, dry_run=False, actor="staff")

    page = portal.get(PAGE).content.decode()
    line = mine.lines.get()
    assert "requested 600, waiting for the allocation" in before
    row = page[page.index(f'id="standing-{line.id}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="standing">requested 600, allocated 450, 150 waitlisted, 3rd in line</td>' in row
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["600", "450", "150", "3"]
    assert "Allocated on" in page and "Save changes" not in page and 'id="prebook-form"' not in page


# --- who may see and touch which pre-book ---------------------------------------------------------


def test_another_partners_prebook_is_not_found(portal, rose_campaign, products, warehouses, ship_tos):
    ivy = PartnerFactory(code="IVY", home_warehouse=warehouses["AMS"])
    theirs = prebook(rose_campaign, ivy, {"ROSE-RED": 50})

    change = change_post(portal, theirs.id, ship_tos[0], cases(products["rose"], 1))
    withdraw = portal.post(f"{PAGE}prebooks/{theirs.id}/withdraw/")

    theirs.refresh_from_db()
    assert (change.status_code, withdraw.status_code) == (404, 404)
    assert theirs.withdrawn_at is None and lines_of(theirs) == [("ROSE-RED", 50)]
    assert "requested 50" not in portal.get(PAGE).content.decode()


def test_a_buyer_sees_their_own_prebooks_and_a_partner_admin_the_companys(
    client, portal, rose_campaign, account_buyer, buyer
):
    colleague = UserFactory(username="ferncolleague")
    MembershipFactory(user=colleague, partner=account_buyer)
    theirs = prebook(rose_campaign, account_buyer, {"ROSE-RED": 60}, user=colleague)
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 40}, user=buyer)

    buyers_page = portal.get(PAGE).content.decode()
    refused = portal.post(f"{PAGE}prebooks/{theirs.id}/withdraw/")
    admin = UserFactory(username="fernadmin")
    MembershipFactory(user=admin, partner=account_buyer, role=Membership.Role.ADMIN)
    client.force_login(admin)
    admins_page = client.get(PAGE).content.decode()

    assert "requested 40," in buyers_page and "requested 60," not in buyers_page
    assert '<td class="num cap-left">100</td>' in buyers_page  # the cap counts the company's
    assert refused.status_code == 404 and Prebook.objects.get(id=theirs.id).withdrawn_at is None
    assert "requested 40," in admins_page and "requested 60," in admins_page
    assert f"Change or withdraw pre-book #{mine.id}" in admins_page


# --- bad input: refused, named, nothing changed -----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "ROSE-RED: enter a whole number of cases (0 for none)."),
        ("-2", "ROSE-RED: enter a whole number of cases (0 for none)."),
        ("1.5", "ROSE-RED: enter a whole number of cases (0 for none)."),
        ("99999999", "ROSE-RED: enter a whole number of cases (0 for none)."),
    ],
)
def test_a_number_of_cases_that_is_no_whole_number_is_named(portal, rose_campaign, products, ship_tos, typed, message):
    response = prebook_post(portal, ship_tos[0], cases(products["rose"], typed))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Prebook.objects.exists()


def test_below_the_minimum_is_named_next_to_its_product(portal, rose_campaign, products, ship_tos):
    response = prebook_post(portal, ship_tos[0], cases(products["rose"], 1), cases(products["tulip"], 1))

    page = response.content.decode()
    assert response.status_code == 422
    assert f'id="id_cases_{products["tulip"].id}-error">the minimum order for TULIP-YEL is 100; got 50.<' in page
    assert not Prebook.objects.exists()


def test_past_the_cap_is_refused_naming_what_is_left(portal, rose_campaign, products, ship_tos, account_buyer):
    prebook(rose_campaign, account_buyer, {"ROSE-RED": 150})

    response = prebook_post(portal, ship_tos[0], cases(products["rose"], 6))

    page = response.content.decode()
    assert response.status_code == 422
    assert "ROSE-RED is capped at 200 per partner in campaign VDAY; FERN has 150 pre-booked, so 50 are left." in page
    assert Prebook.objects.count() == 1


def test_changing_past_the_cap_is_refused(portal, rose_campaign, products, ship_tos, account_buyer, buyer):
    prebook(rose_campaign, account_buyer, {"ROSE-RED": 150})
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 50}, user=buyer)

    response = change_post(portal, mine.id, ship_tos[0], cases(products["rose"], 6))

    assert response.status_code == 422
    assert "so 50 are left." in response.content.decode()
    assert lines_of(mine) == [("ROSE-RED", 50)]


def test_nothing_typed_is_refused(portal, rose_campaign, products, ship_tos):
    response = prebook_post(portal, ship_tos[0], cases(products["rose"], 0))

    assert response.status_code == 422
    assert "A pre-book needs at least one line." in response.content.decode()
    assert not Prebook.objects.exists()


def test_a_change_to_nothing_points_to_withdraw(portal, rose_campaign, products, ship_tos, account_buyer, buyer):
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 50}, user=buyer)

    response = change_post(portal, mine.id, ship_tos[0], cases(products["rose"], 0))

    assert response.status_code == 422
    assert "to cancel it, withdraw it." in response.content.decode()
    assert lines_of(mine) == [("ROSE-RED", 50)]


def test_another_partners_address_is_refused(portal, rose_campaign, products, warehouses):
    foreign = ShipToAddressFactory(partner=PartnerFactory(code="IVY", home_warehouse=warehouses["AMS"]))

    response = prebook_post(portal, foreign, cases(products["rose"], 1))

    assert response.status_code == 400
    assert "Choose one of your addresses." in response.content.decode()
    assert not Prebook.objects.exists()


def test_the_same_form_sent_again_with_other_quantities_is_refused(portal, rose_campaign, products, ship_tos):
    prebook_post(portal, ship_tos[0], cases(products["rose"], 5))

    response = prebook_post(portal, ship_tos[0], cases(products["rose"], 6))

    assert response.status_code == 422
    assert "This form was sent before with other quantities" in response.content.decode()
    assert lines_of(Prebook.objects.get()) == [("ROSE-RED", 50)]


def test_one_second_after_the_window_closes_nothing_can_be_placed_changed_or_withdrawn(
    portal, rose_campaign, products, ship_tos, account_buyer, buyer
):
    mine = prebook(rose_campaign, account_buyer, {"ROSE-RED": 50}, user=buyer)
    closed = f"Pre-booking for VDAY closed {moment_text(rose_campaign.closes_at)}; nothing was changed."

    with time_machine.travel(rose_campaign.closes_at + timedelta(seconds=1), tick=False):
        placed = prebook_post(portal, ship_tos[0], cases(products["rose"], 1))
        changed = change_post(portal, mine.id, ship_tos[0], cases(products["rose"], 2))
        withdrawn = portal.post(f"{PAGE}prebooks/{mine.id}/withdraw/", follow=True)

    assert placed.status_code == changed.status_code == 422
    for response in (placed, changed, withdrawn):
        assert closed in response.content.decode()
    assert Prebook.objects.count() == 1 and PrebookLine.objects.get().quantity == 50
    mine.refresh_from_db()
    assert mine.withdrawn_at is None


def test_at_the_closing_second_itself_a_prebook_is_taken(portal, rose_campaign, products, ship_tos):
    with time_machine.travel(rose_campaign.closes_at, tick=False):
        response = prebook_post(portal, ship_tos[0], cases(products["rose"], 1))

    assert response.status_code == 302 and Prebook.objects.count() == 1
