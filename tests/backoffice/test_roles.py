"""The shipped role groups: written by migrate, exactly as declared, put back when they
drift, and refusing a permission that does not exist."""

import pytest
from django.contrib.auth.models import Group, Permission

from backoffice.roles import (
    CATALOGUE_MANAGER,
    CREDIT_CONTROL,
    CUSTOMER_SERVICE,
    ERP_INTEGRATION,
    ROLE_PERMISSIONS,
    WAREHOUSE,
    UnknownPermissionError,
    role_permissions,
    sync_role_groups,
)
from tests.support.roles import CALENDAR_API_PERMISSIONS

pytestmark = pytest.mark.django_db


def permissions_of(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_migrate_ships_each_role_group_with_exactly_its_permissions():
    for name, permissions in ROLE_PERMISSIONS.items():
        assert permissions_of(Group.objects.get(name=name)) == set(permissions)


def test_syncing_again_puts_back_what_drifted_and_leaves_other_groups_alone():
    erp = Group.objects.get(name=ERP_INTEGRATION)
    erp.permissions.add(Permission.objects.get(codename="change_partner"))
    Group.objects.get(name="Warehouse").delete()
    own = Group.objects.create(name="Auditors")
    own.permissions.add(Permission.objects.get(codename="view_order"))

    sync_role_groups()
    sync_role_groups()

    assert permissions_of(erp) == set(ROLE_PERMISSIONS[ERP_INTEGRATION])
    assert permissions_of(Group.objects.get(name="Warehouse")) == set(ROLE_PERMISSIONS["Warehouse"])
    assert permissions_of(own) == {"orders.view_order"}


def test_a_permission_that_does_not_exist_is_refused_by_name():
    with pytest.raises(UnknownPermissionError, match=r"No such permission: orders\.fly_order\."):
        role_permissions(("orders.view_order", "orders.fly_order"))


def test_the_erp_integration_role_holds_no_back_office_only_power():
    erp = set(ROLE_PERMISSIONS[ERP_INTEGRATION])

    for power in (
        "partners.change_partner",
        "partners.change_creditaccount",
        "orders.release_credit_hold",
        "orders.redrive_order",
        "orders.change_deadletter",
        "partners.add_apitoken",
        "auth.change_user",
    ):
        assert power not in erp


CALENDAR_API = set(CALENDAR_API_PERMISSIONS)


def test_the_warehouse_and_the_erp_keep_the_delivery_calendar_and_customer_service_reads_it():
    assert CALENDAR_API <= set(ROLE_PERMISSIONS[WAREHOUSE])
    assert CALENDAR_API <= set(ROLE_PERMISSIONS[ERP_INTEGRATION])
    service = set(ROLE_PERMISSIONS[CUSTOMER_SERVICE])
    assert {"fulfillment.view_route", "fulfillment.view_routeexception"} <= service
    assert not {permission for permission in CALENDAR_API if ".view_" not in permission} & service


def test_no_shipped_role_deletes_a_route_that_orders_keep():
    assert not any("fulfillment.delete_route" in permissions for permissions in ROLE_PERMISSIONS.values())


CAMPAIGN_VIEWS = {
    "orders.view_campaign",
    "orders.view_campaignproduct",
    "orders.view_prebook",
    "orders.view_prebookline",
    "orders.view_allocationrun",
    "orders.view_allocation",
}
CAMPAIGN_POWERS = {"orders.add_campaign", "orders.change_campaign", "orders.run_allocation"}


def test_every_back_office_role_reads_campaigns_and_of_them_only_the_catalogue_manager_runs_them():
    for role in (CATALOGUE_MANAGER, WAREHOUSE, CREDIT_CONTROL, CUSTOMER_SERVICE):
        assert CAMPAIGN_VIEWS <= set(ROLE_PERMISSIONS[role]), role
    assert CAMPAIGN_POWERS <= set(ROLE_PERMISSIONS[CATALOGUE_MANAGER])
    others = (WAREHOUSE, CREDIT_CONTROL, CUSTOMER_SERVICE)
    assert not any(CAMPAIGN_POWERS & set(ROLE_PERMISSIONS[role]) for role in others)
