"""The demo world behind the API, for the tests that drive the API from its own
schema: the fuzzer, the examples and the generated client. The schema's examples name
its rows (RO-NAOMI-50, BLOOM, AMS), so they are sent against it as they stand."""

import pytest
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections, connection
from django.utils import timezone

from devdata.demo import build_demo_world
from partners.models import ApiToken
from partners.tokens import PREFIX_LENGTH, default_expiry, hash_api_key

# The callers the contract is held for: a partner's admin and the ERP integration account.
CALLERS = {"partner": "bloom", "staff": "erp"}
# Their keys, known before any test runs: schemathesis builds some cases, with their
# Authorization header, when it collects the tests. Test databases only.
DEMO_KEYS = {"partner": "b1" * 20, "staff": "e2" * 20}


@pytest.fixture
def keep_test_connection():
    """Called through raw WSGI, Django would close the test's connection after each
    request (it is inside the test's transaction); its own test client stops that the
    same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def as_on_a_fresh_database(table: str) -> None:
    """Let the table's next id be the one after its largest (1 when empty), as on a
    fresh database: ids are drawn from a sequence that rollbacks do not rewind."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
            [table],
        )


@pytest.fixture
def demo_tokens(db, keep_test_connection, breaker_reset) -> dict[str, str]:
    """The demo world, built afresh in the test's transaction, and the key of DEMO_KEYS
    for each of CALLERS. Its ship-tos get the ids a fresh database gives them (BLOOM's
    shop is 1), which the schema's examples name."""
    as_on_a_fresh_database("partners_shiptoaddress")
    build_demo_world()
    now = timezone.now()
    for role, username in CALLERS.items():
        key = DEMO_KEYS[role]
        ApiToken.objects.create(
            user=get_user_model().objects.get(username=username),
            prefix=key[:PREFIX_LENGTH],
            key_hash=hash_api_key(key),
            created_at=now,
            expires_at=default_expiry(now),
        )
    return dict(DEMO_KEYS)
