"""The partner's orders (a buyer's own; all of the company's for a partner admin):
the list, one order, cancelling it while it may be, and putting its lines back in the
cart."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from config.errors import DomainError
from orders.cancellation import cancel_order
from orders.cart import (
    reorder_into_cart,
)
from orders.selectors import get_order, orders_visible_to
from orders.states import CANCELLABLE_STATUSES
from portal.errors import flash_domain_errors, sort_errors
from portal.forms import (
    CancelOrderForm,
    OrderFilterForm,
)
from portal.pages import PartnerPageMixin, paginate

ORDERS_PAGE_SIZE = 20


# --- orders ----------------------------------------------------------------------------


class OrderListView(PartnerPageMixin, View):
    def get(self, request):
        form = OrderFilterForm(request.GET or None)
        orders = (
            orders_visible_to(partner=self.partner, placed_by=self.orders_limit)
            .select_related("route__warehouse")
            .order_by("-id")
        )
        if form.is_valid():
            if form.cleaned_data["status"]:
                orders = orders.filter(status=form.cleaned_data["status"])
            q = form.cleaned_data["q"].strip()
            if q:
                orders = orders.filter(Q(number__icontains=q) | Q(po_number__icontains=q))
        page, query = paginate(request, orders, ORDERS_PAGE_SIZE)
        return self.page("portal/order_list.html", {"form": form, "page_obj": page, "query": query})


class OrderDetailView(PartnerPageMixin, View):
    def get(self, request, number):
        try:
            order = get_order(partner=self.partner, placed_by=self.orders_limit, number=number)
        except DomainError as error:
            sort_errors(error)  # a not-found is a 404
            raise
        return self.page(
            "portal/order_detail.html",
            {
                "order": order,
                "cancellable": order.status in CANCELLABLE_STATUSES,
                "cancel_form": CancelOrderForm(),
            },
        )


def _order_page(request, number):
    return reverse("portal:order-detail", kwargs={"number": number})


@method_decorator(flash_domain_errors(_order_page), name="post")
class OrderCancelView(PartnerPageMixin, View):
    def post(self, request, number):
        order = get_order(partner=self.partner, placed_by=self.orders_limit, number=number, for_detail=False)
        form = CancelOrderForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        cancel_order(order_id=order.id, reason=reason, actor=request.user.get_username())
        messages.success(request, f"Order {order.number} is cancelled.")
        return redirect(_order_page(request, number))


@method_decorator(flash_domain_errors(_order_page), name="post")
class OrderReorderView(PartnerPageMixin, View):
    def post(self, request, number):
        order = get_order(partner=self.partner, placed_by=self.orders_limit, number=number, for_detail=False)
        summary, *problems = reorder_into_cart(user=request.user, order=order)
        messages.success(request, summary)
        for problem in problems:
            messages.warning(request, problem)
        return redirect("portal:cart")
