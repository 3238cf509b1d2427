"""The demo world of docs/DESIGN.md section 7: staff (a superuser and one user per role
group), three partners, three warehouses with a delivery route each, a
catalogue of 64 products with stock in dated lots (devdata/demo_lots.py), freshness
rules, partner prices, cards on file at the Stripe stand-in, and the peak campaign
VDAY with the three partners' pre-books (devdata/demo_campaign.py).

`build_demo_world` is safe to run again. Every row is found by its natural key
(username, partner code, warehouse code, SKU, (partner, product, min_quantity),
(partner, label)); a row that already matches is not written at all, a row that
drifted is put back. Three things are never put back, because the platform owns them
once they exist: stock lots (orders may have moved or hold them), a credit account's
open balance, and the campaign with its pre-books (staff run it). Lot dates count from
the supplier's today: a run on a later day adds the lots that day's plan misses (a new
fresh lot once the old one aged, a new arrival once the last one came in) and leaves
the old ones be. Everything else is a fixed table or comes from a seeded generator, so
two runs on two machines on the same day build the same world."""

import datetime
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from config.limits import CENT
from devdata.demo_campaign import ensure_vday
from devdata.demo_lots import warehouse_lots
from devdata.demo_tables import CATALOGUE, PARTNERS, ROUTES, STAFF, PartnerSpec, StaffSpec, demo_stock
from devdata.world import WAREHOUSES
from fulfillment.models import Route
from inventory.models import Product, Stock, Warehouse
from inventory.stock_sync import set_on_hand
from partners.models import CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress
from payments import gateway
from payments.cards_on_file import set_up_test_card

DEMO_PASSWORD = "bouquet-demo"


ACTOR = "demo_data"


# --- Writing ----------------------------------------------------------------------------


class _Tally:
    """Counts per kind of row: created, updated (drifted and put back), unchanged."""

    def __init__(self):
        self.counts: dict[str, Counter] = {}

    def add(self, kind: str, outcome: str, rows: int = 1) -> None:
        self.counts.setdefault(kind, Counter({"created": 0, "updated": 0, "unchanged": 0}))[outcome] += rows

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: dict(counter) for kind, counter in self.counts.items()}


