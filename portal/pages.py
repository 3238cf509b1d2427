"""What every portal page shares: it is for a signed-in user of a partner and shows
that partner's data only, a buyer's own orders only, and some pages to the partner's
admins alone (`PartnerPageMixin`); paging through long lists; sending
the buyer back only to an address of this site."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from config.callers import caller_partner, deactivated_partner_message
from orders.cart import (
    cart_line_count,
)
from partners.models import Membership, Partner
from partners.roles import is_partner_admin, orders_limited_to


class PartnerPageMixin:
    """Let in signed-in users of a partner: anonymous users go to the login page, users
    of a deactivated partner are signed out and told why, staff without a partner go to
    the back office, anyone else is refused; and where `admins_only`, a buyer too."""

    admins_only = False

    partner: Partner
    # The user whose orders alone the page may show (a buyer), or None (a partner admin).
    orders_limit: object | None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        _load_membership(request.user)
        refusal = deactivated_partner_message(request.user)
        if refusal:
            # Signed out, not only refused: the session of a deactivated partner's user
            # must not outlive the deactivation, and signing in again lands here.
            logout(request)
            messages.error(request, refusal)
            return redirect_to_login(request.get_full_path())
        partner = caller_partner(request.user)
        if partner is None:
            if request.user.is_staff:
                return redirect("/admin/")
            raise PermissionDenied("Your account is not linked to a partner company.")
        if self.admins_only and not is_partner_admin(request.user):
            raise PermissionDenied("This page is for your company's partner admins.")
        self.partner = partner
        self.orders_limit = orders_limited_to(request.user)
        return super().dispatch(request, *args, **kwargs)

    def page(self, template: str, context: dict | None = None, *, cart_count: int | None = None, status: int = 200):
        context = {"partner": self.partner, "partner_admin": is_partner_admin(self.request.user), **(context or {})}
        context["cart_count"] = cart_line_count(self.request.user) if cart_count is None else cart_count
        return render(self.request, template, context, status=status)


def _load_membership(user) -> None:
    """Read the user's membership with its partner in one query and keep it on the
    user, so that `caller_partner` here and the cart after it read nothing more."""
    membership = Membership.objects.select_related("partner").filter(user=user).first()
    if membership is not None:
        user.membership = membership


def paginate(request, items, per_page: int):
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
