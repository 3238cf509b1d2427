"""Each shipped back-office group, and a staff account with no permission at all,
against each staff door of the API (per method) and each admin action, import and
export: allowed or refused as docs/SECURITY.md (Roles) says. The expectations are
written out here, apart from backoffice/roles.py, so that a change to a role shows."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.roles import CATALOGUE_MANAGER, CREDIT_CONTROL, CUSTOMER_SERVICE, ERP_INTEGRATION, WAREHOUSE
from orders.models import Order, OrderStatus
from partners.models import PartnerPrice
from tests.support.admin import changelist
from tests.support.api import client_for
from tests.support.roles import staff_in

pytestmark = pytest.mark.django_db

NOBODY = "no permission"
ACCOUNTS = [CATALOGUE_MANAGER, WAREHOUSE, CREDIT_CONTROL, CUSTOMER_SERVICE, ERP_INTEGRATION, NOBODY]
ORDER_READERS = {WAREHOUSE, CREDIT_CONTROL, CUSTOMER_SERVICE, ERP_INTEGRATION}
PRODUCT_READERS = {CATALOGUE_MANAGER, WAREHOUSE, ERP_INTEGRATION}
CATALOGUE_WRITERS = {CATALOGUE_MANAGER, ERP_INTEGRATION}
STOCK_KEEPERS = {WAREHOUSE, ERP_INTEGRATION}
CAMPAIGN_READERS = {CATALOGUE_MANAGER, WAREHOUSE, CREDIT_CONTROL, CUSTOMER_SERVICE, ERP_INTEGRATION}
# Who runs allocations: the back office's catalogue manager, and the ERP through the API.
ALLOCATORS = {CATALOGUE_MANAGER, ERP_INTEGRATION}
PRODUCT = {"name": "Matrix rose", "case_pack": 10, "min_order_qty": 0, "list_price": "1.10", "active": True}

# door: (method, path, body, status when allowed, the permission named when refused, who may)
API_DOORS = {
    "list orders": ("get", "/api/v1/orders/", None, 200, "orders.view_order", ORDER_READERS),
    "place an order for a partner": (
        "post",
        "/api/v1/orders/",
        {"partner": "FERN", "lines": [{"sku": "RO-MATRIX", "quantity": 10}]},
        202,
        "orders.add_order",
        {ERP_INTEGRATION},
    ),
    "read an order": ("get", "/api/v1/orders/{order}/", None, 200, "orders.view_order", ORDER_READERS),
    "cancel an order": (
        "post",
        "/api/v1/orders/{order}/cancel/",
        {"reason": "asked"},
        200,
        "orders.cancel_order",
        {CUSTOMER_SERVICE, ERP_INTEGRATION},
    ),
    "read the event feed": (
        "get",
        "/api/v1/events/",
        None,
        200,
        "orders.view_orderevent",
        {CREDIT_CONTROL, CUSTOMER_SERVICE, ERP_INTEGRATION},
    ),
    "list products": ("get", "/api/v1/products/", None, 200, "inventory.view_product", PRODUCT_READERS),
    "read a product": ("get", "/api/v1/products/RO-MATRIX/", None, 200, "inventory.view_product", PRODUCT_READERS),
    "upsert a product": (
        "put",
        "/api/v1/products/RO-MATRIX/",
        PRODUCT,
        200,
        "inventory.add_product, inventory.change_product",
        CATALOGUE_WRITERS,
    ),
    "set a price": (
        "put",
        "/api/v1/prices/FERN/RO-MATRIX/",
        {"unit_price": "0.80", "min_quantity": 100},
        201,
        "partners.add_partnerprice, partners.change_partnerprice",
        CATALOGUE_WRITERS,
    ),
    "remove a price": (
        "delete",
        "/api/v1/prices/FERN/RO-MATRIX/?min_quantity=1",
        None,
        204,
        "partners.delete_partnerprice",
        CATALOGUE_WRITERS,
    ),
    "list stock": ("get", "/api/v1/stock/", None, 200, "inventory.view_stock", STOCK_KEEPERS),
    "read a stock row": ("get", "/api/v1/stock/RO-MATRIX/AMS/", None, 200, "inventory.view_stock", STOCK_KEEPERS),
    "set stock": (
        "put",
        "/api/v1/stock/RO-MATRIX/LHR/",
        {"on_hand": 50, "version": 0},
        201,
        "inventory.add_stock, inventory.change_stock",
        STOCK_KEEPERS,
    ),
    "read a lot": (
        "get",
        "/api/v1/stock/RO-MATRIX/AMS/lots/A2711-12/",
        None,
        404,
        "inventory.view_stock",
        STOCK_KEEPERS,
    ),
    "set a lot": (
        "put",
        "/api/v1/stock/RO-MATRIX/LHR/lots/A2711-12/",
        {"on_hand": 50, "version": 0, "expires_on": "2099-01-31"},
        201,
        "inventory.add_stock, inventory.change_stock",
        STOCK_KEEPERS,
    ),
    "list shipments": (
        "get",
        "/api/v1/shipments/",
        None,
        200,
        "fulfillment.view_shipment",
        {WAREHOUSE, CUSTOMER_SERVICE, ERP_INTEGRATION},
    ),
    # No shipment 999999: an allowed caller passes the permission and meets the 404.
    "dispatch a shipment": (
        "post",
        "/api/v1/shipments/999999/dispatch/",
        {"tracking_number": "T-1"},
        404,
        "fulfillment.change_shipment",
        STOCK_KEEPERS,
    ),
}


def account(role: str):
    return staff_in(f"staff-{role.lower().replace(' ', '-')}", *([] if role == NOBODY else [role]))


@pytest.mark.parametrize("role", ACCOUNTS)
@pytest.mark.parametrize("door", API_DOORS)
def test_each_role_may_call_the_api_doors_its_role_gives_and_no_other(world, door, role):
    method, path, body, allowed_status, permission, allowed = API_DOORS[door]
    api = client_for(account(role))

    answer = getattr(api, method)(
        path.format(order=world["order"].number), body, format="json", HTTP_IDEMPOTENCY_KEY="matrix-1"
    )

    if role in allowed:
        assert answer.status_code == allowed_status, answer.json()
    else:
        assert answer.status_code == 403, answer.json()
        assert answer.json()["code"] == "permission_denied"
        assert f"lacks the permission {permission} needed for {method.upper()}" in answer.json()["detail"]


def test_a_refused_staff_write_changes_nothing(world):
    api = client_for(account(CUSTOMER_SERVICE))

    assert api.put("/api/v1/prices/FERN/RO-MATRIX/", {"unit_price": "0.01"}, format="json").status_code == 403
    order = {"partner": "FERN", "lines": [{"sku": "RO-MATRIX", "quantity": 10}]}
    assert api.post("/api/v1/orders/", order, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 403

    assert PartnerPrice.objects.get(partner=world["partner"], min_quantity=1).unit_price == Decimal("0.90")
    assert Order.objects.count() == 1


def test_the_admin_session_is_held_to_the_same_permissions_as_the_token(client, world):
    client.force_login(account(WAREHOUSE))

    assert client.get("/api/v1/stock/").status_code == 200
    refused = client.get("/api/v1/events/")
    assert refused.status_code == 403 and "orders.view_orderevent" in refused.json()["detail"]


# door: (kind, model, action or None, who may)
ADMIN_DOORS = {
    "cancel orders": ("action", "orders.order", "cancel_orders", {CUSTOMER_SERVICE, ERP_INTEGRATION}),
    "re-drive orders": ("action", "orders.order", "redrive_orders", {CUSTOMER_SERVICE}),
    "release credit holds": ("action", "orders.order", "release_credit_holds", {CREDIT_CONTROL}),
    "retry dead letters": ("action", "orders.deadletter", "retry", {CUSTOMER_SERVICE}),
    "resolve dead letters": ("action", "orders.deadletter", "mark_resolved", {CUSTOMER_SERVICE}),
    "issue partners' API tokens": ("action", "partners.partner", "create_api_tokens_for_users", set()),
    "issue a user's API token": ("action", "partners.membership", "create_api_token", set()),
    "import products": ("import", "inventory.product", None, CATALOGUE_WRITERS),
    "import prices": ("import", "partners.partnerprice", None, CATALOGUE_WRITERS),
    "import stock": ("import", "inventory.stock", None, STOCK_KEEPERS),
    "import partners": ("import", "partners.partner", None, set()),
    "export order lines": ("export", "orders.order", None, ORDER_READERS),
    "export products": ("export", "inventory.product", None, PRODUCT_READERS),
    "dry run a campaign's allocation": ("action", "orders.campaign", "dry_run_allocation", ALLOCATORS),
    "commit a campaign's allocation": ("action", "orders.campaign", "commit_allocation", ALLOCATORS),
    "export pre-book lines": ("export", "orders.prebook", None, CAMPAIGN_READERS),
}


def admin_door_open(client, kind: str, model: str, action: str | None) -> bool:
    if kind == "action":
        page = client.get(changelist(model))
        if page.status_code == 403:
            return False
        form = page.context["action_form"]  # None where no action is left
        return form is not None and action in dict(form.fields["action"].choices)
    app, name = model.split(".")
    status = client.get(reverse(f"admin:{app}_{name}_{kind}")).status_code
    assert status in (200, 403)
    return status == 200


@pytest.mark.parametrize("role", ACCOUNTS)
@pytest.mark.parametrize("door", ADMIN_DOORS)
def test_each_role_sees_the_admin_actions_imports_and_exports_its_role_gives(client, world, door, role):
    kind, model, action, allowed = ADMIN_DOORS[door]
    client.force_login(account(role))

    assert admin_door_open(client, kind, model, action) == (role in allowed)


def test_an_admin_action_posted_without_its_permission_changes_nothing(client, world):
    client.force_login(account(CREDIT_CONTROL))

    client.post(
        changelist("orders.order"),
        {"action": "cancel_orders", "_selected_action": [world["order"].pk], "confirm": "1", "reason": "no"},
    )

    world["order"].refresh_from_db()
    assert world["order"].status == OrderStatus.CREATED