def _differs(obj: models.Model, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:  # compare ids, without fetching the related row
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _ensure(
    tally: _Tally, kind: str, model: type[models.Model], lookup: dict, values: dict, create_only: dict | None = None
) -> tuple[models.Model, bool]:
    """Return the row found by `lookup` and whether it was created, after making its
    `values` true (and `create_only` too, for a new row). A row that already matches is
    not written."""
    obj, created = model.objects.get_or_create(**lookup, defaults={**values, **(create_only or {})})
    if created:
        tally.add(kind, "created")
        return obj, True
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if not changed:
        tally.add(kind, "unchanged")
        return obj, False
    for name in changed:
        setattr(obj, name, values[name])
    auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    obj.save(update_fields=changed + auto_now)
    tally.add(kind, "updated")
    return obj, False


def _ensure_user(tally: _Tally, username: str, *, email: str, staff: bool = False, superuser: bool = False):
    user, created = _ensure(
        tally,
        "users",
        get_user_model(),
        {"username": username},
        {"email": email, "is_staff": staff, "is_superuser": superuser, "is_active": True},
    )
    # Hashing is slow and writes a new salt, so check before setting.
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _ensure_staff(tally: _Tally, spec: StaffSpec) -> None:
    user = _ensure_user(tally, spec.username, email=spec.email, staff=True, superuser=spec.superuser)
    groups = [] if not spec.group else [Group.objects.filter(name=spec.group).first()]
    if None in groups:
        raise LookupError(f"The role group {spec.group!r} is missing: run manage.py migrate, which ships it.")
    held = {g.pk for g in user.groups.all()}
    if held == {g.pk for g in groups}:
        tally.add("staff roles", "unchanged")
        return
    user.groups.set(groups)
    tally.add("staff roles", "updated" if held else "created")


def _ensure_routes(tally: _Tally, warehouses: dict[str, Warehouse]) -> dict[str, Route]:
    return {
        spec.code: _ensure(
            tally,
            "routes",
            Route,
            {"code": spec.code},
            {
                "name": spec.name,
                "warehouse": warehouses[spec.warehouse],
                "delivery_weekdays": list(spec.delivery_weekdays),
                "order_by_time": datetime.time.fromisoformat(spec.order_by_time),
                "lead_days": spec.lead_days,
            },
        )[0]
        for spec in ROUTES
    }


def _ensure_partner(
    tally: _Tally,
    spec: PartnerSpec,
    warehouses: dict[str, Warehouse],
    products: dict[str, Product],
    routes: dict[str, Route],
) -> Partner:
    partner, _ = _ensure(
        tally,
        "partners",
        Partner,
        {"code": spec.code},
        {
            "name": spec.name,
            "segment": spec.segment,
            "email": spec.email,
            "payment_method": spec.payment_method,
            "home_warehouse": warehouses[spec.home_warehouse],
            "min_days_at_delivery": spec.min_days_at_delivery,
            "active": True,
        },
    )
    user = _ensure_user(tally, spec.username, email=spec.email)
    _ensure(tally, "memberships", Membership, {"user": user}, {"partner": partner, "role": spec.role})
    if spec.admin_username:
        admin = _ensure_user(tally, spec.admin_username, email=spec.email)
        _ensure(tally, "memberships", Membership, {"user": admin}, {"partner": partner, "role": Membership.Role.ADMIN})
    if spec.credit_limit is not None:
        # The open balance is the journey's once the account exists; the demo only
        # opens it with the invoices the partner already owes.
        _ensure(
            tally,
            "credit accounts",
            CreditAccount,
            {"partner": partner},
            {"credit_limit": spec.credit_limit},
            create_only={"open_balance": spec.opening_balance},
        )
    for position, (label, line1, postcode, city, country, route) in enumerate(spec.ship_tos):
        _ensure(
            tally,
            "ship-tos",
            ShipToAddress,
            {"partner": partner, "label": label},
            {
                "line1": line1,
                "postcode": postcode,
                "city": city,
                "country": country,
                "is_default": position == 0,
                "route": routes[route],
            },
        )
    for sku, breaks in spec.prices:
        product = products[sku]
        for min_quantity, percent_off in breaks:
            unit_price = (product.list_price * (100 - percent_off) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            _ensure(
                tally,
                "prices",
                PartnerPrice,
                {"partner": partner, "product": product, "min_quantity": min_quantity},
                {"unit_price": unit_price},
            )
    return partner


def _ensure_stock(tally: _Tally, products: dict[str, Product], warehouses: dict[str, Warehouse]) -> None:
    """Open every demo lot that today's plan (devdata/demo_lots.py) wants and no lot
    has yet, through `set_on_hand` so the ledger records it. An existing lot is left
    alone, whatever it holds: orders may have moved it, or hold it."""
    today = timezone.localdate()
    held: dict[tuple[int, int], dict[str, tuple]] = defaultdict(dict)
    for product_id, warehouse_id, lot, available_from, expires_on in Stock.objects.filter(
        product__in=products.values()
    ).values_list("product_id", "warehouse_id", "lot", "available_from", "expires_on"):
        held[product_id, warehouse_id][lot] = (available_from, expires_on)
    opening = demo_stock(CATALOGUE)
    for spec in CATALOGUE:
        product = products[spec.sku]
        for code, on_hand in opening[spec.sku].items():
            warehouse = warehouses[code]
            lots = held[product.id, warehouse.id]
            wanted = warehouse_lots(
                sku=spec.sku,
                category=spec.category,
                case_pack=spec.case_pack,
                on_hand=on_hand,
                today=today,
                played=list(lots.values()),
            )
            tally.add("stock lots", "unchanged", len(lots))
            for lot in wanted:
                if lot.lot in lots:
                    continue
                set_on_hand(
                    product=product,
                    warehouse=warehouse,
                    on_hand=lot.on_hand,
                    expected_version=0,
                    actor=ACTOR,
                    lot=lot.lot,
                    available_from=lot.available_from,
                    expires_on=lot.expires_on,
                    note="opening stock of the demo world",
                )
                tally.add("stock lots", "created")


def _ensure_card_on_file(tally: _Tally, partner: Partner, test_card: str) -> None:
    """Set this test card on file through a SetupIntent, as the portal's payment page
    does, unless Stripe still knows the customer and card stored (the stand-in forgets
    everything when it restarts)."""
    if (
        partner.stripe_customer_id
        and partner.stripe_payment_method_id
        and gateway.find_customer(partner.stripe_customer_id)
    ):
        tally.add("stripe customers", "unchanged")
        return
    set_up_test_card(partner, test_card)
    tally.add("stripe customers", "created")


def build_demo_world(*, stdout=None) -> dict[str, dict[str, int]]:
    """Create what is missing of the demo world, put back what drifted, and return
    counts per kind of row: created, updated, unchanged. Needs the Stripe stand-in
    (STRIPE_API_BASE) for the cards on file; raises PaymentError when it is away,
    after the database rows are committed."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    tally = _Tally()
    with transaction.atomic():
        say("Staff and warehouses ...")
        for staff in STAFF:
            _ensure_staff(tally, staff)
        warehouses = {
            code: _ensure(
                tally,
                "warehouses",
                Warehouse,
                {"code": code},
                {"name": name, "priority": priority, "is_open": True, "timezone": zone},
            )[0]
            for code, name, priority, zone in WAREHOUSES
        }
        say(f"Catalogue of {len(CATALOGUE)} products and their stock ...")
        products = {
            spec.sku: _ensure(
                tally,
                "products",
                Product,
                {"sku": spec.sku},
                {
                    "name": spec.name,
                    "category": spec.category,
                    "unit": spec.unit,
                    "case_pack": spec.case_pack,
                    "min_order_qty": spec.min_order_qty,
                    "list_price": spec.list_price,
                    "min_days_at_delivery": spec.min_days_at_delivery,
                    "active": True,
                },
            )[0]
            for spec in CATALOGUE
        }
        _ensure_stock(tally, products, warehouses)
        say("Delivery routes ...")
        routes = _ensure_routes(tally, warehouses)
        say("Partners, their users, addresses and prices ...")
        partners = [(spec, _ensure_partner(tally, spec, warehouses, products, routes)) for spec in PARTNERS]
        say("The Valentine's Day campaign and its pre-books ...")
        ensure_vday(tally)

    # Outside the transaction: no call to Stripe while rows are locked.
    say("Cards on file at the Stripe stand-in ...")
    for spec, partner in partners:
        if spec.test_card:
            _ensure_card_on_file(tally, partner, spec.test_card)
    return tally.as_dict()
