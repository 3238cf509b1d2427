"""The delivery promise elsewhere in the back office: a warehouse's time zone, the
route of each ship-to address (a new one gets its partner's home route), and each
order's delivery date, route and order-by moment on its warehouse's clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from backoffice.roles import WAREHOUSE
from fulfillment.factories import RouteFactory
from orders.factories import OrderFactory
from partners.factories import PartnerFactory, ShipToAddressFactory
from partners.models import ShipToAddress
from tests.support.admin import change_url, changelist, messages_of
from tests.support.roles import staff_in

pytestmark = pytest.mark.django_db

ADDRESS = {"line1": "Veiling 1", "postcode": "1431 GA", "city": "Aalsmeer", "country": "NL", "is_default": ""}


def test_a_warehouse_shows_and_changes_its_time_zone(staff_client, warehouses):
    lhr = warehouses["LHR"]

    listed = staff_client.get(changelist("inventory.warehouse")).content.decode()
    response = staff_client.post(
        change_url(lhr),
        {"code": "LHR", "name": lhr.name, "priority": lhr.priority, "is_open": "on", "timezone": "Europe/Dublin"},
    )

    assert "Europe/London" in listed
    assert response.status_code == 302
    lhr.refresh_from_db()
    assert lhr.timezone == "Europe/Dublin"


@pytest.mark.parametrize("zone", ["Europe/Londen", "Europe", "../etc/passwd"])
def test_a_time_zone_that_does_not_exist_is_refused_naming_it_and_nothing_changes(staff_client, warehouses, zone):
    lhr = warehouses["LHR"]

    response = staff_client.post(
        change_url(lhr),
        {"code": "LHR", "name": lhr.name, "priority": lhr.priority, "is_open": "on", "timezone": zone},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "timezone": [f"{zone!r} is not an IANA time zone (such as Europe/Amsterdam)."]
    }
    lhr.refresh_from_db()
    assert lhr.timezone == "Europe/London"


def test_a_new_address_without_a_route_gets_its_partners_home_route(staff_client, warehouses):
    partner = PartnerFactory(code="IRIS", home_warehouse=warehouses["AMS"])
    RouteFactory(code="AMS-NL", warehouse=warehouses["AMS"])  # after AMS-ALL by code: not the home route

    response = staff_client.post(
        reverse("admin:partners_shiptoaddress_add"), {"partner": partner.pk, "label": "Veiling", "route": "", **ADDRESS}
    )

    assert response.status_code == 302
    assert ShipToAddress.objects.get(label="Veiling").route.code == "AMS-ALL"


def test_a_new_address_keeps_the_route_chosen_for_it(staff_client, warehouses):
    partner = PartnerFactory(code="IRIS", home_warehouse=warehouses["AMS"])
    london = RouteFactory(code="LHR-UK", warehouse=warehouses["LHR"])

    staff_client.post(
        reverse("admin:partners_shiptoaddress_add"),
        {"partner": partner.pk, "label": "London", "route": london.pk, **ADDRESS},
    )

    assert ShipToAddress.objects.get(label="London").route == london


def test_an_address_whose_partner_has_no_home_route_is_saved_with_a_warning_naming_the_route(staff_client, warehouses):
    partner = PartnerFactory(code="NOHOME", home_warehouse=None)

    response = staff_client.post(
        reverse("admin:partners_shiptoaddress_add"),
        {"partner": partner.pk, "label": "Nowhere", "route": "", **ADDRESS},
        follow=True,
    )

    assert ShipToAddress.objects.get(label="Nowhere").route is None
    assert any(message.startswith("route: NOHOME's home warehouse has no route") for message in messages_of(response))


def test_the_address_list_shows_and_filters_by_route(staff_client, warehouses):
    london = RouteFactory(code="LHR-UK", warehouse=warehouses["LHR"])
    ShipToAddressFactory(label="Covent Garden", route=london)
    ShipToAddressFactory(label="Aalsmeer", partner__home_warehouse=warehouses["AMS"])

    page = staff_client.get(changelist("partners.shiptoaddress"), {"route__id__exact": london.pk})

    assert [address.label for address in page.context["cl"].result_list] == ["Covent Garden"]
    assert "LHR-UK" in page.content.decode()


def test_the_warehouse_role_moves_an_address_to_another_route_but_cannot_change_the_address(client, warehouses):
    address = ShipToAddressFactory(label="Shop", partner__home_warehouse=warehouses["AMS"])
    london = RouteFactory(code="LHR-UK", warehouse=warehouses["LHR"])
    client.force_login(staff_in("planner", WAREHOUSE))

    response = client.post(change_url(address), {"route": london.pk, "line1": "Elsewhere 9", "city": "Utrecht"})

    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.route, address.line1, address.city) == (london, "Bloemenmarkt 1", "Amsterdam")


def test_the_partner_page_shows_each_address_with_its_route(staff_client, warehouses):
    address = ShipToAddressFactory(label="Shop", partner__home_warehouse=warehouses["AMS"])

    page = staff_client.get(change_url(address.partner)).content.decode()

    assert "AMS-ALL" in page and change_url(address) in page


@pytest.fixture
def london_order(warehouses):
    london = RouteFactory(code="LHR-UK", warehouse=warehouses["LHR"])
    # Accepted under "order by Wednesday 25 March 2026, 10:00" in London, still on GMT (+00:00) that week.
    return OrderFactory(
        route=london,
        requested_delivery_date=date(2026, 3, 27),
        order_by=datetime(2026, 3, 25, 10, 0, tzinfo=ZoneInfo("Europe/London")),
    )


def test_the_order_list_shows_delivery_date_route_and_order_by_on_the_warehouse_clock(staff_client, london_order):
    OrderFactory()  # an order from before routes: no date, no route

    html = staff_client.get(changelist("orders.order")).content.decode()

    assert "LHR-UK" in html and "27 Mar 2026" in html
    assert '<time datetime="2026-03-25T10:00:00+00:00">Wed 25 Mar 10:00 GMT</time>' in html


def test_the_order_page_shows_the_order_by_on_the_warehouse_clock(staff_client, london_order):
    html = staff_client.get(change_url(london_order)).content.decode()

    assert "Wed 25 Mar 10:00 GMT" in html and "LHR-UK" in html


def test_orders_are_filtered_by_route_and_delivery_date(staff_client, london_order, warehouses):
    OrderFactory(
        route=RouteFactory(code="AMS-NL", warehouse=warehouses["AMS"]), requested_delivery_date=date(2026, 3, 28)
    )

    by_route = staff_client.get(changelist("orders.order"), {"route__id__exact": london_order.route_id})
    by_date = staff_client.get(
        changelist("orders.order"),
        {"requested_delivery_date__gte": "2026-03-28", "requested_delivery_date__lt": "2026-03-29"},
    )

    assert [order.pk for order in by_route.context["cl"].result_list] == [london_order.pk]
    assert [order.route.code for order in by_date.context["cl"].result_list] == ["AMS-NL"]
