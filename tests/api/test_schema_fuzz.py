"""The API against its own OpenAPI schema, with every check schemathesis has: no 5xx,
every answer, status and header as documented, every schema-valid request accepted and
every schema-breaking one refused, auth never ignored. Run over every operation the
schema lists (new endpoints are fuzzed the day they land), as a partner and as staff,
against the demo world, which the run may change. Bounded in examples, never in time.

"Accepted" for a schema-valid request is what docs/INTEGRATING.md promises: 2xx, or a
refusal that names a rule the schema cannot hold (404 for a path naming nothing, 409 for
a conflict with the current state, 422 for content a business rule refuses: an unknown
SKU, a case pack), never 400, which means the request broke the schema."""

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from config.wsgi import application

pytestmark = pytest.mark.slow

ACCEPTED_WHEN_SCHEMA_VALID = ["2xx", "401", "403", "404", "409", "422", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": 15},
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_WHEN_SCHEMA_VALID}},
    }
)

# The schema endpoint needs no database, so the schema loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@schema.hook("map_case")
def fresh_idempotency_key(context, case):
    """A schema-valid order gets a key of its own, so that intake itself is fuzzed rather
    than the replay of whichever key the generator drew twice."""
    if case.method == "POST" and case.path == "/api/v1/orders/" and case.meta and case.meta.generation.mode.is_positive:
        case.headers = {**(case.headers or {}), "Idempotency-Key": f"fuzz-{uuid.uuid4()}"}
    return case


FUZZ_SETTINGS = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@schema.parametrize()
@FUZZ_SETTINGS
def test_as_a_partner_the_server_holds_to_the_schema(case, demo_tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {demo_tokens['partner']}"})


@schema.parametrize()
@FUZZ_SETTINGS
def test_as_staff_the_server_holds_to_the_schema(case, demo_tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {demo_tokens['staff']}"})


@pytest.mark.parametrize("caller", ["partner", "staff"])
def test_sequences_of_calls_hold_to_the_schema(demo_tokens, caller):
    """The stateful phase: calls chained by what earlier answers named (an order's
    Location, a number), with the checks only sequences can make (a cancelled or
    deleted resource gone, a created one there)."""
    authorization = f"Bearer {demo_tokens[caller]}"

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            headers = {"Authorization": authorization}
            if case.method == "POST" and case.path == "/api/v1/orders/":
                headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4()}"
            return {"headers": headers}

    Workflow.run(
        settings=settings(
            max_examples=15, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )  # fmt: skip
