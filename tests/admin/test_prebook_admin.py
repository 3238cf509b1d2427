"""Pre-books in the back office: a read-only list filtered by campaign and partner and
searched by partner code, each line with where it stands, and the export of one row
per pre-book line; and the partner's allocation tier, kept on the partner."""

import csv
import io
import re

import pytest
from django.urls import reverse

from config.moments import utc_text
from orders.campaign_runs import run_allocation
from orders.models import Prebook
from orders.prebooks import withdraw_prebook
from partners.factories import PartnerFactory, ShipToAddressFactory
from partners.models import Partner
from tests.support.admin import change_form_data, change_url, changelist
from tests.support.campaigns import campaign_date, make_campaign, prebook

pytestmark = pytest.mark.django_db

PREBOOKS = "orders.prebook"
EXPORT_COLUMNS = [
    "campaign",
    "prebook",
    "partner",
    "ship_to",
    "sku",
    "requested",
    "allocated",
    "waitlisted",
    "waitlist_position",
    "prebooked_at",
    "withdrawn_at",
]


@pytest.fixture
def world(warehouses, make_product):
    """VDAY: 1,000 roses (packs of 25) and tulips; ALPHA pre-books 600 roses and 100
    tulips, BETA 300 roses and then withdraws a second pre-book, GAMMA 300 roses.
    MDAY: GAMMA pre-books 50 tulips."""
    make_product("ROSE-RED", case_pack=25, list_price="0.80", stock={warehouses["AMS"]: 1000})
    make_product("TULIP-RED", case_pack=50, list_price="0.30", stock={warehouses["AMS"]: 5000})
    vday = make_campaign(skus=["ROSE-RED", "TULIP-RED"])
    mday = make_campaign("MDAY", skus=["TULIP-RED"], name="Mother's Day", delivery_date=campaign_date(20))
    alpha, beta, gamma = (
        PartnerFactory(code=code, home_warehouse=warehouses["AMS"]) for code in ("ALPHA", "BETA", "GAMMA")
    )
    ShipToAddressFactory(partner=alpha, label="Shop", is_default=True)
    prebooks = {
        "alpha": prebook(vday, alpha, {"ROSE-RED": 600, "TULIP-RED": 100}),
        "beta": prebook(vday, beta, {"ROSE-RED": 300}),
        "beta-withdrawn": prebook(vday, beta, {"TULIP-RED": 50}),
        "gamma": prebook(vday, gamma, {"ROSE-RED": 300}),
        "gamma-mday": prebook(mday, gamma, {"TULIP-RED": 50}),
    }
    withdraw_prebook(campaign=vday, prebook_id=prebooks["beta-withdrawn"].id, partner=None)
    return {"vday": vday, "mday": mday, "prebooks": prebooks}


def listed(response) -> set[int]:
    return {prebook.id for prebook in response.context["cl"].result_list}


def test_the_list_filters_by_campaign_and_partner_and_searches_by_partner_code(staff_client, world):
    prebooks, vday = world["prebooks"], world["vday"]
    gamma = Partner.objects.get(code="GAMMA")

    by_campaign = staff_client.get(changelist(PREBOOKS), {"campaign__id__exact": vday.id})
    by_partner = staff_client.get(changelist(PREBOOKS), {"partner__id__exact": gamma.id})
    searched = staff_client.get(changelist(PREBOOKS), {"q": "BETA"})
    open_only = staff_client.get(changelist(PREBOOKS), {"withdrawn_at__isempty": "1"})

    assert listed(by_campaign) == {prebooks[k].id for k in ("alpha", "beta", "beta-withdrawn", "gamma")}
    assert listed(by_partner) == {prebooks["gamma"].id, prebooks["gamma-mday"].id}
    assert listed(searched) == {prebooks["beta"].id, prebooks["beta-withdrawn"].id}
    assert prebooks["beta-withdrawn"].id not in listed(open_only)
    assert "600 ROSE-RED, 100 TULIP-RED" in by_campaign.content.decode()


def test_pre_books_cannot_be_added_changed_or_deleted_here(staff_client, world):
    alpha = world["prebooks"]["alpha"]

    assert staff_client.get(reverse("admin:orders_prebook_add")).status_code == 403
    assert staff_client.post(change_url(alpha), {"source": "csv"}).status_code == 403
    assert (
        staff_client.post(reverse("admin:orders_prebook_delete", args=[alpha.pk]), {"post": "yes"}).status_code == 403
    )
    assert Prebook.objects.get(pk=alpha.pk).withdrawn_at is None


