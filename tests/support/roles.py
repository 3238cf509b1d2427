"""Staff users in the shipped role groups (backoffice/roles.py), as tests need them."""

from django.contrib.auth.models import Group

from backoffice.roles import ERP_INTEGRATION
from partners.factories import UserFactory


def staff_in(username: str, *groups: str):
    """A staff user (not a superuser) in the named shipped groups; none: no permission at all."""
    user = UserFactory(username=username, is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    assert user.groups.count() == len(groups), f"not every group of {groups} is shipped"
    return user


def erp_user(username: str = "erp"):
    """An ERP integration account: staff in the ERP integration group, nothing more."""
    return staff_in(username, ERP_INTEGRATION)


# What the delivery calendar's API operations need of staff (fulfillment/api/routes.py,
# fulfillment/api/ship_tos.py, orders/api/delivery_options.py).
CALENDAR_API_PERMISSIONS = (
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
