"""A peak campaign in the back office: created and changed through its form, saved by
orders.campaigns.save_campaign; every bad input named on its field or product and
nothing saved; a warning naming the routes that do not deliver on its date; read-only
once a run is committed."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from fulfillment.factories import RouteExceptionFactory
from fulfillment.models import Route
from orders.campaign_runs import run_allocation
from orders.models import Campaign, Order
from partners.factories import PartnerFactory
from tests.support.admin import change_form_data, change_url, messages_of
from tests.support.campaigns import campaign_date, make_campaign, prebook

pytestmark = pytest.mark.django_db

ADD = reverse("admin:orders_campaign_add")


@pytest.fixture
def roses(warehouses, make_product):
    return make_product("ROSE-RED", case_pack=25, list_price="0.80", stock={warehouses["AMS"]: 1000})


@pytest.fixture
def tulips(warehouses, make_product):
    return make_product("TULIP-RED", case_pack=50, list_price="0.30", stock={warehouses["AMS"]: 5000})


def moment_fields(name: str, moment: datetime.datetime) -> dict:
    local = timezone.localtime(moment)
    return {f"{name}_0": local.date().isoformat(), f"{name}_1": local.strftime("%H:%M:%S")}


def campaign_form(products, *, code="VDAY", name="Valentine's Day", delivery_date=None, opens_at=None,
                  closes_at=None) -> dict:  # fmt: skip
    """What the add form posts: the header, and the products as (product, cap) pairs."""
    now = timezone.now()
    day = delivery_date or campaign_date()
    data = {
        "code": code,
        "name": name,
        "delivery_date": day if isinstance(day, str) else day.isoformat(),
        **moment_fields("opens_at", opens_at or now - datetime.timedelta(hours=1)),
        **moment_fields("closes_at", closes_at or now + datetime.timedelta(days=3)),
        "products-TOTAL_FORMS": str(len(products)),
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "1000",
    }
    for index, (product, cap) in enumerate(products):
        data[f"products-{index}-product"] = str(product if isinstance(product, int) else product.pk)
        data[f"products-{index}-cap_per_partner"] = "" if cap is None else str(cap)
    return data


def errors_of(response) -> dict[str, list[str]]:
    """The page's form errors by field; the inline's as products-<n>-<field>, and its
    own (about the list) as products."""
    assert response.status_code == 200, response.status_code
    errors = {field: list(messages) for field, messages in response.context["adminform"].form.errors.items()}
    formset = response.context["inline_admin_formsets"][0].formset
    for index, form_errors in enumerate(formset.errors):
        for field, messages in form_errors.items():
            errors[f"products-{index}-{field}"] = list(messages)
    if formset.non_form_errors():
        errors["products"] = list(formset.non_form_errors())
    return errors


def test_a_campaign_is_created_with_its_products_and_caps(staff_client, roses, tulips):
    response = staff_client.post(ADD, campaign_form([(roses, 300), (tulips, None)]))

    assert response.status_code == 302, errors_of(response)
    campaign = Campaign.objects.get(code="VDAY")
    assert campaign.name == "Valentine's Day" and campaign.delivery_date == campaign_date()
    assert sorted(campaign.products.values_list("product__sku", "cap_per_partner")) == [
        ("ROSE-RED", 300),
        ("TULIP-RED", None),
    ]
    assert LogEntry.objects.get(object_id=str(campaign.pk)).is_addition()


def test_a_campaign_is_changed_through_its_form_and_the_code_stays(staff_client, roses, tulips):
    campaign = make_campaign(caps={"ROSE-RED": 300})
    data = change_form_data(staff_client.get(change_url(campaign)))
    data |= {"name": "Valentine's Day 2", "products-0-cap_per_partner": "400", "products-1-product": str(tulips.pk)}

    response = staff_client.post(change_url(campaign), data | {"code": "OTHER"})

    assert response.status_code == 302, errors_of(response)
    campaign.refresh_from_db()
    assert (campaign.code, campaign.name) == ("VDAY", "Valentine's Day 2")
    assert sorted(campaign.products.values_list("product__sku", "cap_per_partner")) == [
        ("ROSE-RED", 400),
        ("TULIP-RED", None),
    ]
    assert "products" in LogEntry.objects.get(object_id=str(campaign.pk)).get_change_message()


def test_a_product_taken_off_the_campaign_is_gone(staff_client, roses, tulips):
    campaign = make_campaign(skus=["ROSE-RED", "TULIP-RED"])
    data = change_form_data(staff_client.get(change_url(campaign)))
    tulip_form = next(
        key.removesuffix("-product")
        for key, value in data.items()
        if key.endswith("-product") and value == str(tulips.pk)
    )

    response = staff_client.post(change_url(campaign), data | {f"{tulip_form}-DELETE": "on"})

    assert response.status_code == 302, errors_of(response)
    assert list(campaign.products.values_list("product__sku", flat=True)) == ["ROSE-RED"]


def no_route_delivers(day):
    for route in Route.objects.all():
        RouteExceptionFactory(route=route, date=day, delivers=False)
    return day


BAD_INPUTS = [
    pytest.param(lambda p: {"delivery_date": timezone.localdate() - datetime.timedelta(days=1)},
                 "delivery_date", "is in the past", id="delivery date in the past"),
    pytest.param(lambda p: {"delivery_date": no_route_delivers(campaign_date(12))},
                 "delivery_date", "No route delivers on", id="no route delivers that day"),
    pytest.param(lambda p: {"delivery_date": "31/02/2030"}, "delivery_date", "Enter a valid date", id="not a date"),
    pytest.param(lambda p: {"closes_at": timezone.now() - datetime.timedelta(hours=1)},
                 "closes_at", "closes_at must be after opens_at", id="empty window"),
    pytest.param(lambda p: {"opens_at": timezone.now() + datetime.timedelta(days=5)},
                 "closes_at", "closes_at must be after opens_at", id="window closing before it opens"),
    pytest.param(lambda p: {"name": ""}, "name", "This field is required", id="no name"),
    pytest.param(lambda p: {"code": "V DAY/1"}, "code", "1 to 20 letters, digits", id="code unfit for an address"),
    pytest.param(lambda p: {"products": [(p, None), (p, 100)]}, "products-1-product",
                 "Product 2 (ROSE-RED): listed twice.", id="product listed twice"),
    pytest.param(lambda p: {"products": [(p, 0)]}, "products-0-cap_per_partner",
                 "Product 1 (ROSE-RED): cap must be above 0.", id="cap of nothing"),
    pytest.param(lambda p: {"products": [(999999, None)]}, "products-0-product",
                 "Select a valid choice", id="unknown product"),
    pytest.param(lambda p: {"products": []}, "products", "A campaign needs at least one product.", id="no product"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field", "says"), BAD_INPUTS)
def test_a_bad_input_is_named_on_its_field_and_nothing_is_saved(staff_client, roses, change, field, says):
    changes = change(roses)
    products = changes.pop("products", [(roses, None)])
    moments = {name: changes.pop(name) for name in ("opens_at", "closes_at") if name in changes}
    data = campaign_form(products, **changes)
    for name, moment in moments.items():
        data |= moment_fields(name, moment)

    response = staff_client.post(ADD, data)

    errors = errors_of(response)
    assert any(says in message for message in errors.get(field, [])), errors
    assert not Campaign.objects.exists()


def test_a_bad_change_is_named_and_the_campaign_is_left_as_it_was(staff_client, roses):
    campaign = make_campaign(caps={"ROSE-RED": 300})
    data = change_form_data(staff_client.get(change_url(campaign)))

    response = staff_client.post(change_url(campaign), data | {"name": "New name", "products-0-cap_per_partner": "0"})

    assert "Product 1 (ROSE-RED): cap must be above 0." in errors_of(response)["products-0-cap_per_partner"]
    campaign.refresh_from_db()
    assert campaign.name == "Valentine's Day"
    assert campaign.products.get().cap_per_partner == 300


def next_weekday(iso_weekday: int, after_days: int = 5) -> datetime.date:
    # After the form's default window (it closes 3 days from now) on any day of the week.
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    return day + datetime.timedelta(days=(iso_weekday - day.isoweekday()) % 7)


def test_saving_for_a_day_some_routes_skip_warns_and_names_them(staff_client, roses, routes):
    saturday = next_weekday(6)

    response = staff_client.post(ADD, campaign_form([(roses, None)], delivery_date=saturday), follow=True)

    assert Campaign.objects.get(code="VDAY").delivery_date == saturday
    [warning] = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert f"route(s) LHR-UK, RTM-NL do not deliver on {saturday:%a %d %b %Y}" in str(warning)


def test_a_day_every_route_delivers_on_saves_without_a_warning(staff_client, roses, routes):
    friday = next_weekday(5)

    response = staff_client.post(ADD, campaign_form([(roses, None)], delivery_date=friday), follow=True)

    assert Campaign.objects.get(code="VDAY").delivery_date == friday
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_a_committed_campaign_is_read_only(staff_client, roses):
    campaign = make_campaign(caps={"ROSE-RED": 300})
    prebook(campaign, PartnerFactory(code="ALPHA"), {"ROSE-RED": 300})
    run_allocation(campaign=campaign, dry_run=False, actor="test")

    page = staff_client.get(change_url(campaign))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html and 'name="name"' not in html and 'name="products-0-product"' not in html
    assert 'id="allocation-runs"' in html and "Serve the waitlist" in html

    data = campaign_form([(roses, 500)], name="Changed")
    assert staff_client.post(change_url(campaign), data).status_code == 403
    assert (
        staff_client.post(reverse("admin:orders_campaign_delete", args=[campaign.pk]), {"post": "yes"}).status_code
        == 403
    )
    campaign.refresh_from_db()
    assert campaign.name == "Valentine's Day" and campaign.products.get().cap_per_partner == 300


def test_a_run_committed_while_the_form_was_open_saves_nothing_and_says_why(staff_client, roses):
    campaign = make_campaign(skus=["ROSE-RED"])
    prebook(campaign, PartnerFactory(code="ALPHA"), {"ROSE-RED": 300})
    data = change_form_data(staff_client.get(change_url(campaign)))
    run_allocation(campaign=campaign, dry_run=False, actor="elsewhere")

    response = staff_client.post(change_url(campaign), data | {"name": "Too late"}, follow=True)

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Valentine's Day" and Order.objects.count() == 1


def test_the_list_shows_which_campaigns_are_allocated(staff_client, roses):
    make_campaign("MDAY", skus=["ROSE-RED"], name="Mother's Day")
    allocated = make_campaign(skus=["ROSE-RED"])
    prebook(allocated, PartnerFactory(code="ALPHA"), {"ROSE-RED": 100})
    run_allocation(campaign=allocated, dry_run=False)

    response = staff_client.get(reverse("admin:orders_campaign_changelist"), {"first_committed_at__isempty": "0"})

    assert [c.code for c in response.context["cl"].result_list] == ["VDAY"]
    assert reverse("admin:orders_campaign_runs", args=[allocated.pk]) in response.content.decode()
    assert messages_of(response) == []
