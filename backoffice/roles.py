"""The back office's roles, shipped as Django groups: each group's permissions are
declared here once and written to the database after every `migrate`
(`sync_role_groups`, run by backoffice.apps on post_migrate). The API checks the same
model permissions per request (config/api/access.py `staff_may`), the admin per page
and action, so one group gives a person or an integration account the same rights
through every door. What each role may do: docs/SECURITY.md, Roles.

A post_migrate handler rather than a data migration: Django itself creates the
permissions on post_migrate, after every migration has run, so a data migration would
have to create them first; and a change here takes effect on the next `migrate`
without a migration of its own. The sync makes each shipped group's permissions
exactly these (what someone added by hand to a shipped group is taken away again);
other groups are left alone."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

CATALOGUE_MANAGER = "Catalogue manager"
WAREHOUSE = "Warehouse"
CREDIT_CONTROL = "Credit control"
CUSTOMER_SERVICE = "Customer service"
ERP_INTEGRATION = "ERP integration"

# Keeping the delivery calendar, in the admin and through the staff API: routes (not
# deleted: orders keep theirs), their dated exceptions, and a ship-to's route (the
# API's PATCH /ship-tos/{id}/; in the admin, changing an address's route).
CALENDAR_KEEPING = (
    "fulfillment.view_route",
    "fulfillment.add_route",
    "fulfillment.change_route",
    "fulfillment.view_routeexception",
    "fulfillment.add_routeexception",
    "fulfillment.change_routeexception",
    "fulfillment.delete_routeexception",
    "partners.view_shiptoaddress",
    "partners.change_shiptoaddress",
)
# Reading it: which date an address can still be ordered for, and why not.
CALENDAR_READING = ("fulfillment.view_route", "fulfillment.view_routeexception")
# Peak campaigns (docs/DESIGN.md section 12), for every back-office role to look at:
# campaigns and their products, pre-books and their lines, committed runs and what
# each gave. A campaign's products are saved with it, so its change permission covers them.
CAMPAIGN_READING = (
    "orders.view_campaign",
    "orders.view_campaignproduct",
    "orders.view_prebook",
    "orders.view_prebookline",
    "orders.view_allocationrun",
    "orders.view_allocation",
)

# The back office's copy of Stripe (payments/mirror.py: dj-stripe's models, filled from
# the webhook events we store) and the nightly reconciliation's findings, to read: those
# who answer for payments see a partner's customer, cards, charges, refunds and disputes
# without leaving the admin. Nobody edits the mirror by hand; it follows Stripe.
STRIPE_MIRROR_READING = (
    "djstripe.view_customer",
    "djstripe.view_paymentmethod",
    "djstripe.view_paymentintent",
    "djstripe.view_charge",
    "djstripe.view_refund",
    "djstripe.view_dispute",
    "payments.view_reconciliationrun",
    "payments.view_reconciliationfinding",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Products and partner prices, by hand, by API and by import (an import needs add
    # and change); partners only to look them up.
    CATALOGUE_MANAGER: (
        "inventory.view_product",
        "inventory.add_product",
        "inventory.change_product",
        "partners.view_partnerprice",
        "partners.add_partnerprice",
        "partners.change_partnerprice",
        "partners.delete_partnerprice",
        "partners.view_partner",
        # What expired unsold, to buy and price with it in mind.
        "inventory.view_waste_report",
        # Selling the peaks: campaigns, their products and caps, and the allocation
        # run that shares the supply and makes the orders (which the run's page lists).
        *CAMPAIGN_READING,
        "orders.add_campaign",
        "orders.change_campaign",
        "orders.run_allocation",
    ),
    # Stock (set and import, version-checked), opening and closing warehouses (and
    # their time zones), shipments and their dispatch; and the delivery calendar its
    # trucks keep: routes, their holidays and extra days, which route serves each
    # address (docs/DESIGN.md section 10). In the admin it changes an address's route,
    # not the address (fulfillment/admin.py ShipToAddressAdmin).
    WAREHOUSE: (
        "inventory.view_product",
        "inventory.view_warehouse",
        "inventory.change_warehouse",
        *CALENDAR_KEEPING,
        "inventory.view_stock",
        "inventory.add_stock",
        "inventory.change_stock",
        "inventory.view_reservation",
        "inventory.view_stockmovement",
        "inventory.view_waste_report",
        "fulfillment.view_shipment",
        "fulfillment.change_shipment",
        "fulfillment.view_shipmentline",
        "orders.view_order",
        *CAMPAIGN_READING,
    ),
    # Credit accounts and limits, a partner's payment terms, releasing credit holds.
    CREDIT_CONTROL: (
        "partners.view_partner",
        "partners.change_partner",
        "partners.view_creditaccount",
        "partners.add_creditaccount",
        "partners.change_creditaccount",
        "orders.view_order",
        "orders.view_orderevent",
        "orders.release_credit_hold",
        "payments.view_payment",
        *STRIPE_MIRROR_READING,
        *CAMPAIGN_READING,
    ),
    # Looking orders and partners up, cancelling, re-driving, dead letters.
    CUSTOMER_SERVICE: (
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_orderevent",
        "orders.cancel_order",
        "orders.redrive_order",
        "orders.view_deadletter",
        "orders.change_deadletter",
        "partners.view_partner",
        "partners.view_membership",
        "partners.view_shiptoaddress",
        "payments.view_payment",
        *STRIPE_MIRROR_READING,
        "fulfillment.view_shipment",
        *CALENDAR_READING,
        *CAMPAIGN_READING,
    ),
    # What an ERP does through the API: orders for its partners (placed, read, fed,
    # cancelled), products, prices and stock, shipments and dispatch, the delivery
    # calendar (routes, holidays, a ship-to's route), peak campaigns (kept, pre-booked
    # for its partners, allocated). No admin-only power: no partners, credit, tokens,
    # users, holds or dead letters.
    ERP_INTEGRATION: (
        "orders.add_order",
        "orders.view_order",
        "orders.view_orderevent",
        "orders.cancel_order",
        "inventory.view_product",
        "inventory.add_product",
        "inventory.change_product",
        "inventory.view_stock",
        "inventory.add_stock",
        "inventory.change_stock",
        "partners.view_partnerprice",
        "partners.add_partnerprice",
        "partners.change_partnerprice",
        "partners.delete_partnerprice",
        "fulfillment.view_shipment",
        "fulfillment.change_shipment",
        *CALENDAR_KEEPING,
        "orders.view_campaign",
        "orders.add_campaign",
        "orders.change_campaign",
        "orders.run_allocation",
        "orders.view_prebook",
        "orders.add_prebook",
        "orders.change_prebook",
    ),
}


class UnknownPermissionError(LookupError):
    """A role names a permission the database does not have: a typo, or a model gone."""


def role_permissions(names: tuple[str, ...]) -> list[Permission]:
    """Return the Permission rows for "app_label.codename" names; raise
    UnknownPermissionError naming every one that does not exist."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted}
        )
    }
    missing = sorted(f"{app}.{codename}" for app, codename in wanted - set(found))
    if missing:
        raise UnknownPermissionError(f"No such permission: {', '.join(missing)}.")
    return [found[key] for key in sorted(wanted)]


def sync_role_groups() -> dict[str, int]:
    """Create each shipped group that is missing and set its permissions to exactly
    those declared; return the number of permissions per group. Safe to run again."""
    counts = {}
    with transaction.atomic():
        for name, names in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=name)
            permissions = role_permissions(names)
            group.permissions.set(permissions)
            counts[name] = len(permissions)
    return counts