def test_a_pre_books_page_shows_where_each_line_stands(staff_client, world):
    run_allocation(campaign=world["vday"], dry_run=False)

    page = staff_client.get(change_url(world["prebooks"]["alpha"]))

    html = re.sub(r">\s+<", "><", page.content.decode())
    assert page.status_code == 200 and 'name="_save"' not in html
    for cell in ("ROSE-RED", '<td class="field-allocated"><p>500</p>', '<td class="field-waitlisted"><p>100</p>'):
        assert cell in html, cell
    assert '<td class="field-place_in_line"><p>1</p>' in html


def export(client, **filters) -> list[dict]:
    """The list's CSV export, every column chosen, as rows by column name."""
    fields = {f"prebooklineexportresource_{name}": "on" for name in EXPORT_COLUMNS}
    url = changelist(PREBOOKS).rstrip("/") + "/export/"
    if filters:
        url += "?" + "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.post(url, {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200, response.content.decode()[:2000]
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames == EXPORT_COLUMNS
    return list(reader)


def test_the_export_has_one_row_per_pre_book_line_with_its_standing(staff_client, world):
    prebooks = world["prebooks"]
    run_allocation(campaign=world["vday"], dry_run=False)

    rows = export(staff_client, campaign__id__exact=world["vday"].id)

    table = [(r["prebook"], r["partner"], r["sku"], r["requested"], r["allocated"], r["waitlisted"],
              r["waitlist_position"]) for r in rows]  # fmt: skip
    alpha, beta, withdrawn, gamma = (str(prebooks[k].id) for k in ("alpha", "beta", "beta-withdrawn", "gamma"))
    assert table == [
        (alpha, "ALPHA", "ROSE-RED", "600", "500", "100", "1"),
        (alpha, "ALPHA", "TULIP-RED", "100", "100", "0", ""),
        (beta, "BETA", "ROSE-RED", "300", "250", "50", "2"),
        (withdrawn, "BETA", "TULIP-RED", "50", "0", "0", ""),
        (gamma, "GAMMA", "ROSE-RED", "300", "250", "50", "3"),
    ]
    assert {r["campaign"] for r in rows} == {"VDAY"}
    assert rows[0]["ship_to"] == "Shop"
    withdrawn_at = Prebook.objects.get(pk=prebooks["beta-withdrawn"].pk).withdrawn_at
    assert rows[3]["withdrawn_at"] == utc_text(withdrawn_at)
    assert [r["withdrawn_at"] for r in rows if r["prebook"] != withdrawn] == [""] * 4
    assert rows[0]["prebooked_at"].endswith("Z")


def test_the_export_before_any_run_shows_nothing_allocated_or_waiting(staff_client, world):
    rows = export(staff_client, partner__id__exact=Partner.objects.get(code="GAMMA").id)

    assert [(r["campaign"], r["sku"], r["requested"], r["allocated"], r["waitlisted"]) for r in rows] == [
        ("MDAY", "TULIP-RED", "50", "0", "0"),
        ("VDAY", "ROSE-RED", "300", "0", "0"),
    ]


def test_the_partner_list_shows_the_allocation_tier_and_its_form_sets_it(staff_client, account_buyer):
    listing = staff_client.get(reverse("admin:partners_partner_changelist")).content.decode()
    assert "column-allocation_priority" in listing

    form_page = staff_client.get(change_url(account_buyer))
    assert "lower is served first" in form_page.content.decode()
    data = change_form_data(form_page)

    assert staff_client.post(change_url(account_buyer), data | {"allocation_priority": "10"}).status_code == 302
    account_buyer.refresh_from_db()
    assert account_buyer.allocation_priority == 10


def test_a_tier_that_is_no_whole_number_is_named_and_nothing_changes(staff_client, account_buyer):
    data = change_form_data(staff_client.get(change_url(account_buyer)))

    response = staff_client.post(change_url(account_buyer), data | {"allocation_priority": "-1"})

    assert response.status_code == 200
    assert "allocation_priority" in response.context["adminform"].form.errors
    account_buyer.refresh_from_db()
    assert account_buyer.allocation_priority == 100
