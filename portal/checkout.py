"""The cart page: lines with the partner's prices, quantities changed or removed, the
ship-to, PO number and delivery date, and checkout into one order."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from config.errors import DomainError
from orders.availability import availability_for
from orders.cart import (
    StaleCheckoutError,
    get_or_create_cart,
    place_cart_order,
    priced_cart_lines,
    remove_from_cart,
    set_cart_quantity,
)
from portal.availability_text import cart_basis, day_text, shortfall_text
from portal.delivery_dates import with_dates
from portal.errors import show_domain_error
from portal.forms import (
    CheckoutForm,
)
from portal.pages import PartnerPageMixin

# --- cart ------------------------------------------------------------------------------


@dataclass
class CartRow:
    position: int
    priced: object
    quantity: str
    errors: tuple[str, ...] = ()
    # More asked than is available for the cart's date: shown, not refused.
    warning: str | None = None


class CartView(PartnerPageMixin, View):
    template = "portal/cart.html"

    def _render(self, cart, *, form=None, line_errors=None, typed=None, status=200):
        priced = priced_cart_lines(cart)
        line_errors, typed = line_errors or {}, typed or {}
        basis = cart_basis(partner=self.partner, cart=cart)
        available = availability_for(basis=basis, product_ids=[p.line.product_id for p in priced])
        rows = [
            CartRow(
                position=n,
                priced=p,
                quantity=typed.get(p.line.product_id, str(p.line.quantity)),
                errors=tuple(line_errors.get(n, ())),
                warning=shortfall_text(
                    sku=p.line.product.sku,
                    quantity=p.line.quantity,
                    availability=available.get(p.line.product_id),
                    basis=basis,
                ),
            )
            for n, p in enumerate(priced, start=1)
        ]
        if form is None:
            form = CheckoutForm(
                partner=self.partner,
                initial={
                    "idempotency_key": cart.idempotency_key,
                    "ship_to": cart.ship_to_id,
                    "po_number": cart.po_number,
                    "requested_delivery_date": cart.requested_delivery_date,
                },
            )
        with_dates(form, partner=self.partner)
        return self.page(
            self.template,
            {
                "cart": cart,
                "rows": rows,
                "form": form,
                "total": sum((p.line_total for p in priced), Decimal("0.00")),
                "stock_day": day_text(basis),
            },
            cart_count=len(rows),
            status=status,
        )

    def get(self, request):
        return self._render(get_or_create_cart(request.user))

    def post(self, request):
        cart = get_or_create_cart(request.user)
        if "remove" in request.POST:
            return self._remove(request)
        if "show_dates" in request.POST:
            return self._dates(request, cart)
        if request.POST.get("action") == "checkout":
            return self._checkout(request, cart)
        return self._update(request, cart)

    def _remove(self, request):
        try:
            product_id = int(request.POST["remove"])
        except ValueError:
            return redirect("portal:cart")
        remove_from_cart(user=request.user, product_id=product_id)
        messages.success(request, "Line removed from your cart.")
        return redirect("portal:cart")

    def _update(self, request, cart):
        line_errors, typed = {}, {}
        for position, line in enumerate(cart.lines.all(), start=1):
            quantity = (request.POST.get(f"quantity_{line.product_id}") or "").strip()
            if quantity == str(line.quantity) or f"quantity_{line.product_id}" not in request.POST:
                continue
            typed[line.product_id] = quantity
            try:
                set_cart_quantity(user=request.user, product_id=line.product_id, quantity=quantity)
            except DomainError as error:
                for details in show_domain_error(request, error).by_line.values():
                    line_errors.setdefault(position, []).extend(details)
        if line_errors:
            return self._render(get_or_create_cart(request.user), line_errors=line_errors, typed=typed)
        messages.success(request, "Cart updated.")
        return redirect("portal:cart")

    def _dates(self, request, cart):
        """Without JavaScript, "Show dates" posts the form: the same page, with the dates
        of the address chosen (the earliest picked) and nothing saved."""
        posted = CheckoutForm(request.POST, partner=self.partner)
        form = CheckoutForm(
            partner=self.partner,
            initial={
                "idempotency_key": cart.idempotency_key,
                "ship_to": posted.chosen_ship_to_id() or self._default_ship_to(),
                "po_number": posted.cleaned_data.get("po_number", ""),
            },
        )
        return self._render(cart, form=form)

    def _checkout(self, request, cart):
        form = CheckoutForm(request.POST, partner=self.partner)
        if not form.is_valid():
            return self._render(cart, form=form)
        data = form.cleaned_data
        try:
            order = place_cart_order(
                user=request.user,
                idempotency_key=data["idempotency_key"],
                details={
                    "ship_to": data["ship_to"],
                    "po_number": data["po_number"],
                    "requested_delivery_date": data["requested_delivery_date"],
                },
            )
        except StaleCheckoutError as error:
            messages.error(request, error.message)
            return redirect("portal:cart")
        except DomainError as error:
            sorted_errors = show_domain_error(request, error, form=form)
            return self._render(get_or_create_cart(request.user), form=form, line_errors=sorted_errors.by_line)
        messages.success(request, f"Order {order.number} placed. We will confirm it shortly.")
        return redirect("portal:order-detail", number=order.number)
