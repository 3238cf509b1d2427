"""Property-based fuzz of the API from its own OpenAPI schema: whatever a client sends,
no answer is a 5xx and every answer fits the schema. Bounded in examples and time."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from config.wsgi import application
from partners.factories import MembershipFactory, UserFactory
from partners.tokens import issue_api_token
from tests.support.roles import erp_user

pytestmark = pytest.mark.slow


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
def tokens(db, keep_test_connection, warehouses, make_product, account_buyer):
    make_product("ROS-FUZZ", stock={warehouses["RTM"]: 100000}, case_pack=10, list_price="0.40")
    partner_user = MembershipFactory(partner=account_buyer, user=UserFactory(username="fuzz-fern")).user
    staff = erp_user("fuzz-erp")
    return {name: issue_api_token(user=user).key for name, user in (("partner", partner_user), ("staff", staff))}


# The schema endpoint needs no database, so the schema loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_fits_the_schema(case, tokens):
    for name in ("partner", "staff"):
        headers = {"Authorization": f"Token {tokens[name]}"}
        if case.method == "POST" and case.path == "/api/v1/orders/":
            headers["Idempotency-Key"] = f"fuzz-{name}-{id(case)}"
        # What the contract promises: no 5xx, and every answer as the schema says. (A
        # schema-valid order for an unknown SKU is rightly refused, so Schemathesis's
        # positive-data check does not apply.)
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])
