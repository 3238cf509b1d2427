"""Routes in the back office: listed as a planner reads them, edited with weekday
checkboxes through fulfillment.routes.upsert_route, refused naming the field, and an
exception saved here is what the next order is judged by."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment.factories import RouteExceptionFactory
from fulfillment.models import Route, RouteException
from orders.exceptions import DeliveryDateUnavailableError
from partners.factories import ShipToAddressFactory
from tests.support.admin import change_url, changelist
from tests.support.journey import place

ADD_URL = reverse("admin:fulfillment_route_add")
NO_EXCEPTIONS = {"exceptions-TOTAL_FORMS": "0", "exceptions-INITIAL_FORMS": "0"}


def route_form(route=None, **changes) -> dict:
    """What the route's change form posts: its fields, weekdays as ticked boxes."""
    data = {"name": "Utrecht trucks", "delivery_weekdays": ["1", "3"], "order_by_time": "15:30", "lead_days": "1"}
    if route is not None:
        data |= {
            "name": route.name,
            "delivery_weekdays": [str(day) for day in route.delivery_weekdays],
            "order_by_time": route.order_by_time.strftime("%H:%M"),
            "lead_days": str(route.lead_days),
            "warehouse": str(route.warehouse_id),
        }
    return {**data, **NO_EXCEPTIONS, **changes}


@pytest.mark.django_db
def test_the_list_shows_warehouse_zone_weekdays_order_by_lead_days_and_ship_to_count(staff_client, routes):
    ShipToAddressFactory.create_batch(2, route=routes["LHR-UK"])

    page = staff_client.get(changelist("fulfillment.route"))

    rows = {row.code: row for row in page.context["cl"].result_list}
    assert rows["LHR-UK"].ship_to_count == 2 and rows["AMS-NL"].ship_to_count == 0
    html = page.content.decode()
    assert "Mon–Sat" in html and "Tue, Fri" in html and "Europe/London" in html and "14:00" in html
    assert reverse("admin:fulfillment_route_calendar", args=[routes["LHR-UK"].pk]) in html


@pytest.mark.django_db
def test_the_change_page_ticks_the_weekdays_and_links_to_the_month_view_and_the_range_form(staff_client, routes):
    route = routes["LHR-UK"]

    page = staff_client.get(change_url(route))

    boxes = page.context["adminform"].form["delivery_weekdays"]
    assert [box.data["value"] for box in boxes if box.data["selected"]] == [2, 5]
    html = page.content.decode()
    assert reverse("admin:fulfillment_route_calendar", args=[route.pk]) in html
    assert reverse("admin:fulfillment_route_exceptions_for_dates", args=[route.pk]) in html


@pytest.mark.django_db
def test_a_route_is_added_with_the_weekdays_ticked_in_order(staff_client, warehouses):
    response = staff_client.post(
        ADD_URL, route_form(code="UTR-NL", warehouse=warehouses["AMS"].pk, delivery_weekdays=["6", "1", "3"])
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    route = Route.objects.get(code="UTR-NL")
    assert (route.delivery_weekdays, route.order_by_time, route.lead_days) == ([1, 3, 6], time(15, 30), 1)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"delivery_weekdays": []}, "delivery_weekdays", "delivery_weekdays: choose at least one weekday."),
        ({"delivery_weekdays": ["1", "8"]}, "delivery_weekdays", "delivery_weekdays: 8 is not an ISO weekday"),
        ({"lead_days": "15"}, "lead_days", "less than or equal to 14"),
        ({"order_by_time": "25:00"}, "order_by_time", "Enter a valid time"),
        ({"code": "UTR NL"}, "code", "Route code 'UTR NL' must be 1 to 20 printable ASCII characters, no spaces."),
    ],
)
@pytest.mark.django_db
def test_a_bad_route_is_refused_naming_the_field_and_nothing_is_saved(
    staff_client, warehouses, changes, field, message
):
    fields = {"code": "UTR-NL", **changes}
    response = staff_client.post(ADD_URL, route_form(warehouse=warehouses["AMS"].pk, **fields))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert not Route.objects.filter(code=fields["code"]).exists()


@pytest.mark.django_db
def test_a_route_is_changed_through_upsert_route_and_keeps_its_code(staff_client, routes):
    route = routes["RTM-NL"]

    response = staff_client.post(
        change_url(route), route_form(route, code="RENAMED", delivery_weekdays=["5", "2"], lead_days="2")
    )

    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.code, route.delivery_weekdays, route.lead_days) == ("RTM-NL", [2, 5], 2)
    assert not Route.objects.filter(code="RENAMED").exists()


@pytest.mark.django_db(transaction=True)
def test_an_exception_saved_in_the_admin_is_what_the_next_order_is_judged_by(
    staff_client, account_buyer, make_product, warehouses
):
    make_product("RO-CAL", stock={warehouses["RTM"]: 100}, case_pack=1, list_price=Decimal("1.00"))
    route = Route.objects.get(code="RTM-ALL")  # FERN's home route: every day, by 23:59:59
    day = timezone.localdate() + timedelta(days=5)
    accepted = place(account_buyer, {"RO-CAL": 1}, requested_delivery_date=day)  # warms this process's calendar

    data = route_form(route) | {
        "exceptions-TOTAL_FORMS": "1",
        "exceptions-0-date": day.isoformat(),
        "exceptions-0-note": "strike",
    }
    assert staff_client.post(change_url(route), data).status_code == 302

    with pytest.raises(DeliveryDateUnavailableError) as refused:
        place(account_buyer, {"RO-CAL": 1}, requested_delivery_date=day)
    [problem] = refused.value.errors
    assert (problem["date"], problem["reason"], problem["next_available"]) == (
        day.isoformat(),
        "holiday",
        (day + timedelta(days=1)).isoformat(),
    )
    accepted.refresh_from_db()
    assert accepted.requested_delivery_date == day
    assert RouteException.objects.get(route=route, date=day).note == "strike"


@pytest.mark.django_db
def test_an_exception_row_is_listed_and_edited_in_its_own_admin(staff_client, routes):
    exception = RouteExceptionFactory(route=routes["AMS-NL"], date=date(2027, 2, 13), note="Valentine")

    assert "Valentine" in staff_client.get(changelist("fulfillment.routeexception")).content.decode()
    assert staff_client.get(change_url(exception)).status_code == 200
