"""What a partner's user may do by the role of its membership (docs/SECURITY.md,
Roles). A buyer places orders and sees and cancels the orders they placed; a partner
admin sees and cancels every order of the company, and sees its credit and its users.
A buyer sees the CSV uploads they made, whose reports name their orders, and a
partner admin the company's (uploads.selectors). The one rule for the portal and the API:
both ask here, and the order selectors apply the answer."""

from partners.models import Membership


def is_partner_admin(user) -> bool:
    """Return whether the user is an admin of the partner they act for. Reads
    `user.membership`, which the portal and the API's token authentication load with
    the user."""
    membership = getattr(user, "membership", None)
    return membership is not None and membership.role == Membership.Role.ADMIN


def orders_limited_to(user):
    """Return the user whose own orders alone the caller may see and cancel: a buyer
    themselves. Return None where no such limit applies: a partner admin (the whole
    company's orders) and staff (every partner's, by their permissions)."""
    if not getattr(user, "is_authenticated", False) or user.is_staff:
        return None
    membership = getattr(user, "membership", None)
    if membership is None or membership.role == Membership.Role.ADMIN:
        return None
    return user
