"""Who the caller acts for: a partner's user acts for that partner only; staff (and
integration users, who are staff) act for all and name a partner where one is needed."""

from rest_framework.permissions import BasePermission

from config.callers import caller_partner
from config.errors import DomainError


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


class IsPartnerOrStaff(BasePermission):
    message = "This API is for partner users and staff."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user.is_staff or caller_partner(user) is not None


class IsStaff(BasePermission):
    message = "Only staff and integration tokens may do this."

    def has_permission(self, request, view):
        return is_staff(request.user)


class StaffWritesOnly(BasePermission):
    """Reads for partner users and staff; writes for staff."""

    message = "Only staff and integration tokens may change this."

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return IsPartnerOrStaff().has_permission(request, view)
        return is_staff(request.user)


class MissingPartnerError(DomainError):
    code = "partner_required"
