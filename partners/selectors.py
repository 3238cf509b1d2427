"""Reads of partners that more than one door needs."""

from partners.exceptions import PartnerNotFoundError
from partners.models import Membership, Partner


def get_partner_by_code(*, code: str) -> Partner:
    """Return the partner with this code; raise PartnerNotFoundError naming the code
    when there is none, also for a code no partner could have (one holding a NUL
    byte, which PostgreSQL text cannot store: asking would fail rather than answer)."""
    partner = Partner.objects.filter(code=code).first() if "\x00" not in code else None
    if partner is None:
        raise PartnerNotFoundError(f"Partner {code} not found.")
    return partner


def partner_members(*, partner: Partner):
    """Return the partner's memberships with their users, by username."""
    return Membership.objects.filter(partner=partner).select_related("user").order_by("user__username")
