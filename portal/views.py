"""The partner portal's catalogue pages (home, catalogue, add to cart, quick order):
thin doors that parse the request, call one selector or service, and render. Every
page needs a signed-in user of a partner and shows that partner's data only; domain
errors reach the page through `portal.errors`."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from config.errors import DomainError
from inventory.availability import availability_of
from inventory.catalogue import smallest_orderable_quantity
from inventory.models import Product
from inventory.selectors import catalogue
from orders.availability import availability_for
from orders.cart import (
    add_lines_to_cart,
    add_to_cart,
    cart_line_count,
    choose_delivery,
    get_or_create_cart,
    priced_cart_lines,
)
from orders.exceptions import OrderValidationError
from orders.selectors import orders_visible_to
from partners.models import CreditAccount, Partner
from partners.pricing import price_for_quantity, price_table
from partners.roles import is_partner_admin
from portal.availability_text import cart_basis, day_text, shortfall_text, vase_text
from portal.delivery_dates import delivery_dates, home_promise, with_dates
from portal.errors import flash_domain_errors, show_domain_error, sort_errors
from portal.forms import (
    QUICK_ORDER_ROWS,
    AddToCartForm,
    CatalogueFilterForm,
    DeliveryChoiceForm,
    QuickOrderForm,
)
from portal.pages import PartnerPageMixin, paginate, safe_next

CATALOGUE_PAGE_SIZE = 24


RECENT_ORDERS = 5


LOW_STOCK_CASES = 5


# --- home ------------------------------------------------------------------------------


class HomeView(PartnerPageMixin, View):
    def get(self, request):
        cart_lines = priced_cart_lines(get_or_create_cart(request.user))
        # The company's credit is for its partner admins' eyes (partners.roles).
        credit = CreditAccount.objects.filter(partner=self.partner).first() if is_partner_admin(request.user) else None
        return self.page(
            "portal/home.html",
            {
                "recent_orders": orders_visible_to(partner=self.partner, placed_by=self.orders_limit).order_by("-id")[
                    :RECENT_ORDERS
                ],
                "cart_lines": cart_lines,
                "cart_total": sum((line.line_total for line in cart_lines), Decimal("0.00")),
                "on_account": self.partner.payment_method == Partner.PaymentMethod.ACCOUNT,
                "credit": credit,
                "card_on_file": bool(self.partner.stripe_payment_method_id),
                "delivery_promise": home_promise(partner=self.partner),
            },
            cart_count=len(cart_lines),
        )


# --- catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    product: Product
    first_quantity: int
    # (from quantity, unit price), lowest first
    prices: list[tuple[int, Decimal]]
    stock_level: str  # "in", "low" or "out", for the delivery date shown
    vase_text: str | None = None

    @property
    def stock_label(self) -> str:
        return {"in": "In stock", "low": "Low stock", "out": "Out of stock"}[self.stock_level]


def stock_level(available: int, case_pack: int) -> str:
    if available <= 0:
        return "out"
    return "low" if available < LOW_STOCK_CASES * case_pack else "in"


def price_rows(product: Product, breaks: list[tuple[int, Decimal]], first_quantity: int) -> list[tuple[int, Decimal]]:
    """The partner's price steps as a buyer can order them: breaks below the smallest
    orderable quantity are shown from that quantity; without a break there, the list price."""
    rows = [(first_quantity, price_for_quantity(breaks, first_quantity, product.list_price))]
    rows.extend(b for b in breaks if b[0] > first_quantity)
    return rows


class CatalogueView(PartnerPageMixin, View):
    """The catalogue with availability for the cart's delivery date, which the page's
    picker changes (kept with the cart, as quick order keeps it)."""

    def get(self, request):
        categories = list(
            Product.objects.filter(active=True).order_by("category").values_list("category", flat=True).distinct()
        )
        form = CatalogueFilterForm(request.GET or None, categories=categories)
        filters = form.cleaned_data if form.is_valid() else {}
        cart = get_or_create_cart(request.user)
        dates = delivery_dates(partner=self.partner, address_id=cart.ship_to_id)
        basis = cart_basis(partner=self.partner, cart=cart, dates=dates)
        products = catalogue(
            include_inactive=False,
            q=(filters.get("q") or "").strip(),
            category=filters.get("category") or "",
            delivery_date=basis.delivery_date,
            partner_days=basis.partner_days,
        )
        page, query = paginate(request, products, CATALOGUE_PAGE_SIZE)
        rows = list(page.object_list)
        breaks = price_table(partner_id=self.partner.id, product_ids=[p.id for p in rows])
        items = []
        for product in rows:
            first_quantity = smallest_orderable_quantity(
                case_pack=product.case_pack, min_order_qty=product.min_order_qty
            )
            availability = availability_of(product, delivery_date=basis.delivery_date, partner_days=basis.partner_days)
            items.append(
                CatalogueItem(
                    product=product,
                    first_quantity=first_quantity,
                    prices=price_rows(product, breaks.get(product.id, []), first_quantity),
                    stock_level=stock_level(product.available, product.case_pack),
                    vase_text=vase_text(availability),
                )
            )
        delivery = DeliveryChoiceForm(
            partner=self.partner, initial={"ship_to": cart.ship_to_id, "requested_delivery_date": basis.delivery_date}
        )
        delivery.offer_dates(dates)
        context = {"form": form, "items": items, "page_obj": page, "query": query, "delivery": delivery}
        return self.page("portal/catalogue.html", {**context, "delivery_day": day_text(basis)})

    def post(self, request):
        """Choose the delivery date (and address) the catalogue shows availability for."""
        delivery = DeliveryChoiceForm(request.POST, partner=self.partner)
        back = safe_next(request, reverse("portal:catalogue"))
        if not delivery.is_valid():
            messages.error(request, "Choose one of your addresses and one of its delivery dates.")
            return redirect(back)
        try:
            choose_delivery(
                user=request.user,
                ship_to=delivery.cleaned_data["ship_to"],
                requested_delivery_date=delivery.cleaned_data["requested_delivery_date"],
            )
        except DomainError as error:
            show_domain_error(request, error)
        return redirect(back)


@method_decorator(flash_domain_errors(lambda request: safe_next(request, reverse("portal:catalogue"))), name="post")
class CartAddView(PartnerPageMixin, View):
    """Add a product from the catalogue; answers htmx with a fragment, others with a redirect."""

    def post(self, request):
        form = AddToCartForm(request.POST)
        if not form.is_valid():
            raise OrderValidationError("Choose a product and a quantity.", code="invalid_form")
        is_htmx = request.headers.get("HX-Request") == "true"
        try:
            line = add_to_cart(user=request.user, sku=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"])
        except DomainError as error:
            if not is_htmx:
                raise
            sorted_errors = sort_errors(error)
            problems = [d for details in sorted_errors.by_line.values() for d in details] + sorted_errors.general
            return render(
                request,
                "portal/_add_result.html",
                {"ok": False, "problems": problems, "cart_count": cart_line_count(request.user)},
            )
        text = f"Added {form.cleaned_data['quantity']} × {line.product.sku}; {line.quantity} in your cart."
        if is_htmx:
            return render(
                request,
                "portal/_add_result.html",
                {"ok": True, "text": text, "cart_count": cart_line_count(request.user)},
            )
        messages.success(request, text)
        return redirect(safe_next(request, reverse("portal:catalogue")))


# --- quick order -----------------------------------------------------------------------


@dataclass
class QuickOrderRow:
    number: int
    sku: str = ""
    quantity: str = ""
    errors: tuple[str, ...] = ()


def _blank_rows(rows: list[QuickOrderRow]) -> list[QuickOrderRow]:
    start = len(rows) + 1
    return rows + [QuickOrderRow(number=n) for n in range(start, max(QUICK_ORDER_ROWS, len(rows) + 2) + 1)]


class QuickOrderView(PartnerPageMixin, View):
    """Rows of SKU and quantity into the cart, with where and when to deliver it (kept
    with the cart for checkout). A date that is not an option is refused as intake
    refuses it, and then nothing is added."""

    template = "portal/quick_order.html"

    def _page(self, form, rows, delivery):
        with_dates(delivery, partner=self.partner)
        return self.page(self.template, {"form": form, "rows": rows, "delivery": delivery})

    def _fresh_delivery(self, ship_to=None, day=None):
        cart = get_or_create_cart(self.request.user)
        initial = {
            "ship_to": ship_to or cart.ship_to_id,
            "requested_delivery_date": day or cart.requested_delivery_date,
        }
        return DeliveryChoiceForm(partner=self.partner, initial=initial)

    def get(self, request):
        return self._page(QuickOrderForm(), _blank_rows([]), self._fresh_delivery())

    def post(self, request):
        form = QuickOrderForm(request.POST)
        delivery = DeliveryChoiceForm(request.POST, partner=self.partner)
        if not form.is_valid():
            return self._page(form, _blank_rows([]), delivery)
        typed = _blank_rows([QuickOrderRow(number=n, **row) for n, row in enumerate(form.typed_rows(), start=1)])
        if "show_dates" in request.POST:
            return self._page(form, typed, self._fresh_delivery(ship_to=delivery.chosen_ship_to_id()))
        lines = form.rows()
        if not lines:
            form.add_error(None, "Enter at least one SKU and quantity, or paste lines from a spreadsheet.")
            return self._page(form, _blank_rows([]), delivery)
        if not delivery.is_valid() or not self._chose_delivery(delivery):
            return self._page(form, typed, delivery)
        return self._add(request, lines)

    def _chose_delivery(self, delivery) -> bool:
        """Keep the ship-to and date with the cart; False (the error on the form) when refused."""
        if not {"ship_to", "requested_delivery_date"} & set(self.request.POST):
            return True  # a form of before the picker: the cart keeps its own
        try:
            choose_delivery(
                user=self.request.user,
                ship_to=delivery.cleaned_data["ship_to"],
                requested_delivery_date=delivery.cleaned_data["requested_delivery_date"],
            )
        except DomainError as error:
            show_domain_error(self.request, error, form=delivery)
            return False
        return True

    def _add(self, request, lines):
        added, errors = add_lines_to_cart(user=request.user, lines=lines)
        if added:
            messages.success(request, f"{added} line{'s' if added != 1 else ''} added to your cart.")
        if not errors:
            return redirect("portal:cart")  # which warns of lines short for the date
        if added:
            self._warn_short_lines()
        by_line = sort_errors(errors=errors).by_line
        bad_rows = [
            QuickOrderRow(
                number=position,
                sku=str(lines[index - 1]["sku"]),
                quantity=str(lines[index - 1]["quantity"]),
                errors=tuple(by_line[index]),
            )
            for position, index in enumerate(sorted(by_line), start=1)
        ]
        messages.error(
            request,
            f"{len(bad_rows)} line{'s' if len(bad_rows) != 1 else ''} could not be added; see the reasons below.",
        )
        return self._page(QuickOrderForm(), _blank_rows(bad_rows), self._fresh_delivery())

    def _warn_short_lines(self):
        """Warn of each cart line asking more than is available for the cart's date:
        the buyer sees it before checkout; the reserve step decides."""
        cart = get_or_create_cart(self.request.user)
        basis = cart_basis(partner=self.partner, cart=cart)
        lines = list(cart.lines.select_related("product"))
        available = availability_for(basis=basis, product_ids=[line.product_id for line in lines])
        for line in lines:
            warning = shortfall_text(
                sku=line.product.sku, quantity=line.quantity, availability=available.get(line.product_id), basis=basis
            )
            if warning:
                messages.warning(self.request, warning)


class DeliveryDatesView(PartnerPageMixin, View):
    """The date picker for the address chosen (`?ship_to=`, one of the partner's; else
    the default), the earliest date picked: what checkout and quick order swap in
    (htmx) when the ship-to changes."""

    def get(self, request):
        posted = DeliveryChoiceForm(request.GET, partner=self.partner)
        form = with_dates(
            DeliveryChoiceForm(partner=self.partner, initial={"ship_to": posted.chosen_ship_to_id()}),
            partner=self.partner,
        )
        return render(
            request, "portal/_delivery_date_field.html", {"field": form["requested_delivery_date"], "dates": form.dates}
        )
