"""The demo world behind the API, for the tests that drive the API from its own
schema: the fuzzer, the examples and the generated client. The schema's examples name
its rows (RO-NAOMI-50, BLOOM, AMS), so they are sent against it as they stand."""

import pytest
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections

from devdata.demo import build_demo_world
from partners.tokens import issue_api_token

# The callers the contract is held for: a partner's admin and the ERP integration account.
CALLERS = {"partner": "bloom", "staff": "erp"}


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


@pytest.fixture
def demo_tokens(db, keep_test_connection, breaker_reset) -> dict[str, str]:
    """The demo world, built afresh in the test's transaction, and an API key for each
    of CALLERS."""
    build_demo_world()
    users = get_user_model().objects
    return {role: issue_api_token(user=users.get(username=name)).key for role, name in CALLERS.items()}
