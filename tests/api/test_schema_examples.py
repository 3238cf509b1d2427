"""The schema's examples are true of the demo world: each request example, sent as it
stands (its path parameters from their examples too), is accepted with a 2xx that fits
the documented answer, and each response example fits its own schema. An example that
names a SKU the catalogue lacks, or a version no row has, fails here."""

import copy
import uuid

import jsonschema
import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.slow


def _schema() -> dict:
    return APIClient().get("/api/schema/", {"format": "json"}).json()


def as_json_schema(node, components: dict):
    """OpenAPI 3.0's `nullable` spelled as JSON Schema, with $refs into `components`."""
    if isinstance(node, list):
        return [as_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if "$ref" in converted:
        converted["$ref"] = converted["$ref"].replace("#/components/schemas/", "#/definitions/")
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def check_fits(value, schema: dict, components: dict, where: str) -> None:
    definitions = {name: as_json_schema(part, components) for name, part in components.items()}
    validator = jsonschema.Draft7Validator({**as_json_schema(schema, components), "definitions": definitions})
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]
    assert not problems, f"{where}: {problems}"


def request_examples(schema: dict):
    """(method, path template, operation, example name, body) for every request example."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                yield method, path, operation, name, example["value"]


def filled_path(path: str, operation: dict) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            examples = list(parameter.get("examples", {}).values())
            assert examples, f"{path}: path parameter {parameter['name']} has no example"
            path = path.replace("{" + parameter["name"] + "}", str(examples[0]["value"]))
    return path


def send(client: APIClient, method: str, path: str, body, operation: dict):
    headers = {}
    if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])):
        headers["HTTP_IDEMPOTENCY_KEY"] = f"example-{uuid.uuid4()}"
    return getattr(client, method)(path, body, format="json", **headers)


def test_every_request_example_is_accepted_by_the_demo_world(demo_tokens):
    schema = _schema()
    components = schema["components"]["schemas"]
    sent = []
    for method, template, operation, name, body in request_examples(schema):
        path = filled_path(template, operation)
        answer = None
        # As the partner where a partner may call it, else as staff (the ERP account).
        for role in ("partner", "staff"):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {demo_tokens[role]}")
            answer = send(client, method, path, copy.deepcopy(body), operation)
            if answer.status_code != 403:
                break
        where = f"{method.upper()} {path} example {name!r}"
        assert 200 <= answer.status_code < 300, f"{where}: {answer.status_code} {answer.content[:300]!r}"
        documented = operation["responses"][str(answer.status_code)]
        if "content" in documented:
            check_fits(answer.json(), documented["content"]["application/json"]["schema"], components, where)
        sent.append(where)
    assert len(sent) >= 4, sent


@pytest.mark.django_db
def test_every_response_example_fits_its_schema():
    schema = _schema()
    components = schema["components"]["schemas"]
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    check_fits(example["value"], content["schema"], components, f"{method} {path} {status} {name}")
                    checked += 1
    assert checked >= 3
