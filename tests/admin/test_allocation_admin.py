"""A campaign's allocation in the back office: the dry run shows the fair share and
writes nothing; committing asks first, takes a POST with its CSRF token and the
permission orders.run_allocation, and makes each order once however often it is
clicked; a run's page shows per product the supply and each tier's requests, the fill
rate per partner as a table and as bars, where each line stands and the stored inputs."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.roles import CATALOGUE_MANAGER, CUSTOMER_SERVICE
from inventory.factories import StockFactory
from inventory.models import Stock
from orders.models import AllocationRun, Campaign, Order
from partners.factories import PartnerFactory
from partners.models import Partner
from tests.support.admin import change_url, messages_of, run_action
from tests.support.campaigns import make_campaign, prebook
from tests.support.roles import staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROSE-RED", case_pack=25, list_price="0.80", stock={warehouses["AMS"]: 1000})


@pytest.fixture
def campaign(roses, warehouses):
    """1,000 roses in packs of 25; ALPHA, BETA and GAMMA pre-book 600, 300 and 300, in that order."""
    campaign = make_campaign(skus=["ROSE-RED"])
    for code, quantity in (("ALPHA", 600), ("BETA", 300), ("GAMMA", 300)):
        prebook(campaign, PartnerFactory(code=code, home_warehouse=warehouses["AMS"]), {"ROSE-RED": quantity})
    return campaign


def page_of(campaign, name: str, *args) -> str:
    return reverse(f"admin:orders_campaign_{name}", args=[campaign.pk, *args])


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def fills(response) -> dict[str, tuple]:
    return {
        f.partner: (f.tier, f.requested, f.allocated, str(f.fill_percent)) for f in response.context["report"].partners
    }


def test_a_dry_run_shows_the_fair_share_and_writes_nothing(staff_client, campaign, roses):
    response = staff_client.get(page_of(campaign, "dry_run"))

    assert response.status_code == 200
    assert fills(response) == {
        "ALPHA": (100, 600, 500, "83.3"),
        "BETA": (100, 300, 250, "83.3"),
        "GAMMA": (100, 300, 250, "83.3"),
    }
    after = [
        (row["standing"].partner_code, row["granted"], row["standing"].waitlisted) for row in response.context["lines"]
    ]
    assert after == [("ALPHA", 500, 100), ("BETA", 250, 50), ("GAMMA", 250, 50)]
    assert [row["standing"].waitlist_position for row in response.context["lines"]] == [1, 2, 3]
    assert "A dry run: nothing was written." in response.content.decode()
    assert not AllocationRun.objects.exists() and not Order.objects.exists()
    assert Stock.objects.get(product=roses).reserved == 0
    campaign.refresh_from_db()
    assert not campaign.is_allocated


def test_committing_asks_first_then_makes_each_order_once_however_often_it_is_clicked(staff_client, campaign):
    confirm = staff_client.get(page_of(campaign, "commit"))
    html = confirm.content.decode()
    assert (
        confirm.status_code == 200 and 'value="Commit the allocation"' in html and 'name="after_run" value="0"' in html
    )
    assert 'id="window-still-open"' in html  # pre-booking closes tomorrow: committing now closes it
    assert not Order.objects.exists()

    first = staff_client.post(page_of(campaign, "commit"), {"after_run": "0"}, follow=True)
    again = staff_client.post(page_of(campaign, "commit"), {"after_run": "0"}, follow=True)

    orders = Order.objects.filter(source=Order.Source.PREBOOK)
    assert orders.count() == 3 and AllocationRun.objects.count() == 1
    assert first.redirect_chain[-1][0] == page_of(campaign, "run", 1)
    assert f"Run 1 committed: 3 order(s), {', '.join(sorted(orders.values_list('number', flat=True)))}." in (
        messages_of(first)
    )
    assert any(
        "Run 1 of VDAY was committed since that page was shown; nothing was run again" in m for m in messages_of(again)
    )


def test_committing_needs_the_forms_csrf_token(clerk, campaign):
    client = logged_in(clerk, enforce_csrf_checks=True)
    token = csrf_token_of(client.get(page_of(campaign, "commit")).content.decode())

    assert client.post(page_of(campaign, "commit"), {"after_run": "0"}).status_code == 403
    assert not Order.objects.exists()
    assert client.post(page_of(campaign, "commit"), {"after_run": "0", "csrfmiddlewaretoken": token}).status_code == 302
    assert Order.objects.count() == 3


def test_the_run_page_shows_supply_tiers_fill_rates_a_chart_lines_and_inputs(staff_client, campaign):
    Partner.objects.filter(code="ALPHA").update(allocation_priority=50)
    staff_client.post(page_of(campaign, "commit"), {"after_run": "0"})

    response = staff_client.get(page_of(campaign, "runs"), follow=True)

    assert response.redirect_chain[-1][0] == page_of(campaign, "run", 1)
    [rose] = response.context["report"].products
    assert (rose.sku, rose.case_pack, rose.most_supply, rose.unallocated) == ("ROSE-RED", 25, 1000, 0)
    assert [(t.tier, t.partners, t.requested, t.allocated) for t in rose.tiers] == [
        (50, ("ALPHA",), 600, 600),
        (100, ("BETA", "GAMMA"), 600, 400),
    ]
    assert fills(response) == {
        "ALPHA": (50, 600, 600, "100.0"),
        "BETA": (100, 300, 200, "66.6"),
        "GAMMA": (100, 300, 200, "66.6"),
    }
    html = response.content.decode()
    assert 'data-sku="ROSE-RED"' in html and re.search(r'data-days="\d+">1000 ', html)
    # The chart, drawn on the server with no inline style: the product's bars to the
    # scale of its 1,200 requested, then each partner's fill rate.
    bars = re.findall(r'<rect class="bar-(\w+)" width="(\d+)"', html)
    assert bars == [
        ("supply", "83"),
        ("requested", "50"),
        ("allocated", "50"),
        ("requested", "50"),
        ("allocated", "33"),
        *[("track", "100"), ("allocated", "100")],
        *[("track", "100"), ("allocated", "66")] * 2,
    ]
    assert "style=" not in html.split('id="allocation-run"')[1]
    standing = [(r["standing"].partner_code, r["standing"].allocated, r["standing"].waitlisted,
                 r["standing"].waitlist_position) for r in response.context["lines"]]  # fmt: skip
    assert standing == [("ALPHA", 600, 0, None), ("BETA", 200, 100, 1), ("GAMMA", 200, 100, 2)]
    assert len(response.context["orders"]) == 3 and 'id="run-orders"' in html
    assert "&quot;requests&quot;" in html and "&quot;supply&quot;" in html  # the stored inputs


def test_a_later_run_serves_the_waitlist_and_each_run_keeps_its_own_page(staff_client, campaign, roses, warehouses):
    staff_client.post(page_of(campaign, "commit"), {"after_run": "0"})
    StockFactory(product=roses, warehouse=warehouses["AMS"], lot="L2", on_hand=100)

    response = staff_client.post(page_of(campaign, "commit"), {"after_run": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == page_of(campaign, "run", 2)
    assert response.context["report"].kind == "waitlist"
    assert fills(response) == {
        "ALPHA": (100, 100, 100, "100.0"),
        "BETA": (100, 50, 0, "0.0"),
        "GAMMA": (100, 50, 0, "0.0"),
    }
    first = staff_client.get(page_of(campaign, "run", 1))
    assert fills(first)["ALPHA"] == (100, 600, 500, "83.3")
    assert first.context["runs"] == [1, 2]


def test_staff_without_the_run_permission_see_the_campaign_but_cannot_run_it(campaign):
    service = logged_in(staff_in("service", CUSTOMER_SERVICE))

    page = service.get(change_url(campaign))
    assert page.status_code == 200 and "Dry run allocation" not in page.content.decode()
    assert service.get(page_of(campaign, "dry_run")).status_code == 403
    assert service.get(page_of(campaign, "commit")).status_code == 403
    assert service.post(page_of(campaign, "commit"), {"after_run": "0"}).status_code == 403
    assert not Order.objects.exists() and not AllocationRun.objects.exists()


def test_the_catalogue_manager_runs_and_commits_it(campaign):
    manager = logged_in(staff_in("catalogue", CATALOGUE_MANAGER))

    assert "Run and commit allocation" in manager.get(change_url(campaign)).content.decode()
    assert manager.get(page_of(campaign, "dry_run")).status_code == 200
    response = manager.post(page_of(campaign, "commit"), {"after_run": "0"}, follow=True)

    assert response.status_code == 200 and Order.objects.count() == 3
    assert AllocationRun.objects.get().actor == "catalogue"
    # The run's orders are named, not linked: the role does not look orders up.
    html = response.content.decode()
    assert all(order.number in html for order in Order.objects.all()) and "/admin/orders/order/" not in html


def test_a_campaign_whose_date_has_passed_is_refused_with_a_message(staff_client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(delivery_date=timezone.localdate() - datetime.timedelta(days=1))

    response = staff_client.get(page_of(campaign, "dry_run"), follow=True)

    assert response.redirect_chain[-1][0] == change_url(campaign)
    assert any("has passed; nothing can be allocated" in m for m in messages_of(response))
    assert not AllocationRun.objects.exists()


def test_the_list_actions_lead_to_one_campaigns_pages(staff_client, campaign, roses):
    other = make_campaign("MDAY", skus=["ROSE-RED"], name="Mother's Day")

    dry = run_action(staff_client, "orders.campaign", "dry_run_allocation", [campaign])
    confirm = run_action(staff_client, "orders.campaign", "commit_allocation", [campaign])
    both = run_action(staff_client, "orders.campaign", "dry_run_allocation", [campaign, other])

    assert dry.redirect_chain[-1][0] == page_of(campaign, "dry_run") and "A dry run" in dry.content.decode()
    assert confirm.redirect_chain[-1][0] == page_of(campaign, "commit")
    assert "Choose one campaign for an allocation run." in messages_of(both)
    assert not Order.objects.exists()


def test_a_run_that_does_not_exist_is_named(staff_client, campaign):
    response = staff_client.get(page_of(campaign, "run", 7), follow=True)

    assert "VDAY has no run 7." in messages_of(response)
