"""Fixtures shared by every test: real PostgreSQL and Redis, a Stripe stand-in of the
run's own, the named buyers of the demo world, and an autouse check that the stock
ledger still sums to the stock rows after each test.

Helpers that are not fixtures live in tests/support/; tests import them from there."""

import os

import pytest
from django.test import override_settings
from django_redis import get_redis_connection

from backoffice.audit import AuditReport, check_stock
from devdata.world import WAREHOUSES
from inventory.factories import ProductFactory, StockFactory, WarehouseFactory
from partners.factories import CreditAccountFactory, PartnerFactory
from partners.models import Partner
from payments import circuit_breaker
from tests.support.services import stripe_stand_in
from tests.support.stripe import DECLINING_CARD, VISA, card_partner

pytest_plugins = ["tests.support.portal_world", "tests.support.demo_api"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """One test database per Redis database: runs side by side on one machine, each
    with its own REDIS_URL (each xdist worker gets one, tests/support/services.py),
    then never drop each other's database."""
    from django.conf import settings

    redis_db = settings.REDIS_URL.rsplit("/", 1)[-1] or "0"
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_r{redis_db}"


@pytest.fixture(scope="session", autouse=True)
def stripe_api_base(tmp_path_factory):
    """The Stripe the run talks to: the caller's STRIPE_API_BASE if set, else a
    stand-in of this process's own on a free port, stopped at the end. Its address
    goes to the settings (the gateway reads them at each call) and to the environment
    (for the processes a test starts)."""
    if os.environ.get("STRIPE_API_BASE"):
        yield os.environ["STRIPE_API_BASE"]
        return
    with stripe_stand_in(tmp_path_factory.mktemp("stripe") / "stand-in.log") as address:
        os.environ["STRIPE_API_BASE"] = address
        try:
            # The payment page loads the stand-in's Stripe.js, which talks to it.
            with override_settings(STRIPE_API_BASE=address, STRIPE_JS_URL=f"{address}/js.stripe.com/v3/"):
                yield address
        finally:
            del os.environ["STRIPE_API_BASE"]


@pytest.fixture(scope="session", autouse=True)
def stripe_threads_closed_at_the_end(stripe_api_base, django_db_setup, django_db_blocker):
    """The journey's Stripe threads keep their connections; close them before the
    test database is dropped and the stand-in stops."""
    yield
    from journey.stripe_threads import close_stripe_threads

    with django_db_blocker.unblock():
        close_stripe_threads()


@pytest.fixture(autouse=True)
def fresh_token_cache():
    from partners.api.authentication import forget_cached_tokens

    forget_cached_tokens()
    yield


@pytest.fixture(autouse=True)
def clean_redis():
    """Each test starts with an empty Redis database (wake-up flags, breaker state,
    django-q2's queue). The database is this process's own: REDIS_URL's, plus the
    xdist worker's index. A look at the breaker taken before is forgotten with it."""
    get_redis_connection("default").flushdb()
    circuit_breaker.forget_last_look()
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs a third of a second per user; tests check logic, not cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def ledger_sums_to_stock(request):
    """After every test that touches the database: summing the ledger gives each lot
    (docs/DESIGN.md invariant 7) and no lot holds more reservations than stock: the
    audit's own queries (tests may set `reserved` without reservations, so the
    audit's reservation sums are checked where a test asks)."""
    database = next((f for f in ("transactional_db", "db") if f in request.fixturenames), None)
    if request.node.get_closest_marker("django_db") is None:
        if database is None:
            yield
            return
        # Asked for here, the database is torn down (rolled back) after the check
        # below; asked for only by a later fixture, it would be torn down before.
        request.getfixturevalue(database)
    yield
    report = AuditReport()
    try:
        check_stock(report)
    except Exception:
        return  # the test left no usable database (it tore it down itself)
    for finding in ("ledger", "oversold"):
        assert not report.findings[finding], f"lots break the audit's {finding} check: {report.findings[finding]}"


@pytest.fixture
def breaker_reset():
    circuit_breaker.reset()
    yield
    circuit_breaker.reset()


@pytest.fixture
def warehouses(db):
    """AMS (priority 1), RTM (2), LHR (3), as in the demo world."""
    return {
        code: WarehouseFactory(code=code, name=name, priority=priority, timezone=zone)
        for code, name, priority, zone in WAREHOUSES
    }


@pytest.fixture
def make_product(db):
    def make(sku=None, *, stock: dict | None = None, lots: list[dict] | None = None, **fields):
        """`stock` maps a warehouse to its on-hand units in lot ""; `lots` lists lots as
        StockFactory's fields (warehouse, lot, on_hand, available_from, expires_on)."""
        product = ProductFactory(**({"sku": sku} if sku else {}), **fields)
        for warehouse, on_hand in (stock or {}).items():
            StockFactory(product=product, warehouse=warehouse, on_hand=on_hand)
        for lot in lots or ():
            StockFactory(product=product, **lot)
        return product

    return make


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
    partner = PartnerFactory(
        code="FERN", payment_method=Partner.PaymentMethod.ACCOUNT, home_warehouse=warehouses["RTM"], credit=None
    )
    CreditAccountFactory(partner=partner, credit_limit="5000.00")
    return partner
