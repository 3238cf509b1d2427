"""Who a signed-in user acts for, written once for every door: the API's permissions
and views, the portal's pages and the cart. Here, below every app and free of DRF,
because inventory's API doors need it and inventory may not import partners."""

from django.db.models import Model


def caller_partner(user) -> Model | None:
    """Return the partner the user acts for: a partner's member acts for that partner
    only. Return None for staff (they act for every partner and name one where it
    matters), for anonymous users and for users who belong to no partner.

    Reads `user.membership`: a door that loads the membership with its partner
    beforehand (the API's token authentication, the portal's page mixin) pays no
    query here."""
    if not getattr(user, "is_authenticated", False) or user.is_staff:
        return None
    membership = getattr(user, "membership", None)
    return membership.partner if membership is not None else None


def deactivated_partner_message(user) -> str:
    """Return why the user may not sign in or use a token when the partner they act for
    is deactivated, else "". The one rule: the API's token authentication and the
    portal's pages both ask here."""
    partner = caller_partner(user)
    if partner is None or partner.active:
        return ""
    return f"Partner {partner.code} has been deactivated: its users can no longer sign in; contact Bouquet."
