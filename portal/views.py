"""The partner portal's pages: thin doors that parse the request, call one selector or
service, and render. Every page needs a signed-in user of a partner and shows that
partner's data only; domain errors reach the page through `portal.errors`."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from config.callers import caller_partner
from config.errors import DomainError
from inventory.catalogue import smallest_orderable_quantity
from inventory.models import Product
from inventory.selectors import catalogue
from orders.cancellation import cancel_order
from orders.cart import (
    StaleCheckoutError,
    add_lines_to_cart,
    add_to_cart,
    cart_line_count,
    get_or_create_cart,
    place_cart_order,
    priced_cart_lines,
    remove_from_cart,
    reorder_into_cart,
    set_cart_quantity,
)
from orders.exceptions import OrderValidationError
from orders.selectors import get_order, orders_visible_to
from orders.states import CANCELLABLE_STATUSES
from partners.models import CreditAccount, Membership, Partner
from partners.pricing import price_for_quantity, price_table
from portal.errors import flash_domain_errors, show_domain_error, sort_errors
from portal.forms import (
    QUICK_ORDER_ROWS,
    AddToCartForm,
    CancelOrderForm,
    CatalogueFilterForm,
    CheckoutForm,
    OrderFilterForm,
    QuickOrderForm,
)

CATALOGUE_PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20
RECENT_ORDERS = 5
LOW_STOCK_CASES = 5


class PartnerPageMixin:
    """Let in signed-in users of a partner: anonymous users go to the login page, staff
    without a partner to the back office, anyone else is refused."""

    partner: Partner

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        _load_membership(request.user)
        partner = caller_partner(request.user)
        if partner is None:
            if request.user.is_staff:
                return redirect("/admin/")
            raise PermissionDenied("Your account is not linked to a partner company.")
        self.partner = partner
        return super().dispatch(request, *args, **kwargs)

    def page(self, template: str, context: dict | None = None, *, cart_count: int | None = None, status: int = 200):
        context = {"partner": self.partner, **(context or {})}
        context["cart_count"] = cart_line_count(self.request.user) if cart_count is None else cart_count
        return render(self.request, template, context, status=status)


def _load_membership(user) -> None:
    """Read the user's membership with its partner in one query and keep it on the
    user, so that `caller_partner` here and the cart after it read nothing more."""
    membership = Membership.objects.select_related("partner").filter(user=user).first()
    if membership is not None:
        user.membership = membership


def _paginate(request, items, per_page: int):
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- home ------------------------------------------------------------------------------


class HomeView(PartnerPageMixin, View):
    def get(self, request):
        cart_lines = priced_cart_lines(get_or_create_cart(request.user))
        credit = CreditAccount.objects.filter(partner=self.partner).first()
        return self.page("portal/home.html", {
            "recent_orders": orders_visible_to(partner=self.partner).order_by("-id")[:RECENT_ORDERS],
            "cart_lines": cart_lines,
            "cart_total": sum((l.line_total for l in cart_lines), Decimal("0.00")),
            "on_account": self.partner.payment_method == Partner.PaymentMethod.ACCOUNT,
            "credit": credit,
            "card_on_file": bool(self.partner.stripe_payment_method_id),
        }, cart_count=len(cart_lines))


# --- catalogue -------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    product: Product
    first_quantity: int
    # (from quantity, unit price), lowest first
    prices: list[tuple[int, Decimal]]
    stock_level: str  # "in", "low" or "out"

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
    def get(self, request):
        categories = list(Product.objects.filter(active=True).order_by("category")
                          .values_list("category", flat=True).distinct())
        form = CatalogueFilterForm(request.GET or None, categories=categories)
        filters = form.cleaned_data if form.is_valid() else {}
        products = catalogue(include_inactive=False, q=(filters.get("q") or "").strip(), category=filters.get("category") or "")
        page, query = _paginate(request, products, CATALOGUE_PAGE_SIZE)
        rows = list(page.object_list)
        breaks = price_table(partner_id=self.partner.id, product_ids=[p.id for p in rows])
        items = []
        for product in rows:
            first_quantity = smallest_orderable_quantity(case_pack=product.case_pack,
                                                         min_order_qty=product.min_order_qty)
            items.append(CatalogueItem(
                product=product, first_quantity=first_quantity,
                prices=price_rows(product, breaks.get(product.id, []), first_quantity),
                stock_level=stock_level(product.available, product.case_pack),
            ))
        return self.page("portal/catalogue.html", {"form": form, "items": items, "page_obj": page, "query": query})


@method_decorator(flash_domain_errors(lambda request: _safe_next(request, reverse("portal:catalogue"))), name="post")
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
            return render(request, "portal/_add_result.html", {"ok": False, "problems": problems,
                                                               "cart_count": cart_line_count(request.user)})
        text = f"Added {form.cleaned_data['quantity']} × {line.product.sku}; {line.quantity} in your cart."
        if is_htmx:
            return render(request, "portal/_add_result.html", {"ok": True, "text": text,
                                                               "cart_count": cart_line_count(request.user)})
        messages.success(request, text)
        return redirect(_safe_next(request, reverse("portal:catalogue")))


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
    template = "portal/quick_order.html"

    def get(self, request):
        return self.page(self.template, {"form": QuickOrderForm(), "rows": _blank_rows([])})

    def post(self, request):
        form = QuickOrderForm(request.POST)
        if not form.is_valid():
            return self.page(self.template, {"form": form, "rows": _blank_rows([])})
        lines = form.rows()
        if not lines:
            form.add_error(None, "Enter at least one SKU and quantity, or paste lines from a spreadsheet.")
            return self.page(self.template, {"form": form, "rows": _blank_rows([])})
        added, errors = add_lines_to_cart(user=request.user, lines=lines)
        if added:
            messages.success(request, f"{added} line{'s' if added != 1 else ''} added to your cart.")
        if not errors:
            return redirect("portal:cart")
        by_line = sort_errors(errors=errors).by_line
        bad_rows = [
            QuickOrderRow(number=position, sku=str(lines[index - 1]["sku"]), quantity=str(lines[index - 1]["quantity"]),
                          errors=tuple(by_line[index]))
            for position, index in enumerate(sorted(by_line), start=1)
        ]
        messages.error(request, f"{len(bad_rows)} line{'s' if len(bad_rows) != 1 else ''} could not be added; see the reasons below.")
        return self.page(self.template, {"form": QuickOrderForm(), "rows": _blank_rows(bad_rows)})


# --- cart ------------------------------------------------------------------------------


@dataclass
class CartRow:
    position: int
    priced: object
    quantity: str
    errors: tuple[str, ...] = ()


class CartView(PartnerPageMixin, View):
    template = "portal/cart.html"

    def _render(self, cart, *, form=None, line_errors=None, typed=None, status=200):
        priced = priced_cart_lines(cart)
        line_errors, typed = line_errors or {}, typed or {}
        rows = [
            CartRow(position=n, priced=p, quantity=typed.get(p.line.product_id, str(p.line.quantity)),
                    errors=tuple(line_errors.get(n, ())))
            for n, p in enumerate(priced, start=1)
        ]
        if form is None:
            default_ship_to = cart.ship_to_id or self.partner.ship_tos.order_by("-is_default", "label").values_list("id", flat=True).first()
            form = CheckoutForm(partner=self.partner, initial={
                "idempotency_key": cart.idempotency_key, "ship_to": default_ship_to, "po_number": cart.po_number,
                "requested_delivery_date": cart.requested_delivery_date,
            })
        return self.page(self.template, {
            "cart": cart, "rows": rows, "form": form,
            "total": sum((p.line_total for p in priced), Decimal("0.00")),
        }, cart_count=len(rows), status=status)

    def get(self, request):
        return self._render(get_or_create_cart(request.user))

    def post(self, request):
        cart = get_or_create_cart(request.user)
        if "remove" in request.POST:
            return self._remove(request)
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

    def _checkout(self, request, cart):
        form = CheckoutForm(request.POST, partner=self.partner)
        if not form.is_valid():
            return self._render(cart, form=form)
        data = form.cleaned_data
        try:
            order = place_cart_order(user=request.user, idempotency_key=data["idempotency_key"], details={
                "ship_to": data["ship_to"], "po_number": data["po_number"],
                "requested_delivery_date": data["requested_delivery_date"],
            })
        except StaleCheckoutError as error:
            messages.error(request, error.message)
            return redirect("portal:cart")
        except DomainError as error:
            sorted_errors = show_domain_error(request, error, form=form)
            return self._render(get_or_create_cart(request.user), form=form, line_errors=sorted_errors.by_line)
        messages.success(request, f"Order {order.number} placed. We will confirm it shortly.")
        return redirect("portal:order-detail", number=order.number)


# --- orders ----------------------------------------------------------------------------


class OrderListView(PartnerPageMixin, View):
    def get(self, request):
        form = OrderFilterForm(request.GET or None)
        orders = orders_visible_to(partner=self.partner).order_by("-id")
        if form.is_valid():
            if form.cleaned_data["status"]:
                orders = orders.filter(status=form.cleaned_data["status"])
            q = form.cleaned_data["q"].strip()
            if q:
                orders = orders.filter(Q(number__icontains=q) | Q(po_number__icontains=q))
        page, query = _paginate(request, orders, ORDERS_PAGE_SIZE)
        return self.page("portal/order_list.html", {"form": form, "page_obj": page, "query": query})


class OrderDetailView(PartnerPageMixin, View):
    def get(self, request, number):
        try:
            order = get_order(partner=self.partner, number=number)
        except DomainError as error:
            sort_errors(error)  # a not-found is a 404
            raise
        return self.page("portal/order_detail.html", {
            "order": order, "cancellable": order.status in CANCELLABLE_STATUSES, "cancel_form": CancelOrderForm(),
        })


def _order_page(request, number):
    return reverse("portal:order-detail", kwargs={"number": number})


@method_decorator(flash_domain_errors(_order_page), name="post")
class OrderCancelView(PartnerPageMixin, View):
    def post(self, request, number):
        order = get_order(partner=self.partner, number=number, for_detail=False)
        form = CancelOrderForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        cancel_order(order_id=order.id, reason=reason, actor=request.user.get_username())
        messages.success(request, f"Order {order.number} is cancelled.")
        return redirect(_order_page(request, number))


@method_decorator(flash_domain_errors(_order_page), name="post")
class OrderReorderView(PartnerPageMixin, View):
    def post(self, request, number):
        order = get_order(partner=self.partner, number=number, for_detail=False)
        summary, *problems = reorder_into_cart(user=request.user, order=order)
        messages.success(request, summary)
        for problem in problems:
            messages.warning(request, problem)
        return redirect("portal:cart")
