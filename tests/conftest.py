"""Fixtures shared by every test: real PostgreSQL and Redis, the Stripe stand-in, and
an autouse check that the stock ledger still sums to the stock rows after each test."""

import pytest
from django.db import connection
from django_redis import get_redis_connection

from inventory.factories import ProductFactory, StockFactory, WarehouseFactory
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import Partner
from payments import circuit_breaker, gateway
from payments.models import Payment

VISA = "4242424242424242"
DECLINING_CARD = "4000000000000341"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """One test database per Redis database: runs side by side on one machine, each
    with its own REDIS_URL, then never drop each other's database."""
    from django.conf import settings

    redis_db = settings.REDIS_URL.rsplit("/", 1)[-1] or "0"
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_r{redis_db}"


@pytest.fixture(scope="session", autouse=True)
def stripe_threads_closed_at_the_end(django_db_setup, django_db_blocker):
    """The journey's Stripe threads keep their connections; close them before the
    test database is dropped."""
    yield
    from journey.stripe_threads import close_stripe_threads

    with django_db_blocker.unblock():
        close_stripe_threads()


@pytest.fixture(autouse=True)
def fresh_token_cache():
    from config.api.authentication import forget_cached_tokens

    forget_cached_tokens()
    yield


@pytest.fixture(autouse=True)
def clean_redis():
    """Each test starts with an empty Redis database (wake-up flags, breaker state,
    django-q2's queue): the tests' REDIS_URL names a database of their own."""
    get_redis_connection("default").flushdb()
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs a third of a second per user; tests check logic, not cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


LEDGER_MISMATCH_SQL = """
SELECT s.id, s.on_hand, s.reserved, COALESCE(m.on_hand, 0), COALESCE(m.reserved, 0)
  FROM inventory_stock s
  LEFT JOIN (SELECT product_id, warehouse_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
               FROM inventory_stockmovement GROUP BY product_id, warehouse_id) m
    ON m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id
 WHERE s.on_hand <> COALESCE(m.on_hand, 0) OR s.reserved <> COALESCE(m.reserved, 0)
"""


def ledger_mismatches() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(LEDGER_MISMATCH_SQL)
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def ledger_sums_to_stock(request):
    """After every test that touches the database: summing the ledger gives each stock
    row (docs/DESIGN.md invariant 7)."""
    yield
    if "django_db" not in {m.name for m in request.node.iter_markers()} and not any(
        f in request.fixturenames for f in ("db", "transactional_db")
    ):
        return
    try:
        mismatches = ledger_mismatches()
    except Exception:
        return  # the test left no usable database (it tore it down itself)
    assert not mismatches, f"stock rows differ from their ledger (id, on_hand, reserved, ledger on_hand, ledger reserved): {mismatches}"


@pytest.fixture
def breaker_reset():
    circuit_breaker.reset()
    yield
    circuit_breaker.reset()


@pytest.fixture
def warehouses(db):
    """AMS (priority 1), RTM (2), LHR (3), as in the demo world."""
    return {
        code: WarehouseFactory(code=code, name=name, priority=priority)
        for code, name, priority in (("AMS", "Aalsmeer", 1), ("RTM", "Rotterdam", 2), ("LHR", "London", 3))
    }


@pytest.fixture
def make_product(db):
    def make(sku=None, *, stock: dict | None = None, **fields):
        product = ProductFactory(**({"sku": sku} if sku else {}), **fields)
        for warehouse, on_hand in (stock or {}).items():
            StockFactory(product=product, warehouse=warehouse, on_hand=on_hand)
        return product

    return make


def card_partner(code: str, card_number: str, home_warehouse) -> Partner:
    customer_id, payment_method_id = gateway.create_customer_with_card(
        name=code, email=f"{code.lower()}@example.com", card_number=card_number, reference=code
    )
    return PartnerFactory(
        code=code, payment_method=Partner.PaymentMethod.CARD, home_warehouse=home_warehouse,
        stripe_customer_id=customer_id, stripe_payment_method_id=payment_method_id,
    )


@pytest.fixture
def card_buyer(warehouses, breaker_reset):
    """A florist paying by a card that succeeds at the Stripe stand-in."""
    return card_partner("BLOOM", VISA, warehouses["AMS"])


@pytest.fixture
def declining_buyer(warehouses, breaker_reset):
    """A florist whose card on file is declined."""
    return card_partner("THORN", DECLINING_CARD, warehouses["AMS"])


@pytest.fixture
def account_buyer(warehouses):
    """A garden centre on account with a 5,000.00 limit."""
    partner = PartnerFactory(code="FERN", payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses["RTM"], credit=None)
    CreditAccountFactory(partner=partner, credit_limit="5000.00")
    return partner


def payment_intents_for_order(order) -> list[dict]:
    """Every PaymentIntent the stand-in holds for this order (by our metadata and the
    partner's customer, which each test creates afresh)."""
    found, params = [], {"limit": 100}
    while True:
        page = gateway.client().v1.payment_intents.list(params=params).to_dict()
        found.extend(pi for pi in page["data"] if (pi.get("metadata") or {}).get("order_id") == str(order.id)
                     and pi.get("customer") == order.partner.stripe_customer_id)
        if not page.get("has_more") or not page["data"]:
            return found
        params = {"limit": 100, "starting_after": page["data"][-1]["id"]}


def payment_intent_left_by_a_dead_worker(order, buyer, *, confirmed: bool) -> str:
    """What a pay worker leaves when it dies after storing the order's PaymentIntent
    (and, `confirmed`, after charging the card) but before recording Stripe's answer:
    the payment still pending. Returns the PaymentIntent's id."""
    from journey.steps import pay

    pay.start_payment(order.id)
    payment = Payment.objects.get(order=order)
    intent = gateway.create_payment_intent(amount=payment.amount, currency="EUR", customer_id=buyer.stripe_customer_id,
                                           payment_method_id=buyer.stripe_payment_method_id,
                                           idempotency_key=f"died-{order.id}", metadata={"order_id": str(order.id)})
    Payment.objects.filter(id=payment.id).update(stripe_payment_intent_id=intent["id"])
    if confirmed:
        gateway.confirm_payment_intent(intent["id"], idempotency_key=f"died-{order.id}-confirm")
    return intent["id"]


def place(partner, lines: dict, **kwargs):
    """Place an order of {sku: quantity} through the intake service and return it."""
    from orders.intake import place_order

    return place_order(partner=partner, lines=[{"sku": s, "quantity": q} for s, q in lines.items()], **kwargs).order


def drive_journey(rounds: int = 6) -> None:
    """Run every step until nothing is due (what the workers do, inline)."""
    from journey.runner import run_all_steps

    for _ in range(rounds):
        if not any(run_all_steps().values()):
            return
