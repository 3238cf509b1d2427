"""The API against its own OpenAPI schema, with every check schemathesis has: no 5xx,
every answer, status and header as documented, every schema-valid request accepted and
every schema-breaking one refused, auth never ignored. Run over every operation the
schema lists (new endpoints are fuzzed the day they land), as a partner and as staff,
against the demo world, which the run may change. Bounded in examples, never in time.

"Accepted" for a schema-valid request is what docs/INTEGRATING.md promises: 2xx, or a
refusal that names a rule the schema cannot hold (404 for a path naming nothing, 409 for
a conflict with the current state, 422 for content a business rule refuses: an unknown
SKU, a case pack), never 400, which means the request broke the schema."""

import os
import uuid

import pytest
import schemathesis
from django.db import transaction
from django_redis import get_redis_connection
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from tests.support.demo_api import DEMO_KEYS

pytestmark = pytest.mark.slow

ACCEPTED_WHEN_SCHEMA_VALID = ["2xx", "401", "403", "404", "409", "422", "429"]
# Examples per operation and phase: a fixed, repeatable draw in every run; a deeper
# search on demand (SCHEMA_FUZZ_EXAMPLES=500 make test ARGS="tests/api/test_schema_fuzz.py").
EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "15"))
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": EXAMPLES},
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_WHEN_SCHEMA_VALID}},
    }
)


def fresh_idempotency_key(context, case):
    """A schema-valid order gets a key of its own, so that intake itself is fuzzed rather
    than the replay of whichever key the generator drew twice."""
    if case.method == "POST" and case.path == "/api/v1/orders/" and case.meta and case.meta.generation.mode.is_positive:
        case.headers = {**(case.headers or {}), "Idempotency-Key": f"fuzz-{uuid.uuid4()}"}
    return case


def schema_as(role: str):
    """The schema as served (it needs no database, so it loads at collection), calling
    with `role`'s key through schemathesis' auth, so that its ignored_auth check can
    send each call without it."""
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

    @loaded.auth(refresh_interval=None)
    class DemoCaller:
        def get(self, case, context):
            return DEMO_KEYS[role]

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    loaded.hook("map_case")(fresh_idempotency_key)
    return loaded


as_partner, as_staff = schema_as("partner"), schema_as("staff")


def called_with_our_key(case, response, role: str) -> None:
    """A case carrying the caller's key was answered as that caller (the coverage phase
    also sends cases without a key, or a blank one, which 401 is right for)."""
    if (case.headers or {}).get("Authorization") == f"Bearer {DEMO_KEYS[role]}":
        assert response.status_code != 401, response.text


FUZZ_SETTINGS = settings(
    deadline=None, suppress_health_check=list(HealthCheck), derandomize="SCHEMA_FUZZ_EXAMPLES" not in os.environ
)


@as_partner.parametrize()
@FUZZ_SETTINGS
def test_as_a_partner_the_server_holds_to_the_schema(case, demo_tokens):
    called_with_our_key(case, case.call_and_validate(), "partner")


@as_staff.parametrize()
@FUZZ_SETTINGS
def test_as_staff_the_server_holds_to_the_schema(case, demo_tokens):
    called_with_our_key(case, case.call_and_validate(), "staff")


@pytest.mark.parametrize("schema", [as_partner, as_staff], ids=["partner", "staff"])
def test_sequences_of_calls_hold_to_the_schema(demo_tokens, schema):
    """The stateful phase: calls chained by what earlier answers named (an order's
    Location, a number), with the checks only sequences can make (a cancelled or
    deleted resource gone, a created one there)."""

    class Workflow(schema.as_state_machine()):
        """Each sequence starts from the same demo world: hypothesis replays sequences
        while it searches, and one that met another world would draw other steps."""

        def setup(self):
            self.start = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.start)
            get_redis_connection("default").flushdb()

        def get_call_kwargs(self, case):
            if case.method == "POST" and case.path == "/api/v1/orders/":
                return {"headers": {"Idempotency-Key": f"fuzz-{uuid.uuid4()}"}}
            return {}

    # No shrinking: the database a sequence ran against has moved on, so a shorter one
    # would not replay the same (hypothesis then reports a flaky strategy, not the bug).
    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck),
            derandomize="SCHEMA_FUZZ_EXAMPLES" not in os.environ,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        )
    )  # fmt: skip
